//! Nobody picks up: after the ring timeout the caller hears 480, every ringing device is
//! CANCELled, and the record says no answer.

mod support;

use std::time::Duration;

use pbx::{HangupBy, Outcome};
use support::{alice, bob, bob_softphone, CallState, World};

const ALICE: usize = 0;
const DESK: usize = 1;
const SOFT: usize = 2;

/// Alice calls Bob, whose two devices ring. Returns the world and Alice's call.
fn ringing(seed: u64) -> (World, usize) {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.add(bob_softphone(seed + 3));
    w.register_all();
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    let rang = w.run_until(Duration::from_secs(5), |w| {
        w.phones[DESK].incoming(0).is_some() && w.phones[SOFT].incoming(0).is_some()
    });
    assert!(rang, "both devices ring");
    (w, call)
}

#[test]
fn unanswered_call_rings_out_with_480_and_cancels_every_device() {
    let (mut w, call) = ringing(30);
    let ring_timeout = support::config().ring_timeout;
    w.run_for(ring_timeout - Duration::from_secs(1));
    assert_eq!(
        w.phones[ALICE].calls[call].state,
        CallState::Ringing,
        "still ringing just before the timeout"
    );
    assert!(w.records().is_empty());

    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(480));
    for device in [DESK, SOFT] {
        let idx = w.phones[device].incoming(0).expect("the incoming call");
        assert_eq!(
            w.phones[device].calls[idx].state,
            CallState::Cancelled,
            "device {device} got CANCEL and answered 487"
        );
    }
    assert_eq!(
        w.pbx.call_count(),
        0,
        "forgotten once both forks answered 487"
    );
    assert!(w.relays_all_closed());

    let records = w.records();
    assert_eq!(records.len(), 1);
    let r = records[0];
    assert_eq!(r.outcome, Outcome::NoAnswer);
    assert_eq!(r.hangup_by, Some(HangupBy::System));
    assert_eq!(r.answered_at, None);
    assert_eq!(r.ended_at - r.started_at, ring_timeout.as_secs());
}

#[test]
fn device_gone_mid_ring_does_not_keep_the_call_after_it_rings_out() {
    let (mut w, call) = ringing(31);
    // The softphone's PC goes to sleep: nothing reaches it and it never answers.
    w.phones[SOFT].addr = support::addr("192.168.1.99:5060");
    w.run_for(support::config().ring_timeout + Duration::from_secs(1));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(480));
    let desk = w.phones[DESK].incoming(0).expect("desk call");
    assert_eq!(w.phones[DESK].calls[desk].state, CallState::Cancelled);
    assert_eq!(w.records().len(), 1, "the record is written at once");

    w.run_for(Duration::from_secs(40));
    assert_eq!(
        w.pbx.call_count(),
        0,
        "the silent fork is given up 64*T1 after its CANCEL (RFC 3261 §9.1)"
    );
    assert_eq!(w.records().len(), 1, "still one record");
}
