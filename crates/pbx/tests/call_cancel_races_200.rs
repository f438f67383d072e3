//! Alice hangs up (CANCEL) at about the moment Bob picks up (200). Whichever reaches the
//! PBX first, RFC 3261 §9 leaves two consistent endings: Alice gets 487 and Bob's answered
//! leg is ACKed and sent BYE, or Alice gets the 200, ACKs it and sends BYE herself. The
//! test sweeps the CANCEL across the 200's flight so both orders happen.

mod support;

use std::time::Duration;

use pbx::Outcome;
use sip::Method;
use support::net::LinkConfig;
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
/// One-way delay: long enough for messages to cross in flight.
const DELAY: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Alice got 487; Bob never answered (the CANCEL reached him first).
    CancelledBeforeAnswer,
    /// Alice got 487; Bob had answered, and his leg was ACKed and sent BYE.
    CancelledCalleeByed,
    /// Alice got 200 despite her CANCEL, then ACKed and sent BYE.
    AnsweredThenByed,
}

/// Bob answers 3 s into ringing; Alice cancels `offset_ms` later (earlier if negative).
fn race(offset_ms: i64) -> Ending {
    let seed = 1000 + offset_ms.unsigned_abs();
    let mut w = World::new(seed, LinkConfig::perfect(DELAY));
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.register_all();
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    let answer_at = w.now + Duration::from_secs(3);
    let offset = Duration::from_millis(offset_ms.unsigned_abs());
    let cancel_at = if offset_ms < 0 {
        answer_at - offset
    } else {
        answer_at + offset
    };
    let mut plan = [(answer_at, BOB), (cancel_at, ALICE)];
    plan.sort_by_key(|(at, who)| (*at, *who != BOB));
    for (at, who) in plan {
        w.run_for(at - w.now);
        if who == BOB {
            w.with(BOB, |p, now| p.answer(now, incoming));
        } else {
            w.with(ALICE, |p, now| p.cancel(now, call));
        }
    }
    let context = format!("offset {offset_ms} ms");
    // Well under 64·T1, so no give-up timer is what cleans up.
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.pbx.call_count(), 0, "{context}: no call left in the PBX");
    w.settle();
    assert!(w.relays_all_closed(), "{context}: relay closed");
    let records = w.records();
    assert_eq!(records.len(), 1, "{context}: one record: {records:?}");

    let a = &w.phones[ALICE].calls[call];
    let b = &w.phones[BOB].calls[incoming];
    assert!(
        a.cancel_requested,
        "{context}: Alice pressed hang-up while ringing"
    );
    let ending = match (a.final_status(), a.ok_count()) {
        (Some(487), 0) => {
            assert_eq!(records[0].outcome, Outcome::Cancelled, "{context}");
            match b.state {
                CallState::Cancelled => Ending::CancelledBeforeAnswer,
                CallState::RemoteHungUp => {
                    assert!(b.acks_received >= 1, "{context}: Bob's 200 was ACKed");
                    Ending::CancelledCalleeByed
                }
                other => panic!("{context}: Bob's leg left {other:?}"),
            }
        }
        (Some(200), 1) => {
            assert_eq!(a.state, CallState::HungUp, "{context}: Alice sent BYE");
            assert!(
                a.responses
                    .iter()
                    .any(|r| r.status == 200 && r.cseq().is_some_and(|c| c.method == Method::Bye)),
                "{context}: Alice's BYE was answered"
            );
            assert_eq!(b.state, CallState::RemoteHungUp, "{context}: Bob got BYE");
            assert_eq!(records[0].outcome, Outcome::Answered, "{context}");
            Ending::AnsweredThenByed
        }
        other => panic!("{context}: Alice ended with {other:?}: {a:#?}"),
    };
    assert!(
        !a.invite_responses
            .iter()
            .any(|r| r.status == 487 && a.ok_count() > 0),
        "{context}: never both 487 and 200"
    );
    assert_eq!(
        b.got_request(Method::Bye) + usize::from(b.state == CallState::Cancelled),
        1,
        "{context}: Bob's leg ended exactly once"
    );
    ending
}

#[test]
fn cancel_racing_200_ends_consistently_whichever_arrives_first() {
    let mut seen = Vec::new();
    // Bob's 200 reaches Alice 2·DELAY after he answers; from then on her hang-up is an
    // ordinary BYE, so the sweep stops just short of it.
    for offset_ms in (-60..40).step_by(5) {
        let ending = race(offset_ms);
        if !seen.contains(&ending) {
            seen.push(ending);
        }
    }
    for ending in [
        Ending::CancelledBeforeAnswer,
        Ending::CancelledCalleeByed,
        Ending::AnsweredThenByed,
    ] {
        assert!(
            seen.contains(&ending),
            "the sweep covers {ending:?} (saw {seen:?})"
        );
    }
}
