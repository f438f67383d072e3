//! A whole call — registration, INVITE with digest auth, ringing, answer, hold, hang-up —
//! over a link that loses 20% of datagrams, duplicates some and reorders others. The
//! transaction layer's retransmissions must carry it through, and each phone must see
//! each request once.

mod support;

use std::time::Duration;

use media::sdp::Direction;
use pbx::Outcome;
use sip::Method;
use support::net::LinkConfig;
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
/// Generous for each phase: the last retransmission of a transaction goes at 31.5 s.
const PHASE: Duration = Duration::from_secs(40);

fn lossy() -> LinkConfig {
    LinkConfig {
        loss: 0.2,
        duplicate: 0.05,
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(150),
    }
}

/// Runs the call over the lossy link; returns how many datagrams the link dropped.
fn call_over_lossy_link(seed: u64) -> usize {
    let mut w = World::new(seed, lossy());
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.register_all();
    let ctx = format!("seed {seed}");

    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(
        w.run_until(PHASE, |w| w.phones[BOB].incoming(0).is_some()),
        "{ctx}: Bob rings"
    );
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    w.run_for(Duration::from_secs(2));
    assert!(
        w.with(BOB, |p, now| p.answer(now, incoming)),
        "{ctx}: still ringing"
    );
    assert!(
        w.run_until(PHASE, |w| {
            w.phones[ALICE].calls[call].state == CallState::Confirmed
                && w.phones[BOB].calls[incoming].acks_received > 0
        }),
        "{ctx}: answered and ACKed"
    );

    w.run_for(Duration::from_secs(10));
    let media = w.phones[ALICE].media;
    w.with(ALICE, |p, now| {
        p.reinvite(now, call, Direction::SendOnly, media)
    });
    assert!(
        w.run_until(PHASE, |w| w.phones[ALICE].calls[call]
            .responses
            .iter()
            .any(|r| r.status == 200)),
        "{ctx}: hold answered"
    );

    w.run_for(Duration::from_secs(5));
    w.with(ALICE, |p, now| p.hang_up(now, call));
    assert!(
        w.run_until(PHASE, |w| {
            let bye_ok = w.phones[ALICE].calls[call]
                .responses
                .iter()
                .any(|r| r.status == 200 && r.cseq().is_some_and(|c| c.method == Method::Bye));
            bye_ok && w.phones[BOB].calls[incoming].state == CallState::RemoteHungUp
        }),
        "{ctx}: both hung up"
    );
    w.settle();

    assert_eq!(w.pbx.call_count(), 0, "{ctx}: nothing left in the PBX");
    assert!(w.relays_all_closed(), "{ctx}: relay closed");
    let records = w.records();
    assert_eq!(records.len(), 1, "{ctx}: one record");
    assert_eq!(records[0].outcome, Outcome::Answered, "{ctx}");
    let (a, b) = (&w.phones[ALICE], &w.phones[BOB]);
    assert_eq!(a.calls[call].ok_count(), 1, "{ctx}: one answer for Alice");
    assert_eq!(b.calls.len(), 1, "{ctx}: Bob's TU saw one INVITE");
    assert_eq!(b.calls[incoming].got_request(Method::Invite), 1, "{ctx}");
    assert_eq!(b.calls[incoming].got_request(Method::Bye), 1, "{ctx}");
    assert!(!b.calls[incoming].ack_timeout, "{ctx}: Bob's 200 was ACKed");
    assert!(
        a.stray.is_empty() && b.stray.is_empty(),
        "{ctx}: no stray requests"
    );
    w.net.lost
}

#[test]
fn whole_call_completes_over_a_link_losing_a_fifth_of_its_datagrams() {
    let mut lost = 0;
    for seed in 0..50 {
        lost += call_over_lossy_link(seed);
    }
    assert!(lost > 100, "the link really lost datagrams ({lost})");
}
