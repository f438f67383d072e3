//! A ring group "all at once" rings every member's phones together for the longest
//! member time; a nested group's members ring too; when nobody answers, the final
//! destination takes the call.

mod support;

use std::time::Duration;

use pbx::dialplan::{Destination, DialPlan, RingStrategy};
use pbx::Outcome;
use support::trunk_office::{carol, group};
use support::{alice, bob, bob_softphone, CallState, World};

const CAROL: usize = 0;
const ALICE: usize = 1;
const BOB: usize = 2;
const BOB_SOFT: usize = 3;

fn rings(w: &World, phone: usize, n: usize) -> bool {
    w.phones[phone]
        .incoming(n)
        .is_some_and(|i| w.phones[phone].calls[i].state == CallState::Ringing)
}

#[test]
fn every_device_of_every_member_rings_then_the_final_destination() {
    let mut w = World::lan(110);
    w.add(carol(111));
    w.add(alice(112));
    w.add(bob(113));
    w.add(bob_softphone(114));
    w.register_all();
    // 601 = Alice (10 s) and group 602 (Bob, 20 s), then Alice alone.
    w.install(DialPlan {
        ring_groups: vec![
            group(
                "601",
                RingStrategy::All,
                &[("100", 10), ("602", 20)],
                Some(Destination::Extension("100".into())),
            ),
            group("602", RingStrategy::InOrder, &[("101", 20)], None),
        ],
        ..DialPlan::default()
    });
    let call = w.with(CAROL, |p, now| p.call(now, "601"));
    assert!(
        w.run_until(Duration::from_secs(2), |w| [ALICE, BOB, BOB_SOFT]
            .iter()
            .all(|&p| rings(w, p, 0)))
    );
    assert_eq!(w.relays_allocated().len(), 1, "one relay for every fork");

    w.run_for(Duration::from_secs(19));
    assert!(rings(&w, ALICE, 0), "all ring for the longest member time");
    assert!(rings(&w, BOB, 0));
    w.run_for(Duration::from_secs(2));
    for phone in [BOB, BOB_SOFT] {
        let idx = w.phones[phone].incoming(0).expect("rang");
        assert_eq!(w.phones[phone].calls[idx].state, CallState::Cancelled);
    }
    assert!(
        rings(&w, ALICE, 1),
        "the final destination rings Alice anew"
    );
    let again = w.phones[ALICE].incoming(1).expect("ringing");
    w.with(ALICE, |p, now| p.answer(now, again));
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[CAROL].calls[call]
            .state
            == CallState::Confirmed)
    );
    w.with(CAROL, |p, now| p.hang_up(now, call));
    w.settle();
    assert_eq!(w.pbx.call_count(), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert_eq!(records[0].answered_by.as_deref(), Some("100"));
    assert!(w.relays_all_closed());
}
