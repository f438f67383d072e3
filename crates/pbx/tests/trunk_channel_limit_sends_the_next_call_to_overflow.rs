//! A trunk carries at most its channel count of calls. The next call goes to the trunk's
//! overflow destination, or hears 486 Busy Here when it has none, and its record says
//! every line was busy. A line comes back when its call ends.

mod support;

use std::time::Duration;

use pbx::dialplan::Destination;
use pbx::Outcome;
use support::trunk_office::{provider, sales_plan, SALES_NUMBER};
use support::{alice, bob, CallState, World};

const PROVIDER: usize = 0;
const ALICE: usize = 1;
const BOB: usize = 2;

/// One channel; Sales rings Alice; `overflow` for the rest. The first call is ringing.
fn one_line_taken(seed: u64, overflow: Option<Destination>) -> (World, usize) {
    let mut w = World::lan(seed);
    w.add(provider(seed + 1));
    w.add(alice(seed + 2));
    w.add(bob(seed + 3));
    for phone in [ALICE, BOB] {
        w.with(phone, |p, now| p.register(now));
    }
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered
            && w.phones[BOB].registered)
    );
    let mut plan = sales_plan(1, Destination::Extension("100".into()));
    plan.trunks[0].overflow = overflow;
    w.install(plan);
    let first = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(w.run_until(Duration::from_secs(2), |w| w.phones[ALICE]
        .incoming(0)
        .is_some()));
    assert_eq!(w.lines_in_use(1), 1);
    (w, first)
}

#[test]
fn without_overflow_the_next_call_hears_busy_and_is_recorded_as_lines_busy() {
    let (mut w, first) = one_line_taken(60, None);
    let second = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[PROVIDER].calls[second]
            .state
            == CallState::Failed(486))
    );
    assert_eq!(
        w.phones[ALICE].calls.len(),
        1,
        "Alice's phone rang once only"
    );
    assert_eq!(w.lines_in_use(1), 1, "the refused call took no line");
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Busy);
    assert!(records[0].lines_busy);
    assert_eq!(records[0].business_name.as_deref(), Some("sales.acme"));

    // The first call gives up: its line is free and the next call rings.
    w.with(PROVIDER, |p, now| p.cancel(now, first));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.lines_in_use(1), 0);
    let third = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(w.run_until(Duration::from_secs(2), |w| w.phones[ALICE]
        .incoming(1)
        .is_some()
        && w.phones[PROVIDER].calls[third].state == CallState::Ringing));
    assert_eq!(w.lines_in_use(1), 1);
}

#[test]
fn with_overflow_the_next_call_rings_the_overflow_destination() {
    let (mut w, _first) = one_line_taken(61, Some(Destination::Extension("101".into())));
    let second = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[BOB]
            .incoming(0)
            .is_some()),
        "Bob takes the overflow"
    );
    let bob_call = w.phones[BOB].incoming(0).expect("ringing");
    let from = w.phones[BOB].calls[bob_call].invite.from().expect("From");
    assert_eq!(from.display_name.as_deref(), Some("[Sales] Jane Doe"));
    w.with(BOB, |p, now| p.answer(now, bob_call));
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[PROVIDER].calls[second]
            .state
            == CallState::Confirmed)
    );
    assert_eq!(w.lines_in_use(1), 1, "still one line counted");
    w.with(PROVIDER, |p, now| p.hang_up(now, second));
    w.run_for(Duration::from_secs(2));
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert!(records[0].lines_busy, "it found every line busy");
    assert_eq!(records[0].answered_by.as_deref(), Some("101"));
    assert_eq!(w.lines_in_use(1), 1, "the first call still holds its line");
}
