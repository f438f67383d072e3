//! A ring group in order rings one member at a time, each for its own ring time, moves on
//! at once when a member is busy, and when everyone has rung out the call goes to the
//! group's final destination: another extension, or one that is not available yet.

mod support;

use std::time::Duration;

use pbx::dialplan::{Destination, DialPlan, RingStrategy};
use pbx::{Direction, HangupBy, Outcome};
use sip::Method;
use support::trunk_office::{carol, group};
use support::{alice, bob, CallState, World};

const CAROL: usize = 0;
const ALICE: usize = 1;
const BOB: usize = 2;

/// Group 600 rings Bob for 15 s, then Alice for 10 s, then `final_destination`.
fn office(seed: u64, final_destination: Option<Destination>) -> World {
    let mut w = World::lan(seed);
    w.add(carol(seed + 1));
    w.add(alice(seed + 2));
    w.add(bob(seed + 3));
    w.register_all();
    w.install(DialPlan {
        ring_groups: vec![group(
            "600",
            RingStrategy::InOrder,
            &[("101", 15), ("100", 10)],
            final_destination,
        )],
        ..DialPlan::default()
    });
    w
}

fn rings(w: &World, phone: usize, n: usize) -> bool {
    w.phones[phone]
        .incoming(n)
        .is_some_and(|i| w.phones[phone].calls[i].state == CallState::Ringing)
}

#[test]
fn each_member_rings_for_its_time_then_the_final_extension_answers() {
    let mut w = office(50, Some(Destination::Extension("101".into())));
    let call = w.with(CAROL, |p, now| p.call(now, "600"));
    assert!(w.run_until(Duration::from_secs(2), |w| rings(w, BOB, 0)));
    assert!(
        w.phones[ALICE].incoming(0).is_none(),
        "Alice waits her turn"
    );

    w.run_for(Duration::from_secs(14));
    assert!(rings(&w, BOB, 0), "Bob still rings just before his 15 s");
    assert!(w.phones[ALICE].incoming(0).is_none());

    w.run_for(Duration::from_secs(2));
    let bob_first = w.phones[BOB].incoming(0).expect("first call");
    assert_eq!(
        w.phones[BOB].calls[bob_first].state,
        CallState::Cancelled,
        "Bob's turn is over"
    );
    assert!(rings(&w, ALICE, 0), "now Alice rings");

    w.run_for(Duration::from_secs(8));
    assert!(rings(&w, ALICE, 0), "Alice rings for her 10 s");
    w.run_for(Duration::from_secs(3));
    let alice_call = w.phones[ALICE].incoming(0).expect("Alice's call");
    assert_eq!(
        w.phones[ALICE].calls[alice_call].state,
        CallState::Cancelled
    );
    assert!(rings(&w, BOB, 1), "the final destination rings Bob again");
    let again = w.phones[BOB].incoming(1).expect("second call");
    let first_cseq = w.phones[BOB].calls[bob_first].invite.cseq().expect("CSeq");
    let again_cseq = w.phones[BOB].calls[again].invite.cseq().expect("CSeq");
    assert!(
        again_cseq.seq > first_cseq.seq,
        "a new request, not a merged copy of the first (RFC 3261 §8.2.2.2)"
    );

    w.with(BOB, |p, now| p.answer(now, again));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[call]
            .state
            == CallState::Confirmed)
    );
    assert_eq!(w.phones[CAROL].calls[call].ok_count(), 1);
    w.with(CAROL, |p, now| p.hang_up(now, call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[BOB].calls[again].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert_eq!(records[0].callee, "600");
    assert_eq!(records[0].answered_by.as_deref(), Some("101"));
    assert_eq!(records[0].direction, Direction::Internal);
    assert!(w.relays_all_closed());
}

#[test]
fn a_busy_member_passes_the_call_on_at_once() {
    let mut w = office(51, None);
    let call = w.with(CAROL, |p, now| p.call(now, "600"));
    assert!(w.run_until(Duration::from_secs(2), |w| rings(w, BOB, 0)));
    let bob_call = w.phones[BOB].incoming(0).expect("Bob rings");
    w.with(BOB, |p, now| p.reject(now, bob_call, 486));
    assert!(
        w.run_until(Duration::from_secs(1), |w| rings(w, ALICE, 0)),
        "Alice rings well before Bob's 15 s were up"
    );
    // Alice is busy too, and there is no final destination: Carol hears busy at once.
    let alice_call = w.phones[ALICE].incoming(0).expect("Alice rings");
    w.with(ALICE, |p, now| p.reject(now, alice_call, 486));
    assert!(
        w.run_until(Duration::from_secs(1), |w| w.phones[CAROL].calls[call]
            .state
            == CallState::Failed(486))
    );
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Busy, "the best failure heard");
}

#[test]
fn nobody_answering_and_no_final_destination_is_no_answer() {
    let mut w = office(52, None);
    let call = w.with(CAROL, |p, now| p.call(now, "600"));
    w.run_for(Duration::from_secs(27));
    assert_eq!(w.phones[CAROL].calls[call].state, CallState::Failed(480));
    for phone in [ALICE, BOB] {
        let idx = w.phones[phone].incoming(0).expect("each member rang");
        assert_eq!(w.phones[phone].calls[idx].state, CallState::Cancelled);
    }
    w.settle();
    assert_eq!(w.pbx.call_count(), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::NoAnswer);
    assert_eq!(records[0].hangup_by, Some(HangupBy::System));
    assert_eq!(records[0].ended_at - records[0].started_at, 25);
}

#[test]
fn a_voicemail_destination_without_a_mailbox_is_refused_with_its_reason() {
    let mut w = office(53, Some(Destination::Voicemail("600".into())));
    let call = w.with(CAROL, |p, now| p.call(now, "600"));
    w.run_for(Duration::from_secs(27));
    assert_eq!(w.phones[CAROL].calls[call].state, CallState::Failed(480));
    w.settle();
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Unavailable);
    assert_eq!(records[0].reason, "the number has no mailbox");
    assert_eq!(w.pbx.call_count(), 0);
}

#[test]
fn a_member_calling_the_group_does_not_ring_themselves() {
    let mut w = office(54, None);
    // Bob calls his own group: only Alice rings.
    w.with(BOB, |p, now| p.call(now, "600"));
    assert!(w.run_until(Duration::from_secs(2), |w| rings(w, ALICE, 0)));
    assert!(w.phones[BOB].incoming(0).is_none());
    assert_eq!(
        w.phones[ALICE].calls[w.phones[ALICE].incoming(0).expect("ringing")]
            .got_request(Method::Bye),
        0
    );
}
