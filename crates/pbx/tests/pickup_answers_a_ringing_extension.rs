//! Call pickup: `*8` and an extension answers a call ringing there, `*8` alone a call
//! ringing at a member of the picker's ring groups. The picker becomes the callee: the
//! caller gets its 200, every device still ringing is CANCELled, the relay leads to the
//! picker, and the record names the picker as the one who answered.

mod support;

use std::time::Duration;

use pbx::dialplan::{DialPlan, RingStrategy};
use pbx::{Outcome, Side};
use sip::Method;
use support::transfer_office::{carol, office};
use support::trunk_office::group;
use support::{alice, bob, bob_softphone, sdp, CallState, World};

fn rings(w: &World, phone: usize) -> bool {
    w.phones[phone]
        .incoming(0)
        .is_some_and(|i| w.phones[phone].calls[i].state == CallState::Ringing)
}

#[test]
fn star_8_and_the_extension_answers_its_ringing_call() {
    const ALICE: usize = 0;
    const BOB: usize = 1;
    const BOB_SOFT: usize = 2;
    const CAROL: usize = 3;
    let mut w = World::lan(200);
    w.add(alice(201));
    w.add(bob(202));
    w.add(bob_softphone(203));
    w.add(carol(204));
    w.register_all();
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, BOB)
        && rings(w, BOB_SOFT)));

    let pick = w.with(CAROL, |p, now| p.call(now, "*8101"));
    w.run_for(Duration::from_secs(3));
    let carol_call = &w.phones[CAROL].calls[pick];
    assert_eq!(carol_call.state, CallState::Confirmed, "Carol has the call");
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    for phone in [BOB, BOB_SOFT] {
        let idx = w.phones[phone].incoming(0).expect("rang");
        assert_eq!(
            w.phones[phone].calls[idx].state,
            CallState::Cancelled,
            "phone {phone} stops ringing"
        );
    }
    let relay = w.relays_allocated()[0];
    assert_eq!(w.relays_allocated().len(), 1);
    assert_eq!(
        carol_call.sdp_received.last().and_then(sdp::audio_addr),
        Some(relay.b),
        "Carol sends to the callee's relay socket"
    );
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[CAROL].media)
    );
    let alice_answer = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("Alice's answer");
    assert_eq!(sdp::audio_addr(alice_answer), Some(relay.a));

    w.with(CAROL, |p, now| p.hang_up(now, pick));
    w.settle();
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert_eq!(records[0].callee, "101");
    assert_eq!(records[0].answered_by.as_deref(), Some("102"));
}

#[test]
fn star_8_alone_answers_a_call_ringing_in_the_pickers_group() {
    const ALICE: usize = 0;
    const BOB: usize = 1;
    const CAROL: usize = 2;
    let mut w = office(210);
    w.install(DialPlan {
        ring_groups: vec![group(
            "601",
            RingStrategy::All,
            &[("100", 20), ("101", 20)],
            None,
        )],
        ..DialPlan::default()
    });
    let call = w.with(CAROL, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, BOB)));
    let pick = w.with(ALICE, |p, now| p.call(now, "*8"));
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.phones[ALICE].calls[pick].state, CallState::Confirmed);
    assert_eq!(w.phones[CAROL].calls[call].state, CallState::Confirmed);
    let idx = w.phones[BOB].incoming(0).expect("rang");
    assert_eq!(w.phones[BOB].calls[idx].state, CallState::Cancelled);
    w.with(CAROL, |p, now| p.hang_up(now, call));
    w.settle();
    assert_eq!(
        w.phones[ALICE].calls[pick].got_request(Method::Bye),
        1,
        "the picker's call ends with the caller's"
    );
    assert_eq!(w.records()[0].answered_by.as_deref(), Some("100"));
}

#[test]
fn star_8_alone_outside_the_group_or_with_nothing_ringing_is_404() {
    const ALICE: usize = 0;
    const BOB: usize = 1;
    const CAROL: usize = 2;
    let mut w = office(220);
    let nothing = w.with(ALICE, |p, now| p.call(now, "*8101"));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[ALICE].calls[nothing].state, CallState::Failed(404));

    let call = w.with(CAROL, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, BOB)));
    let pick = w.with(ALICE, |p, now| p.call(now, "*8"));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.phones[ALICE].calls[pick].state,
        CallState::Failed(404),
        "Alice shares no group with Bob"
    );
    assert!(rings(&w, BOB), "Bob's phone still rings");
    assert_eq!(w.phones[CAROL].calls[call].state, CallState::Ringing);
    assert!(w.records().is_empty(), "a failed pickup leaves no record");
}
