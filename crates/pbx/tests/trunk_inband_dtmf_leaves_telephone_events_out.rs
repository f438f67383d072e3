//! A trunk in `inband` DTMF mode hears digits as tones in the audio: RFC 4733
//! telephone-events are removed from every description of the call, in and out, so the
//! phones send their key presses as tones.

mod support;

use pbx::dialplan::DtmfMode;
use support::sdp::encodings;
use support::trunk_calls::{call_in, call_out, office, ALICE, PROVIDER};

fn inband_trunk(seed: u64) -> support::World {
    office(seed, |t| {
        t.codecs = vec!["PCMA".into(), "PCMU".into()];
        t.dtmf = DtmfMode::Inband;
    })
}

#[test]
fn an_inbound_call_offers_the_phone_no_telephone_events_and_answers_without_them() {
    let mut w = inband_trunk(330);
    let (call, answered) = call_in(&mut w);
    let to_phone = &w.phones[ALICE].calls[answered].sdp_received[0];
    // The trunk's codecs, then those the PBX transcodes to; no events.
    assert_eq!(encodings(to_phone), ["PCMA", "PCMU", "G722", "opus"]);
    let to_provider = w.phones[PROVIDER].calls[call]
        .sdp_received
        .last()
        .expect("answer");
    assert_eq!(encodings(to_provider), ["PCMA", "PCMU"]);
}

#[test]
fn an_outbound_call_offers_the_provider_no_telephone_events() {
    let mut w = inband_trunk(331);
    let (call, answered) = call_out(&mut w);
    let to_provider = &w.phones[PROVIDER].calls[answered].sdp_received[0];
    assert_eq!(encodings(to_provider), ["PCMA", "PCMU"]);
    let to_phone = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("answer");
    assert_eq!(encodings(to_phone), ["PCMA", "PCMU"]);
}
