//! Call park: `*70` pressed in a call puts the other party in the first free slot with
//! music, tells the parker the slot and releases it; dialling the slot takes the call;
//! a call nobody takes rings the parker again; an empty slot is refused.

mod support;

use std::time::Duration;

use media::wav_prompts::Prompt;
use pbx::{Action, MediaSource, Side};
use support::transfer_office::{connect, office};
use support::{sdp, CallState, SimPhone, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

fn press_by_info(w: &mut World, phone: usize, idx: usize, keys: &str) {
    for key in keys.chars() {
        let body = SimPhone::dtmf_relay(key, 160);
        w.with(phone, |p, now| {
            p.info(now, idx, "application/dtmf-relay", &body)
        });
        w.run_for(Duration::from_millis(100));
    }
}

/// Alice calls Bob, Bob parks her with `*70`; returns Alice's call index.
fn alice_parked_by_bob(w: &mut World) -> (usize, usize) {
    let (a_call, b_call) = connect(w, ALICE, "101", BOB);
    press_by_info(w, BOB, b_call, "*70");
    (a_call, b_call)
}

#[test]
fn the_parker_hears_the_slot_and_the_parked_party_hears_music() {
    let mut w = office(60);
    let (a_call, b_call) = alice_parked_by_bob(&mut w);
    let relay = w.relays_allocated()[0].id;
    // Alice's phone is on the relay's A side (she called), Bob's on its B side.
    assert!(w.actions.iter().any(|a| matches!(
        a,
        Action::MediaPlay { id, to: Side::A, source: MediaSource::MusicOnHold, .. } if *id == relay
    )));
    let announced = w.actions.iter().find_map(|a| match a {
        Action::Announce {
            id,
            to: Side::B,
            prompts,
            ..
        } if *id == relay => Some(prompts.clone()),
        _ => None,
    });
    let mut expected = vec![Prompt::ParkParkedAt];
    expected.extend(Prompt::digits("*71"));
    assert_eq!(
        announced,
        Some(expected),
        "Bob hears 'parked at star seven one'"
    );
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::Confirmed);
    assert!(
        w.run_until(Duration::from_secs(10), |w| w.phones[BOB].calls[b_call]
            .state
            == CallState::RemoteHungUp),
        "Bob is released after the announcement"
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    let live = w.pbx.live_calls();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].callee, "*71", "the live view shows the slot");
}

#[test]
fn dialling_the_slot_takes_the_call() {
    let mut w = office(61);
    let (a_call, _) = alice_parked_by_bob(&mut w);
    w.run_for(Duration::from_secs(8));
    let c_call = w.with(CAROL, |p, now| p.call(now, "*71"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c_call]
            .state
            == CallState::Confirmed)
    );
    let relay = w.relays_allocated()[0];
    let answer = w.phones[CAROL].calls[c_call]
        .sdp_received
        .last()
        .expect("Carol's answer");
    assert_eq!(
        sdp::audio_addr(answer),
        Some(relay.b),
        "Carol gets the free socket"
    );
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[CAROL].media),
        "Alice's audio goes to Carol"
    );
    assert!(
        w.actions.iter().any(|a| matches!(
            a,
            Action::MediaStop { id, to: Side::A } if *id == relay.id
        )),
        "the music stops"
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    assert_eq!(
        w.phones[ALICE].calls[a_call].got_request(sip::Method::Invite),
        0,
        "Alice is never re-INVITEd"
    );
    // The slot is free again.
    let again = w.with(BOB, |p, now| p.call(now, "*71"));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[BOB].calls[again].final_status(), Some(404));
    // Carol and Alice talk; Carol hangs up and the call ends.
    w.with(CAROL, |p, now| p.hang_up(now, c_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].calls[a_call]
            .state
            == CallState::RemoteHungUp)
    );
    w.settle();
    assert!(w.relays_all_closed());
    let last = w.records().last().map(|r| (*r).clone()).expect("record");
    assert_eq!(last.callee, "*71");
    assert_eq!(last.answered_by.as_deref(), Some("102"));
}

#[test]
fn a_call_nobody_takes_rings_the_parker_again() {
    let mut w = office(62);
    let (a_call, _) = alice_parked_by_bob(&mut w);
    let before = w.phones[BOB].calls.len();
    assert!(
        w.run_until(Duration::from_secs(200), |w| w.phones[BOB].calls.len()
            > before),
        "Bob's phone rings again"
    );
    let ring = w.phones[BOB].incoming(0).expect("Bob's new call");
    assert!(w.now - w.t0 >= Duration::from_secs(180));
    let from = w.phones[BOB].calls[ring].invite.from().expect("From");
    assert_eq!(from.uri.user(), Some("100"), "it is Alice's call");
    w.with(BOB, |p, now| p.answer(now, ring));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[BOB].calls[ring]
            .acks_received
            > 0)
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[BOB].media)
    );
}

#[test]
fn an_empty_slot_and_a_dialled_park_code_are_refused() {
    let mut w = office(63);
    let call = w.with(CAROL, |p, now| p.call(now, "*72"));
    let park = w.with(CAROL, |p, now| p.call(now, "*70"));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[CAROL].calls[call].final_status(), Some(404));
    assert_eq!(w.phones[CAROL].calls[park].final_status(), Some(403));
}

#[test]
fn the_parked_party_hanging_up_frees_the_slot() {
    let mut w = office(64);
    let (a_call, _) = alice_parked_by_bob(&mut w);
    w.run_for(Duration::from_secs(8));
    w.with(ALICE, |p, now| p.hang_up(now, a_call));
    w.run_for(Duration::from_secs(2));
    assert!(w.pbx.live_calls().is_empty());
    let c_call = w.with(CAROL, |p, now| p.call(now, "*71"));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[CAROL].calls[c_call].final_status(), Some(404));
    w.settle();
    assert!(w.relays_all_closed());
}

#[test]
fn a_blind_transfer_to_star_seventy_parks_the_call() {
    let mut w = office(65);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:*70@office>", &[]));
    assert!(
        w.run_until(Duration::from_secs(10), |w| w.phones[BOB].calls[b_call]
            .state
            == CallState::RemoteHungUp)
    );
    assert_eq!(
        w.phones[BOB].sipfrags(b_call).last().map(String::as_str),
        Some("SIP/2.0 200 OK")
    );
    let c_call = w.with(CAROL, |p, now| p.call(now, "*71"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c_call]
            .state
            == CallState::Confirmed)
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
}

#[test]
fn the_waiting_party_refreshing_its_session_is_answered_and_keeps_waiting() {
    let mut w = office(66);
    let (a_call, _) = alice_parked_by_bob(&mut w);
    w.run_for(Duration::from_secs(8));
    let moved: std::net::SocketAddr = "192.168.1.10:4600".parse().unwrap();
    w.with(ALICE, |p, now| {
        p.reinvite(now, a_call, media::sdp::Direction::SendRecv, moved)
    });
    w.run_for(Duration::from_secs(2));
    let relay = w.relays_allocated()[0];
    let ok = w.phones[ALICE].calls[a_call]
        .responses
        .iter()
        .find(|r| r.cseq().is_some_and(|c| c.method == sip::Method::Invite))
        .expect("the re-INVITE is answered");
    assert_eq!(ok.status, 200);
    let answer = sdp::parse(&ok.body);
    assert_eq!(
        sdp::audio_addr(&answer),
        Some(relay.a),
        "at Alice's own relay socket"
    );
    assert_eq!(w.relay_peers(Side::A).last().copied(), Some(moved));
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    let c_call = w.with(CAROL, |p, now| p.call(now, "*71"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c_call]
            .state
            == CallState::Confirmed),
        "the call is still parked"
    );
}

#[test]
fn a_call_transcoded_for_the_parker_is_relayed_as_is_to_a_retriever_with_its_codec() {
    let mut w = office(67);
    w.phones[ALICE].audio_formats = vec![
        (111, "opus/48000/2".into()),
        (101, "telephone-event/48000".into()),
    ];
    w.phones[BOB].audio_formats = vec![
        (0, "PCMU/8000".into()),
        (101, "telephone-event/8000".into()),
    ];
    w.phones[CAROL].audio_formats = vec![
        (111, "opus/48000/2".into()),
        (0, "PCMU/8000".into()),
        (101, "telephone-event/48000".into()),
    ];
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    let relay = w.relays_allocated()[0];
    assert!(
        w.actions
            .iter()
            .any(|a| matches!(a, Action::Transcode { id, .. } if *id == relay.id)),
        "Alice's Opus and Bob's PCMU are transcoded"
    );
    press_by_info(&mut w, BOB, b_call, "*70");
    w.run_for(Duration::from_secs(8));
    let c_call = w.with(CAROL, |p, now| p.call(now, "*71"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c_call]
            .state
            == CallState::Confirmed)
    );
    let answer = w.phones[CAROL].calls[c_call]
        .sdp_received
        .last()
        .expect("answer");
    assert_eq!(
        sdp::encodings(answer).first().map(String::as_str),
        Some("opus")
    );
    assert!(w
        .actions
        .iter()
        .any(|a| matches!(a, Action::TranscodeStop { id } if *id == relay.id)));
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
}

#[test]
fn dialling_star_seventy_parks_the_call_the_phone_holds() {
    let mut w = office(68);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    let bob_media = w.phones[BOB].media;
    w.with(BOB, |p, now| {
        p.reinvite(now, b_call, media::sdp::Direction::SendOnly, bob_media)
    });
    w.run_for(Duration::from_secs(1));
    let park = w.with(BOB, |p, now| p.call(now, "*70"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[BOB].calls[park].state
            == CallState::Confirmed),
        "the *70 call is answered"
    );
    let relay = w.relays_allocated()[0];
    let answer = w.phones[BOB].calls[park]
        .sdp_received
        .last()
        .expect("answer");
    assert_eq!(
        sdp::audio_addr(answer),
        Some(relay.b),
        "it hears the slot on Bob's socket"
    );
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[BOB].calls[b_call]
            .state
            == CallState::RemoteHungUp),
        "the held call ends at once"
    );
    assert!(w.actions.iter().any(|a| matches!(
        a,
        Action::Announce { id, to: Side::B, .. } if *id == relay.id
    )));
    assert!(
        w.run_until(Duration::from_secs(10), |w| w.phones[BOB].calls[park].state
            == CallState::RemoteHungUp),
        "and the *70 call after the announcement"
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    // Alice was held: she is asked to send again, two-way, from her own relay socket.
    let offer = w.phones[ALICE].calls[a_call]
        .sdp_received
        .last()
        .expect("re-INVITE");
    assert_eq!(sdp::audio_addr(offer), Some(relay.a));
    assert_eq!(sdp::direction(offer), Some(media::sdp::Direction::SendRecv));
    let c_call = w.with(CAROL, |p, now| p.call(now, "*71"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c_call]
            .state
            == CallState::Confirmed)
    );
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[CAROL].media)
    );
    w.with(CAROL, |p, now| p.hang_up(now, c_call));
    w.settle();
    assert!(w.relays_all_closed());
    assert_eq!(w.pbx.call_count(), 0);
}
