//! Jane Doe calls sales.acme: the provider delivers the Sales number over the trunk, no
//! challenge is asked, every phone of the Sales group rings showing `[Sales] Jane Doe`,
//! the first to answer gets her, and the record names the business name, the trunk and
//! who answered. The trunk's line is given back when she hangs up.

mod support;

use std::time::Duration;

use pbx::dialplan::{Destination, RingStrategy};
use pbx::{Action, Direction, Outcome, PbxEvent};
use support::trunk_office::{group, provider, sales_plan, JANE, SALES_NUMBER};
use support::{alice, bob, CallState, World};

const PROVIDER: usize = 0;
const ALICE: usize = 1;
const BOB: usize = 2;

/// The office with Sales (600: Alice and Bob together) behind sales.acme, and the
/// provider's call ringing both. Returns the world and the provider's call.
fn ringing(seed: u64) -> (World, usize) {
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
    let mut plan = sales_plan(2, Destination::RingGroup("600".into()));
    plan.ring_groups = vec![group(
        "600",
        RingStrategy::All,
        &[("100", 20), ("101", 20)],
        None,
    )];
    w.install(plan);
    let call = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    let rang = w.run_until(Duration::from_secs(5), |w| {
        [ALICE, BOB]
            .iter()
            .all(|&d| w.phones[d].incoming(0).is_some())
            && w.phones[PROVIDER].calls[call].state == CallState::Ringing
    });
    assert!(rang, "both Sales phones ring and Jane hears it");
    (w, call)
}

#[test]
fn both_phones_show_the_label_and_the_callers_name() {
    let (w, call) = ringing(40);
    for phone in [ALICE, BOB] {
        let idx = w.phones[phone].incoming(0).expect("ringing");
        let from = w.phones[phone].calls[idx].invite.from().expect("From");
        assert_eq!(from.display_name.as_deref(), Some("[Sales] Jane Doe"));
        assert_eq!(from.uri.user_unescaped().as_deref(), Some(JANE));
    }
    let provider = &w.phones[PROVIDER].calls[call];
    assert!(
        provider
            .invite_responses
            .iter()
            .all(|r| r.status != 401 && r.status != 407),
        "a trunk's call is never challenged"
    );
    assert_eq!(provider.state, CallState::Ringing);
    assert_eq!(w.lines_in_use(1), 1, "the call holds one line");
    let ringing_event = w.actions.iter().find_map(|a| match a {
        Action::Event(PbxEvent::CallRinging {
            caller,
            caller_name,
            business_name,
            ..
        }) => Some((caller.clone(), caller_name.clone(), business_name.clone())),
        _ => None,
    });
    assert_eq!(
        ringing_event,
        Some((
            JANE.to_owned(),
            Some("Jane Doe".to_owned()),
            Some("sales.acme".to_owned())
        ))
    );
    let live = w.pbx.live_calls();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].direction, Direction::Inbound);
    assert_eq!(live[0].business_name.as_deref(), Some("sales.acme"));
    assert_eq!(live[0].trunk.as_deref(), Some("Provider"));
}

#[test]
fn the_one_who_answers_gets_the_call_and_the_record_says_so() {
    let (mut w, call) = ringing(41);
    let bob_call = w.phones[BOB].incoming(0).expect("Bob rings");
    let alice_call = w.phones[ALICE].incoming(0).expect("Alice rings");
    w.run_for(Duration::from_secs(2));
    w.with(BOB, |p, now| p.answer(now, bob_call));
    let connected = w.run_until(Duration::from_secs(5), |w| {
        w.phones[PROVIDER].calls[call].state == CallState::Confirmed
            && w.phones[ALICE].calls[alice_call].state == CallState::Cancelled
    });
    assert!(connected, "Jane talks to Bob; Alice's phone stops ringing");
    w.run_for(Duration::from_secs(30));
    assert_eq!(w.lines_in_use(1), 1);

    w.with(PROVIDER, |p, now| p.hang_up(now, call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[BOB].calls[bob_call].state, CallState::RemoteHungUp);
    assert_eq!(w.lines_in_use(1), 0, "the line is free again");
    assert_eq!(w.pbx.call_count(), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    let r = records[0];
    assert_eq!(r.outcome, Outcome::Answered);
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.caller_number, JANE);
    assert_eq!(r.caller_name.as_deref(), Some("Jane Doe"));
    assert_eq!(r.callee, SALES_NUMBER);
    assert_eq!(r.business_name.as_deref(), Some("sales.acme"));
    assert_eq!(r.trunk.as_deref(), Some("Provider"));
    assert_eq!(r.answered_by.as_deref(), Some("101"));
    assert!(!r.lines_busy);
}

#[test]
fn a_call_cancelled_while_ringing_gives_its_line_back() {
    let (mut w, call) = ringing(42);
    w.with(PROVIDER, |p, now| p.cancel(now, call));
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.phones[PROVIDER].calls[call].state, CallState::Failed(487));
    assert_eq!(w.lines_in_use(1), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Cancelled);
    assert_eq!(records[0].business_name.as_deref(), Some("sales.acme"));
}
