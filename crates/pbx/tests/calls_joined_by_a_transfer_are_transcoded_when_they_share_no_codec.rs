//! A transfer may join two phones that share no codec: the new party is offered the
//! remaining party's codecs and then those the PBX transcodes to, and when it answers
//! with one the other lacks, the runtime is told to transcode while the remaining party
//! keeps its own codec. When a transfer joins two phones that share a codec again, the
//! runtime is told to stop transcoding.

mod support;

use std::time::Duration;

use pbx::Action;
use sip::Method;
use support::transfer_office::{connect, office};
use support::{sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

fn pcmu_only() -> Vec<(u8, String)> {
    vec![
        (0, "PCMU/8000".into()),
        (101, "telephone-event/8000".into()),
    ]
}

fn opus_only() -> Vec<(u8, String)> {
    vec![
        (111, "opus/48000/2".into()),
        (101, "telephone-event/48000".into()),
    ]
}

/// The Transcode (relay, a's codec, b's codec) and TranscodeStop (relay, None) actions.
fn transcodes(w: &World) -> Vec<(u64, Option<(String, String)>)> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::Transcode { id, a, b, .. } => {
                Some((id.0, Some((a.encoding.clone(), b.encoding.clone()))))
            }
            Action::TranscodeStop { id } => Some((id.0, None)),
            _ => None,
        })
        .collect()
}

fn pair(a: &str, b: &str) -> Option<(String, String)> {
    Some((a.to_owned(), b.to_owned()))
}

/// Bob refers his call `b_call` to Carol (102); Carol answers. Returns Carol's call.
fn blind_transfer_to_carol(w: &mut World, b_call: usize) -> usize {
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL]
            .incoming(0)
            .is_some_and(
                |i| w.phones[CAROL].calls[i].state == CallState::Ringing
            )),
        "Carol's phone rings"
    );
    let c_call = w.phones[CAROL].incoming(0).expect("Carol's call");
    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(2));
    c_call
}

#[test]
fn a_blind_transfer_to_a_phone_without_a_common_codec_starts_transcoding() {
    let mut w = office(600);
    w.phones[ALICE].audio_formats = pcmu_only();
    w.phones[CAROL].audio_formats = opus_only();
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    assert!(transcodes(&w).is_empty(), "Alice and Bob share PCMU");

    let c_call = blind_transfer_to_carol(&mut w, b_call);
    let offer = &w.phones[CAROL].calls[c_call].sdp_received[0];
    let offered = sdp::encodings(offer);
    assert_eq!(offered[0], "PCMU", "Alice's codec first");
    assert!(offered.contains(&"opus".to_owned()), "{offered:?}");

    let relay = w.relays_allocated()[0].id.0;
    assert_eq!(transcodes(&w), [(relay, pair("PCMU", "opus"))]);
    assert_eq!(
        w.phones[ALICE].calls[a_call].got_request(Method::Invite),
        0,
        "Alice keeps sending PCMU, unasked"
    );
    assert_eq!(w.pbx.call_count(), 1, "Alice and Carol talk");
}

#[test]
fn a_blind_transfer_to_a_phone_sharing_the_codec_stops_transcoding() {
    let mut w = office(610);
    w.phones[ALICE].audio_formats = opus_only();
    w.phones[BOB].audio_formats = pcmu_only();
    w.phones[CAROL].audio_formats = opus_only();
    let (_, b_call) = connect(&mut w, ALICE, "101", BOB);
    let relay = w.relays_allocated()[0].id.0;
    assert_eq!(transcodes(&w), [(relay, pair("opus", "PCMU"))]);

    blind_transfer_to_carol(&mut w, b_call);
    assert_eq!(
        transcodes(&w).last(),
        Some(&(relay, None)),
        "Alice and Carol both speak Opus: {:?}",
        transcodes(&w)
    );
    assert_eq!(w.pbx.call_count(), 1);
}

#[test]
fn an_attended_transfer_joining_phones_without_a_common_codec_transcodes_them() {
    let mut w = office(620);
    w.phones[ALICE].audio_formats = pcmu_only();
    w.phones[CAROL].audio_formats = opus_only();
    let (a_call, b_call1) = connect(&mut w, ALICE, "101", BOB);
    let (b_call2, c_call) = connect(&mut w, BOB, "102", CAROL);
    let relays = w.relays_allocated();
    let (first, second) = (relays[0].id.0, relays[1].id.0);
    assert_eq!(
        transcodes(&w),
        [(second, pair("PCMU", "opus"))],
        "Bob's G.711 and Carol's Opus are transcoded"
    );

    let refer_to = w.phones[BOB].refer_to_replacing("102", b_call2);
    w.with(BOB, |p, now| p.refer(now, b_call1, &refer_to, &[]));
    w.run_for(Duration::from_secs(3));

    let carol = &w.phones[CAROL].calls[c_call];
    let reoffer = carol.sdp_received.last().expect("Carol is re-INVITEd");
    let offered = sdp::encodings(reoffer);
    assert_eq!(offered[0], "PCMU", "Alice's codec first");
    assert!(offered.contains(&"opus".to_owned()), "{offered:?}");
    assert_eq!(
        transcodes(&w).last(),
        Some(&(first, pair("PCMU", "opus"))),
        "Alice's relay now transcodes between Alice and Carol: {:?}",
        transcodes(&w)
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    assert_eq!(carol.state, CallState::Confirmed);
}

#[test]
fn a_provider_call_transferred_to_an_opus_phone_is_transcoded_and_the_provider_keeps_pcmu() {
    use support::trunk_calls::{call_in, office as trunk_office, PROVIDER};
    let mut w = trunk_office(630, |t| {
        t.codecs = vec!["PCMU".into()];
        t.dtmf = pbx::dialplan::DtmfMode::Rfc4733;
    });
    let mut carol = support::transfer_office::carol(633);
    carol.audio_formats = opus_only();
    let carol = w.add(carol);
    w.with(carol, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[carol].registered));
    // Alice (phone 0) answers the provider's call and sends it on to Carol.
    let (p_call, alice_call) = call_in(&mut w);
    assert!(transcodes(&w).is_empty());
    w.with(0, |p, now| {
        p.refer(now, alice_call, "<sip:102@office>", &[])
    });
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[carol]
            .incoming(0)
            .is_some()),
        "Carol's phone rings"
    );
    let c_call = w.phones[carol].incoming(0).expect("Carol's call");
    let offered = sdp::encodings(&w.phones[carol].calls[c_call].sdp_received[0]);
    assert_eq!(offered[0], "PCMU", "{offered:?}");
    assert!(offered.contains(&"opus".to_owned()), "{offered:?}");
    w.with(carol, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(2));

    let relay = w.relays_allocated()[0].id.0;
    assert_eq!(transcodes(&w).last(), Some(&(relay, pair("PCMU", "opus"))));
    assert_eq!(
        w.phones[PROVIDER].calls[p_call].got_request(Method::Invite),
        0,
        "the provider is never offered Opus"
    );
    assert_eq!(w.phones[PROVIDER].calls[p_call].state, CallState::Confirmed);
}
