//! Transfers across the trunk: a call from the provider, answered at a desk, is blind
//! transferred to a colleague who sees `[Sales] Jane Doe` ringing; the trunk line stays
//! taken until Jane hangs up, and her second record still names the business name and
//! the trunk. A transfer out through a trunk is allowed only to a transferor who may
//! call out.

mod support;

use std::time::Duration;

use pbx::{Direction, Side};
use support::trunk_calls::{call_in, office, ALICE, DIALLED, PROVIDER};
use support::trunk_office::JANE;
use support::{bob, CallState, World};

const BOB: usize = 2;

fn with_bob(seed: u64) -> World {
    let mut w = office(seed, |_| {});
    w.add(bob(seed + 5));
    w.with(BOB, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB].registered));
    w
}

#[test]
fn jane_is_transferred_to_bob_who_sees_her_name_and_label() {
    let mut w = with_bob(400);
    let (jane, alice) = call_in(&mut w);
    assert_eq!(w.lines_in_use(1), 1);
    w.with(ALICE, |p, now| p.refer(now, alice, "<sip:101@office>", &[]));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let ringing = w.phones[BOB].incoming(0).expect("Bob rings");
    let from = w.phones[BOB].calls[ringing].invite.from().expect("From");
    assert_eq!(from.display_name.as_deref(), Some("[Sales] Jane Doe"));
    assert_eq!(from.uri.user_unescaped().as_deref(), Some(JANE));
    assert_eq!(w.lines_in_use(1), 1, "Jane's line stays taken");
    w.run_for(Duration::from_secs(1));
    w.with(BOB, |p, now| p.answer(now, ringing));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[ALICE].calls[alice].state, CallState::RemoteHungUp);
    assert_eq!(w.phones[PROVIDER].calls[jane].state, CallState::Confirmed);
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[BOB].media)
    );

    w.with(PROVIDER, |p, now| p.hang_up(now, jane));
    w.settle();
    assert_eq!(w.phones[BOB].calls[ringing].state, CallState::RemoteHungUp);
    assert_eq!(w.lines_in_use(1), 0, "the line is free once Jane hangs up");
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 2, "{records:?}");
    let second = records[1];
    assert_eq!(second.caller_number, JANE);
    assert_eq!(second.answered_by.as_deref(), Some("101"));
    assert_eq!(second.direction, Direction::Inbound);
    assert_eq!(second.business_name.as_deref(), Some("sales.acme"));
    assert_eq!(second.trunk.as_deref(), Some("Provider"));
}

#[test]
fn a_transfer_out_follows_the_routes_for_a_transferor_allowed_to_call_out() {
    let mut w = with_bob(410);
    // Bob calls Alice; Alice (allowed to call out) sends him to a London number.
    let (bob_call, alice_call) = support::transfer_office::connect(&mut w, BOB, "100", ALICE);
    let target = format!("<sip:{DIALLED}@office>");
    w.with(ALICE, |p, now| p.refer(now, alice_call, &target, &[]));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[PROVIDER]
            .incoming(0)
            .is_some()),
        "the provider gets the call"
    );
    let out = w.phones[PROVIDER].incoming(0).expect("out");
    let invite = &w.phones[PROVIDER].calls[out].invite;
    assert_eq!(
        invite.uri.user_unescaped().as_deref(),
        Some("+442079460000")
    );
    assert_eq!(w.lines_in_use(1), 1);
    assert_eq!(w.phones[BOB].calls[bob_call].state, CallState::Confirmed);
}

#[test]
fn a_transfer_out_by_someone_not_allowed_to_call_out_is_refused_403() {
    let mut w = with_bob(420);
    let (alice_call, bob_call) = support::transfer_office::connect(&mut w, ALICE, "101", BOB);
    let target = format!("<sip:{DIALLED}@office>");
    w.with(BOB, |p, now| p.refer(now, bob_call, &target, &[]));
    w.run_for(Duration::from_secs(3));
    assert_eq!(
        w.phones[BOB].sipfrags(bob_call),
        vec!["SIP/2.0 100 Trying", "SIP/2.0 403 Forbidden"]
    );
    assert!(w.phones[PROVIDER].incoming(0).is_none());
    assert_eq!(
        w.phones[ALICE].calls[alice_call].state,
        CallState::Confirmed
    );
    assert_eq!(w.phones[BOB].calls[bob_call].state, CallState::Confirmed);
}
