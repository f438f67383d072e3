//! Blind transfer (RFC 3515 REFER): whoever refers leaves at once with the NOTIFYs and a
//! BYE; the remaining party keeps its dialog and relay socket while the target rings with
//! the remaining party's name, and the relay is re-pointed when the target answers.

mod support;

use std::time::Duration;

use pbx::{Outcome, Side};
use sip::Method;
use support::transfer_office::{connect, office};
use support::{sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

/// Waits for Carol's phone to ring and returns the call's index there.
fn carol_rings(w: &mut World) -> usize {
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL]
            .incoming(0)
            .is_some_and(
                |i| w.phones[CAROL].calls[i].state == CallState::Ringing
            )),
        "Carol's phone rings"
    );
    w.phones[CAROL].incoming(0).expect("Carol's call")
}

fn caller_of(w: &World, phone: usize, idx: usize) -> sip::NameAddr {
    w.phones[phone].calls[idx].invite.from().expect("From")
}

#[test]
fn the_callee_transfers_the_caller_to_carol() {
    let mut w = office(10);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    let c_call = carol_rings(&mut w);
    w.run_for(Duration::from_secs(1));

    let bob = &w.phones[BOB];
    assert!(
        bob.calls[b_call].responses.iter().any(|r| r.status == 202),
        "REFER accepted"
    );
    assert_eq!(
        bob.sipfrags(b_call),
        vec!["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]
    );
    assert_eq!(
        bob.calls[b_call].state,
        CallState::RemoteHungUp,
        "Bob is free"
    );

    let from = caller_of(&w, CAROL, c_call);
    assert_eq!(from.uri.user(), Some("100"), "Carol sees Alice's number");
    assert_eq!(from.display_name.as_deref(), Some("Alice"));
    let relays = w.relays_allocated();
    assert_eq!(relays.len(), 1, "the call's relay is re-used");
    let offer = &w.phones[CAROL].calls[c_call].sdp_received[0];
    assert_eq!(
        sdp::audio_addr(offer),
        Some(relays[0].b),
        "Carol is offered Bob's relay socket"
    );

    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[CAROL].media),
        "the relay sends Alice's audio to Carol"
    );
    let alice_media = w.phones[ALICE].media;
    assert!(
        w.relay_peers(Side::A).iter().all(|p| *p == alice_media),
        "Alice's side still leads to Alice"
    );
    let alice = &w.phones[ALICE].calls[a_call];
    assert_eq!(alice.state, CallState::Confirmed, "Alice stays in her call");
    assert_eq!(
        alice.got_request(Method::Invite),
        0,
        "Alice is not re-INVITEd"
    );

    w.with(ALICE, |p, now| p.hang_up(now, a_call));
    w.settle();
    assert_eq!(w.phones[CAROL].calls[c_call].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[0].callee, "101");
    assert!(
        records[0].reason.contains("transferred"),
        "{:?}",
        records[0]
    );
    assert_eq!(records[1].caller_number, "100");
    assert_eq!(records[1].callee, "102");
    assert_eq!(records[1].answered_by.as_deref(), Some("102"));
    assert_eq!(records[1].outcome, Outcome::Answered);
}

#[test]
fn the_caller_transfers_the_callee_who_keeps_its_relay_socket() {
    let mut w = office(20);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(ALICE, |p, now| {
        p.refer(now, a_call, "<sip:102@office>", &[])
    });
    let c_call = carol_rings(&mut w);

    assert_eq!(
        w.phones[ALICE].calls[a_call].state,
        CallState::RemoteHungUp,
        "Alice is free"
    );
    let from = caller_of(&w, CAROL, c_call);
    assert_eq!(from.uri.user(), Some("101"), "Carol sees Bob's number");
    assert_eq!(from.display_name.as_deref(), Some("Bob"));
    let relay = w.relays_allocated()[0];
    let offer = &w.phones[CAROL].calls[c_call].sdp_received[0];
    assert_eq!(
        sdp::audio_addr(offer),
        Some(relay.a),
        "Carol takes Alice's relay socket; Bob keeps his"
    );

    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.relay_peers(Side::A).last().copied(),
        Some(w.phones[CAROL].media),
        "the runtime's side A (Alice's socket) now leads to Carol"
    );
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[BOB].media),
        "Bob's side still leads to Bob"
    );
    assert_eq!(w.phones[BOB].calls[b_call].got_request(Method::Invite), 0);

    // Bob and Carol talk; Carol hangs up and Bob's call ends.
    w.with(CAROL, |p, now| p.hang_up(now, c_call));
    w.settle();
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[1].caller_number, "101");
    assert_eq!(records[1].callee, "102");
}

#[test]
fn a_target_that_never_answers_releases_the_remaining_party() {
    let mut w = office(30);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    let c_call = carol_rings(&mut w);
    w.run_for(Duration::from_secs(70));
    assert_eq!(w.phones[CAROL].calls[c_call].state, CallState::Cancelled);
    assert_eq!(
        w.phones[ALICE].calls[a_call].state,
        CallState::RemoteHungUp,
        "Alice is hung up once Carol's phone stops ringing"
    );
    w.settle();
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let last = *w.records().last().expect("a record");
    assert_eq!(last.outcome, Outcome::NoAnswer);
    assert_eq!(last.callee, "102");
}

#[test]
fn the_remaining_party_hanging_up_stops_the_target_ringing() {
    let mut w = office(40);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    let c_call = carol_rings(&mut w);
    w.with(ALICE, |p, now| p.hang_up(now, a_call));
    w.settle();
    assert_eq!(w.phones[CAROL].calls[c_call].state, CallState::Cancelled);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    assert_eq!(
        w.records().last().map(|r| r.outcome),
        Some(Outcome::Cancelled)
    );
}

#[test]
fn music_on_hold_stops_when_the_held_party_is_transferred() {
    use media::sdp::Direction;
    use pbx::Action;
    let mut w = office(50);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    // Bob holds Alice (she hears music), then transfers her, as desk phones do.
    let media = w.phones[BOB].media;
    w.with(BOB, |p, now| {
        p.reinvite(now, b_call, Direction::SendOnly, media)
    });
    w.run_for(Duration::from_secs(1));
    let music = |w: &World| {
        w.actions
            .iter()
            .filter_map(|a| match a {
                Action::MediaPlay { to, .. } => Some((true, *to)),
                Action::MediaStop { to, .. } => Some((false, *to)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(music(&w), vec![(true, Side::A)], "Alice hears music");
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    let c_call = carol_rings(&mut w);
    assert!(
        music(&w).contains(&(false, Side::A)),
        "the music stops for Alice: {:?}",
        music(&w)
    );
    // Alice answered the hold recvonly: after Bob's hold she is asked to send again.
    let alice = &w.phones[ALICE].calls[a_call];
    assert_eq!(alice.got_request(Method::Invite), 2);
    let offer = alice.sdp_received.last().expect("the resume offer");
    assert_eq!(sdp::direction(offer), Some(Direction::SendRecv));
    assert_eq!(sdp::audio_addr(offer), Some(w.relays_allocated()[0].a));
    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(1));
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
}

#[test]
fn a_held_party_refusing_to_resume_ends_the_transfer_cleanly() {
    use media::sdp::Direction;
    let mut w = office(60);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    let media = w.phones[BOB].media;
    w.with(BOB, |p, now| {
        p.reinvite(now, b_call, Direction::SendOnly, media)
    });
    w.run_for(Duration::from_secs(1));
    // Alice's phone will leave the PBX's resume re-INVITE for the test to refuse.
    w.phones[ALICE].auto_answer_reinvite = false;
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    let c_call = carol_rings(&mut w);
    let (idx, key) = w.phones[ALICE].pending_reinvites.pop().expect("resume");
    assert_eq!(idx, a_call);
    let reinvite = w.phones[ALICE].calls[a_call]
        .requests
        .last()
        .cloned()
        .expect("the re-INVITE");
    w.with(ALICE, |p, now| {
        let refused = sip::Response::for_request(&reinvite, 488, "Not Acceptable Here");
        p.ep.send_response(now, &key, refused).expect("488 sent");
    });
    w.settle();
    assert_eq!(w.phones[CAROL].calls[c_call].state, CallState::Cancelled);
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    assert_eq!(w.records().last().map(|r| r.outcome), Some(Outcome::Failed));
}

#[test]
fn the_target_is_offered_the_codec_in_use_first() {
    let mut w = office(70);
    // Bob's phone does only A-law, so Alice has been sending PCMA though she offered
    // PCMU first.
    w.phones[BOB].audio_formats = vec![(8, "PCMA/8000".into())];
    let (_, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    let c_call = carol_rings(&mut w);
    let offer = &w.phones[CAROL].calls[c_call].sdp_received[0];
    let audio = offer.media.first().expect("audio");
    assert_eq!(
        audio.formats.first().map(String::as_str),
        Some("8"),
        "PCMA first: {offer}"
    );
    assert!(
        audio.formats.iter().any(|f| f == "0"),
        "PCMU still offered: {offer}"
    );
}

#[test]
fn a_target_answering_another_codec_has_the_remaining_party_switch() {
    let mut w = office(80);
    w.phones[BOB].audio_formats = vec![(8, "PCMA/8000".into())];
    w.phones[CAROL].audio_formats = vec![(0, "PCMU/8000".into())];
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    let c_call = carol_rings(&mut w);
    assert_eq!(
        w.phones[ALICE].calls[a_call].got_request(Method::Invite),
        0,
        "nothing to change while Carol rings"
    );
    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(2));
    let alice = &w.phones[ALICE].calls[a_call];
    assert_eq!(alice.got_request(Method::Invite), 1, "Alice switches codec");
    let offer = alice.sdp_received.last().expect("offer");
    let audio = offer.media.first().expect("audio");
    assert_eq!(
        audio.formats.first().map(String::as_str),
        Some("0"),
        "{offer}"
    );
    assert_eq!(sdp::audio_addr(offer), Some(w.relays_allocated()[0].a));
    assert_eq!(alice.state, CallState::Confirmed);
}

#[test]
fn a_target_answering_the_codec_in_use_leaves_the_remaining_party_alone() {
    let mut w = office(90);
    w.phones[BOB].audio_formats = vec![(8, "PCMA/8000".into())];
    // Carol's phone answers in the order it was offered: PCMA first.
    w.phones[CAROL].audio_formats = vec![(8, "PCMA/8000".into()), (0, "PCMU/8000".into())];
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    let c_call = carol_rings(&mut w);
    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[ALICE].calls[a_call].got_request(Method::Invite), 0);
}
