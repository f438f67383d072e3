//! Alice calls Bob, Bob answers, they talk, and either of them hangs up: both legs end,
//! media is anchored at the relay throughout, and the call record says answered.

mod support;

use std::time::Duration;

use pbx::{Action, HangupBy, Outcome, PbxEvent, Side};
use sip::Method;
use support::{alice, bob, sdp, CallState, World};

const TALK: Duration = Duration::from_secs(30);

/// Registers Alice and Bob, and has Alice call Bob and Bob answer. Returns the world and
/// the call's index on each phone.
fn answered_call(seed: u64) -> (World, usize, usize) {
    let mut w = World::lan(seed);
    let a = w.add(alice(seed + 1));
    let b = w.add(bob(seed + 2));
    w.register_all();
    let call = w.with(a, |p, now| p.call(now, "101"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[1]
            .incoming(0)
            .is_some_and(|i| w.phones[1].calls[i].state == CallState::Ringing)),
        "Bob's phone rings"
    );
    assert!(
        w.run_until(Duration::from_secs(1), |w| w.phones[0].calls[call].state
            == CallState::Ringing),
        "Alice hears ringing"
    );
    let incoming = w.phones[b].incoming(0).expect("incoming call");
    w.with(b, |p, now| p.answer(now, incoming));
    assert!(
        w.run_until(Duration::from_secs(5), |w| {
            w.phones[0].calls[call].state == CallState::Confirmed
                && w.phones[1].calls[incoming].acks_received > 0
        }),
        "Alice is connected and Bob got the ACK"
    );
    (w, call, incoming)
}

#[test]
fn sdp_each_phone_sees_points_at_the_relay_and_never_at_the_other_phone() {
    let (w, call, incoming) = answered_call(1);
    let relays = w.relays_allocated();
    assert_eq!(relays.len(), 1, "one relay for the call");
    let relay = relays[0];
    let (alice, bob) = (&w.phones[0], &w.phones[1]);

    let offer_at_bob = &bob.calls[incoming].sdp_received;
    assert_eq!(offer_at_bob.len(), 1, "Bob saw the offer once");
    assert_eq!(sdp::audio_addr(&offer_at_bob[0]), Some(relay.b));
    let answer_at_alice = alice.calls[call]
        .sdp_received
        .last()
        .expect("Alice got an answer");
    assert_eq!(sdp::audio_addr(answer_at_alice), Some(relay.a));

    let bob_ip = bob.media.ip().to_string();
    let alice_ip = alice.media.ip().to_string();
    let bob_text = String::from_utf8_lossy(&bob.calls[incoming].invite.body).into_owned();
    assert!(
        !bob_text.contains(&alice_ip),
        "Alice's address leaked to Bob:\n{bob_text}"
    );
    for r in &alice.calls[call].invite_responses {
        let text = String::from_utf8_lossy(&r.body);
        assert!(
            !text.contains(&bob_ip),
            "Bob's address leaked to Alice:\n{text}"
        );
    }
}

#[test]
fn relay_is_pointed_at_each_phones_real_address() {
    let (w, _, _) = answered_call(2);
    assert_eq!(w.relay_peers(Side::A), vec![w.phones[0].media]);
    assert_eq!(w.relay_peers(Side::B), vec![w.phones[1].media]);
    let relay = w.relays_allocated()[0];
    assert!(
        w.actions.iter().all(|a| match a {
            Action::RelayPeer { id, .. } => *id == relay.id,
            _ => true,
        }),
        "relay actions name the call's relay"
    );
}

#[test]
fn caller_hangs_up_and_both_legs_end() {
    let (mut w, call, incoming) = answered_call(3);
    w.run_for(TALK);
    w.with(0, |p, now| p.hang_up(now, call));
    w.settle();

    let (alice, bob) = (&w.phones[0], &w.phones[1]);
    assert!(
        alice.calls[call].responses.iter().any(|r| r.status == 200),
        "Alice's BYE answered 200"
    );
    assert_eq!(bob.calls[incoming].got_request(Method::Bye), 1);
    assert_eq!(bob.calls[incoming].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());

    let records = w.records();
    assert_eq!(records.len(), 1, "one record: {records:?}");
    let r = records[0];
    assert_eq!(r.outcome, Outcome::Answered);
    assert_eq!(r.hangup_by, Some(HangupBy::Caller));
    assert_eq!(r.caller_number, "100");
    assert_eq!(r.callee, "101");
    assert_eq!(r.answered_by.as_deref(), Some("101"));
    assert_eq!(r.call_id, alice.calls[call].call_id);
    let answered_at = r.answered_at.expect("answered_at");
    assert!(r.started_at <= answered_at);
    assert!(
        r.ended_at >= answered_at + TALK.as_secs(),
        "ended_at {} after a {TALK:?} talk from {answered_at}",
        r.ended_at
    );
}

#[test]
fn callee_hangs_up_and_both_legs_end() {
    let (mut w, call, incoming) = answered_call(4);
    w.run_for(TALK);
    w.with(1, |p, now| p.hang_up(now, incoming));
    w.settle();

    let (alice, bob) = (&w.phones[0], &w.phones[1]);
    assert!(
        bob.calls[incoming]
            .responses
            .iter()
            .any(|r| r.status == 200),
        "Bob's BYE answered 200"
    );
    assert_eq!(alice.calls[call].got_request(Method::Bye), 1);
    assert_eq!(alice.calls[call].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());

    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert_eq!(records[0].hangup_by, Some(HangupBy::Callee));
    assert!(records[0].answered_at.is_some());
}

#[test]
fn events_follow_the_call_from_ringing_to_ended() {
    let (mut w, call, _) = answered_call(5);
    w.with(0, |p, now| p.hang_up(now, call));
    w.settle();
    let call_id = w.phones[0].calls[call].call_id.clone();
    let events: Vec<&PbxEvent> = w
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Event(e @ PbxEvent::CallRinging { .. })
            | Action::Event(e @ PbxEvent::CallAnswered { .. })
            | Action::Event(e @ PbxEvent::CallEnded { .. }) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(
        events,
        vec![
            &PbxEvent::CallRinging {
                call_id: call_id.clone(),
                caller: "100".into(),
                callee: "101".into(),
                caller_name: Some("Alice".into()),
                business_name: None,
            },
            &PbxEvent::CallAnswered {
                call_id: call_id.clone(),
                answered_by: "101".into(),
            },
            &PbxEvent::CallEnded {
                call_id,
                outcome: Outcome::Answered,
            },
        ]
    );
}
