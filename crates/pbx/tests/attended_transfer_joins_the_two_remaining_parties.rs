//! Attended transfer (REFER with Replaces, RFC 3891 / RFC 5589 §7): Bob talks to Alice
//! and to Carol, both through the PBX, and refers one call to the other. The PBX joins
//! Alice and Carol on the first call's relay (Carol is re-INVITEd towards Bob's old
//! socket, with Alice's identity), closes the second relay, hangs Bob up on both calls,
//! and records each original call as transferred.

mod support;

use std::time::Duration;

use pbx::{Action, Side};
use sip::Method;
use support::transfer_office::{connect, office};
use support::{sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

/// Bob refers `bob_call1` to Carol, replacing `bob_call2`.
fn refer_replacing(w: &mut World, bob_call1: usize, bob_call2: usize) {
    let refer_to = w.phones[BOB].refer_to_replacing("102", bob_call2);
    w.with(BOB, |p, now| p.refer(now, bob_call1, &refer_to, &[]));
    w.run_for(Duration::from_secs(3));
}

fn bob_is_released(w: &World, bob_call1: usize, bob_call2: usize) {
    let bob = &w.phones[BOB];
    assert!(bob.calls[bob_call1]
        .responses
        .iter()
        .any(|r| r.status == 202));
    assert_eq!(
        bob.sipfrags(bob_call1),
        vec!["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]
    );
    assert_eq!(bob.calls[bob_call1].state, CallState::RemoteHungUp);
    assert_eq!(bob.calls[bob_call2].state, CallState::RemoteHungUp);
}

/// Alice and Carol talk on the first relay, then Alice hangs up and everything ends.
fn alice_and_carol_talk_then_hang_up(w: &mut World, alice_call: usize, carol_call: usize) {
    let relays = w.relays_allocated();
    assert_eq!(relays.len(), 2);
    let (first, second) = (relays[0], relays[1]);
    let carol = &w.phones[CAROL].calls[carol_call];
    assert_eq!(carol.state, CallState::Confirmed);
    let reinvite = carol
        .requests
        .iter()
        .rfind(|r| r.method == Method::Invite)
        .expect("Carol is re-INVITEd");
    let identity = reinvite
        .headers
        .get("P-Asserted-Identity")
        .expect("with the new identity");
    assert!(
        identity.contains("Alice") && identity.contains("sip:100@"),
        "{identity}"
    );
    assert_eq!(
        carol.sdp_received.last().and_then(sdp::audio_addr),
        Some(first.b),
        "Carol now sends to the socket Bob used in Alice's call"
    );
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[CAROL].media),
        "the first relay's Bob side leads to Carol"
    );
    assert!(
        w.actions
            .iter()
            .any(|a| matches!(a, Action::RelayClose { id } if *id == second.id)),
        "the second call's relay is closed"
    );
    let alice = &w.phones[ALICE].calls[alice_call];
    assert_eq!(alice.state, CallState::Confirmed);
    assert_eq!(alice.got_request(Method::Invite), 0, "Alice is not asked");
    let update = alice
        .requests
        .iter()
        .find(|r| r.method == Method::Update)
        .expect("Alice is told who she talks to now");
    let identity = update
        .headers
        .get("P-Asserted-Identity")
        .unwrap_or_default();
    assert!(
        identity.contains("Carol") && identity.contains("sip:102@"),
        "{identity}"
    );
    assert!(update.body.is_empty(), "the UPDATE changes no media");
    assert_eq!(w.pbx.call_count(), 1, "one call left: Alice and Carol");

    w.with(ALICE, |p, now| p.hang_up(now, alice_call));
    w.settle();
    assert_eq!(
        w.phones[CAROL].calls[carol_call].state,
        CallState::RemoteHungUp
    );
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 3, "{records:?}");
    let transferred = records
        .iter()
        .filter(|r| r.reason.contains("transferred"))
        .count();
    assert_eq!(transferred, 2, "both original calls say transferred");
    let joined = records.last().expect("the joined call's record");
    assert_eq!(joined.caller_number, "100");
    assert_eq!(joined.answered_by.as_deref(), Some("102"));
    assert_eq!(joined.reason, "normal clearing");
}

#[test]
fn bob_calls_carol_from_alices_call_and_joins_them() {
    let mut w = office(100);
    let (alice_call, bob_call1) = connect(&mut w, ALICE, "101", BOB);
    let (bob_call2, carol_call) = connect(&mut w, BOB, "102", CAROL);
    refer_replacing(&mut w, bob_call1, bob_call2);
    bob_is_released(&w, bob_call1, bob_call2);
    alice_and_carol_talk_then_hang_up(&mut w, alice_call, carol_call);
}

#[test]
fn bob_answered_both_calls_and_joins_them() {
    let mut w = office(110);
    let (alice_call, bob_call1) = connect(&mut w, ALICE, "101", BOB);
    let (carol_call, bob_call2) = connect(&mut w, CAROL, "101", BOB);
    refer_replacing(&mut w, bob_call1, bob_call2);
    bob_is_released(&w, bob_call1, bob_call2);
    alice_and_carol_talk_then_hang_up(&mut w, alice_call, carol_call);
}

#[test]
fn replacing_a_call_the_pbx_does_not_hold_fails_and_both_calls_go_on() {
    let mut w = office(120);
    let (alice_call, bob_call1) = connect(&mut w, ALICE, "101", BOB);
    let (bob_call2, carol_call) = connect(&mut w, BOB, "102", CAROL);
    let refer_to = "<sip:102@office?Replaces=nope%3Bto-tag%3Dx%3Bfrom-tag%3Dy>";
    w.with(BOB, |p, now| p.refer(now, bob_call1, refer_to, &[]));
    w.run_for(Duration::from_secs(3));
    assert_eq!(
        w.phones[BOB].sipfrags(bob_call1),
        vec![
            "SIP/2.0 100 Trying",
            "SIP/2.0 481 Call/Transaction Does Not Exist"
        ]
    );
    for (phone, call) in [
        (ALICE, alice_call),
        (BOB, bob_call1),
        (BOB, bob_call2),
        (CAROL, carol_call),
    ] {
        assert_eq!(w.phones[phone].calls[call].state, CallState::Confirmed);
    }
    assert_eq!(w.pbx.call_count(), 2);
}

#[test]
fn referring_while_carol_still_rings_rings_her_again_for_alice() {
    let mut w = office(130);
    let (alice_call, bob_call1) = connect(&mut w, ALICE, "101", BOB);
    let bob_call2 = w.with(BOB, |p, now| p.call(now, "102"));
    assert!(
        w.run_until(Duration::from_secs(3), |w| w.phones[BOB].calls[bob_call2]
            .state
            == CallState::Ringing)
    );
    // Bob's phone names the ringing call by its early dialog.
    let early = &w.phones[BOB].calls[bob_call2];
    let ringing = early
        .invite_responses
        .iter()
        .find(|r| r.status == 180)
        .expect("180");
    let pbx_tag = ringing
        .to()
        .and_then(|t| t.tag().map(str::to_owned))
        .expect("To tag");
    let value = format!(
        "{}%3Bto-tag%3D{pbx_tag}%3Bfrom-tag%3D{}",
        early.call_id, early.local_tag
    );
    let refer_to = format!("<sip:102@office?Replaces={value}>");
    w.with(BOB, |p, now| p.refer(now, bob_call1, &refer_to, &[]));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.phones[BOB].calls[bob_call2].state,
        CallState::Failed(487),
        "Bob's consultation call is cancelled"
    );
    assert_eq!(
        w.phones[BOB].calls[bob_call1].state,
        CallState::RemoteHungUp
    );
    let again = w.phones[CAROL].incoming(1).expect("Carol rings again");
    let from = w.phones[CAROL].calls[again].invite.from().expect("From");
    assert_eq!(from.uri.user(), Some("100"), "now for Alice");
    w.with(CAROL, |p, now| p.answer(now, again));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.phones[ALICE].calls[alice_call].state,
        CallState::Confirmed
    );
    assert_eq!(w.phones[CAROL].calls[again].state, CallState::Confirmed);
    assert_eq!(w.pbx.call_count(), 1);
}

#[test]
fn alice_held_while_bob_consulted_is_joined_two_way() {
    use media::sdp::Direction;
    let mut w = office(140);
    let (alice_call, bob_call1) = connect(&mut w, ALICE, "101", BOB);
    let media = w.phones[BOB].media;
    w.with(BOB, |p, now| {
        p.reinvite(now, bob_call1, Direction::SendOnly, media)
    });
    w.run_for(Duration::from_secs(1));
    let (bob_call2, carol_call) = connect(&mut w, BOB, "102", CAROL);
    refer_replacing(&mut w, bob_call1, bob_call2);
    let offer = w.phones[CAROL].calls[carol_call]
        .sdp_received
        .last()
        .expect("Carol's re-INVITE offer");
    assert_eq!(
        sdp::direction(offer),
        Some(Direction::SendRecv),
        "Alice's recvonly answer to the hold is not what Carol gets"
    );
    let alice = &w.phones[ALICE].calls[alice_call];
    assert_eq!(alice.state, CallState::Confirmed);
    assert_eq!(
        alice.got_request(Method::Invite),
        2,
        "Bob's hold, then the PBX asking her to send again"
    );
    let resume = alice.sdp_received.last().expect("resume offer");
    assert_eq!(sdp::direction(resume), Some(Direction::SendRecv));
    assert_eq!(
        sdp::audio_addr(resume),
        Some(w.relays_allocated()[0].a),
        "still her own relay socket"
    );
}
