//! A trunk in `info` DTMF mode: key presses travel as SIP INFO inside the call
//! (application/dtmf-relay, or application/dtmf with the digit alone), relayed from
//! the phone to the provider and back like any other in-dialog request, and RFC 4733
//! telephone-events are left out of the SDP on both sides so nobody sends them instead.

mod support;

use std::time::Duration;

use pbx::dialplan::DtmfMode;
use sip::Method;
use support::sdp::encodings;
use support::trunk_calls::{call_in, call_out, office, ALICE, PROVIDER};
use support::SimPhone;

fn info_trunk(seed: u64) -> support::World {
    office(seed, |t| {
        t.codecs = vec!["PCMU".into(), "PCMA".into()];
        t.dtmf = DtmfMode::Info;
    })
}

#[test]
fn a_phones_dtmf_relay_info_reaches_the_provider_and_its_answer_comes_back() {
    let mut w = info_trunk(320);
    let (call, answered) = call_in(&mut w);
    let body = SimPhone::dtmf_relay('5', 160);
    w.with(ALICE, |p, now| {
        p.info(now, answered, "application/dtmf-relay", &body)
    });
    w.run_for(Duration::from_secs(2));
    let provider = &w.phones[PROVIDER].calls[call];
    let info = provider
        .requests
        .iter()
        .find(|r| r.method == Method::Info)
        .expect("the INFO reaches the provider");
    assert_eq!(info.content_type(), Some("application/dtmf-relay"));
    assert_eq!(info.body, body.as_bytes());
    let answered_ok = w.phones[ALICE].calls[answered]
        .responses
        .iter()
        .any(|r| r.status == 200 && r.cseq().is_some_and(|c| c.method == Method::Info));
    assert!(answered_ok, "the provider's 200 comes back to the phone");
}

#[test]
fn a_providers_dtmf_info_reaches_the_phone() {
    let mut w = info_trunk(321);
    let (call, answered) = call_out(&mut w);
    w.with(PROVIDER, |p, now| {
        p.info(now, answered, "application/dtmf", "#")
    });
    w.run_for(Duration::from_secs(2));
    let info = w.phones[ALICE].calls[call]
        .requests
        .iter()
        .find(|r| r.method == Method::Info)
        .expect("the INFO reaches Alice");
    assert_eq!(info.content_type(), Some("application/dtmf"));
    assert_eq!(info.body, b"#");
    assert!(w.phones[PROVIDER].calls[answered]
        .responses
        .iter()
        .any(|r| r.status == 200));
}

#[test]
fn no_side_is_offered_telephone_events() {
    let mut w = info_trunk(322);
    let (call, answered) = call_in(&mut w);
    let to_phone = &w.phones[ALICE].calls[answered].sdp_received[0];
    // The trunk's codecs, then those the PBX transcodes to; no events.
    assert_eq!(encodings(to_phone), ["PCMU", "PCMA", "G722", "opus"]);
    let to_provider = w.phones[PROVIDER].calls[call]
        .sdp_received
        .last()
        .expect("answer");
    assert_eq!(encodings(to_provider), ["PCMU", "PCMA"]);
}
