//! Bob has a desk phone and a softphone registered: a call to 101 rings both, the first
//! to answer gets the call, the other is CANCELled, and Alice sees exactly one answer.

mod support;

use std::time::Duration;

use pbx::Outcome;
use sip::Method;
use support::{alice, bob, bob_softphone, sdp, CallState, World};

const ALICE: usize = 0;
const DESK: usize = 1;
const SOFT: usize = 2;

/// Alice calls 101 and both of Bob's devices ring. Returns the world, Alice's call index
/// and the incoming call's index on each of Bob's devices.
fn ringing_both(seed: u64) -> (World, usize, usize, usize) {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.add(bob_softphone(seed + 3));
    w.register_all();
    assert_eq!(w.pbx.registrar().lookup("101", w.now).len(), 2);
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    let rang = w.run_until(Duration::from_secs(5), |w| {
        [DESK, SOFT].iter().all(|&d| {
            w.phones[d]
                .incoming(0)
                .is_some_and(|i| w.phones[d].calls[i].state == CallState::Ringing)
        })
    });
    assert!(rang, "both devices ring");
    let desk = w.phones[DESK].incoming(0).expect("desk call");
    let soft = w.phones[SOFT].incoming(0).expect("softphone call");
    (w, call, desk, soft)
}

#[test]
fn both_devices_get_an_invite_anchored_at_the_one_relay() {
    let (w, _, desk, soft) = ringing_both(10);
    let relays = w.relays_allocated();
    assert_eq!(relays.len(), 1, "one relay however many forks");
    for (phone, idx) in [(DESK, desk), (SOFT, soft)] {
        let offers = &w.phones[phone].calls[idx].sdp_received;
        assert_eq!(offers.len(), 1);
        assert_eq!(sdp::audio_addr(&offers[0]), Some(relays[0].b));
    }
    assert_eq!(w.phones[DESK].calls.len(), 1, "one INVITE reached the TU");
    assert_eq!(w.phones[SOFT].calls.len(), 1, "one INVITE reached the TU");
}

#[test]
fn first_answer_wins_and_the_other_device_is_cancelled() {
    let (mut w, call, desk, soft) = ringing_both(11);
    w.run_for(Duration::from_secs(3));
    w.with(SOFT, |p, now| p.answer(now, soft));
    let done = w.run_until(Duration::from_secs(5), |w| {
        w.phones[ALICE].calls[call].state == CallState::Confirmed
            && w.phones[DESK].calls[desk].state == CallState::Cancelled
    });
    assert!(done, "Alice connected and the desk phone cancelled");
    let desk_487 = w.net.count_sent(w.phones[DESK].addr, w.pbx_addr, "487");
    assert!(desk_487 >= 1, "the desk phone answered its INVITE 487");
    assert_eq!(w.phones[ALICE].calls[call].ok_count(), 1, "exactly one 200");
    assert_eq!(w.phones[SOFT].calls[soft].acks_received, 1);

    w.run_for(Duration::from_secs(10));
    w.with(ALICE, |p, now| p.hang_up(now, call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.pbx.call_count(), 0, "nothing left once the call ends");
    w.settle();
    assert_eq!(w.phones[SOFT].calls[soft].state, CallState::RemoteHungUp);
    assert_eq!(
        w.phones[DESK].calls[desk].got_request(Method::Bye),
        0,
        "the cancelled device hears nothing more"
    );
    assert_eq!(w.phones[ALICE].calls[call].ok_count(), 1);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert_eq!(records[0].answered_by.as_deref(), Some("101"));
}

#[test]
fn when_both_answer_at_once_the_second_is_acked_and_hung_up() {
    let (mut w, call, desk, soft) = ringing_both(12);
    w.with(DESK, |p, now| p.answer(now, desk));
    w.with(SOFT, |p, now| p.answer(now, soft));
    w.run_for(Duration::from_secs(5));

    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    assert_eq!(w.phones[ALICE].calls[call].ok_count(), 1, "exactly one 200");
    assert_eq!(w.phones[DESK].calls[desk].state, CallState::Confirmed);
    assert_eq!(w.phones[SOFT].calls[soft].acks_received, 1, "loser ACKed");
    assert_eq!(
        w.phones[SOFT].calls[soft].state,
        CallState::RemoteHungUp,
        "loser hung up"
    );
    assert_eq!(w.pbx.call_count(), 1, "the winning call goes on");

    w.with(ALICE, |p, now| p.hang_up(now, call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[DESK].calls[desk].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0, "nothing left once the call ends");
    w.settle();
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Answered);
}

#[test]
fn call_ended_before_the_cancelled_device_confirms_is_still_forgotten() {
    let (mut w, call, desk, soft) = ringing_both(13);
    // The desk phone drops off the network: it will never answer the CANCEL.
    w.phones[DESK].addr = support::addr("192.168.1.99:5060");
    w.with(SOFT, |p, now| p.answer(now, soft));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].calls[call]
            .state
            == CallState::Confirmed)
    );
    w.with(ALICE, |p, now| p.hang_up(now, call));
    w.run_for(Duration::from_secs(120));
    assert_eq!(w.phones[SOFT].calls[soft].state, CallState::RemoteHungUp);
    assert_eq!(w.phones[DESK].calls[desk].state, CallState::Ringing);
    assert_eq!(
        w.pbx.call_count(),
        0,
        "a device that never answers the CANCEL does not keep the call (RFC 3261 §9.1)"
    );
    assert_eq!(w.records().len(), 1);
}

#[test]
fn a_losing_device_hanging_up_does_not_end_the_winners_call() {
    let (mut w, call, desk, soft) = ringing_both(14);
    w.with(DESK, |p, now| p.answer(now, desk));
    w.with(SOFT, |p, now| p.answer(now, soft));
    // The softphone hangs up before the PBX's BYE for its late answer reaches it.
    w.run_for(Duration::from_millis(7));
    w.with(SOFT, |p, now| p.hang_up(now, soft));
    w.run_for(Duration::from_secs(5));

    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    assert_eq!(w.phones[DESK].calls[desk].state, CallState::Confirmed);
    assert_eq!(
        w.phones[DESK].calls[desk].got_request(Method::Bye),
        0,
        "the winner's call goes on"
    );
    assert!(
        w.phones[SOFT].calls[soft]
            .responses
            .iter()
            .any(|r| r.status == 200),
        "the loser's BYE is answered"
    );
    assert_eq!(w.pbx.call_count(), 1);

    w.with(ALICE, |p, now| p.hang_up(now, call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[DESK].calls[desk].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
}
