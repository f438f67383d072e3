//! Feature codes pressed during a call: `##` + number blind-transfers the other party
//! (ending with `#`, or when no key comes for a few seconds), `*1` starts and stops the
//! recording. Keys come from the relay (RFC 4733 events) or by SIP INFO; a trunk's
//! caller cannot use them.

mod support;

use std::time::Duration;

use pbx::{Action, Side};
use support::transfer_office::{connect, office};
use support::{CallState, SimPhone, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

/// Keys pressed on `side` of the call's relay, as the runtime's relay reports them.
fn press_on_relay(w: &mut World, side: Side, keys: &str) {
    let relay = w.relays_allocated()[0].id;
    for key in keys.chars() {
        let (now, unix) = (w.now, w.unix_now());
        w.pbx.dtmf_received(now, unix, relay, side, key);
        w.flush();
        w.run_for(Duration::from_millis(200));
    }
}

/// Keys sent by SIP INFO (`application/dtmf-relay`) from `phone` in its call `idx`.
fn press_by_info(w: &mut World, phone: usize, idx: usize, keys: &str) {
    for key in keys.chars() {
        let body = SimPhone::dtmf_relay(key, 160);
        w.with(phone, |p, now| {
            p.info(now, idx, "application/dtmf-relay", &body)
        });
        w.run_for(Duration::from_millis(200));
    }
}

fn carol_rings(w: &mut World) -> bool {
    w.run_until(Duration::from_secs(5), |w| {
        w.phones[CAROL]
            .incoming(0)
            .is_some_and(|i| w.phones[CAROL].calls[i].state == CallState::Ringing)
    })
}

#[test]
fn the_callee_sends_the_caller_to_carol_with_hash_hash_by_info() {
    let mut w = office(50);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    press_by_info(&mut w, BOB, b_call, "##102#");
    assert!(carol_rings(&mut w), "Carol's phone rings");
    w.run_for(Duration::from_secs(1));
    assert_eq!(
        w.phones[BOB].calls[b_call].state,
        CallState::RemoteHungUp,
        "Bob is released at once"
    );
    let c_call = w.phones[CAROL].incoming(0).expect("Carol's call");
    let from = w.phones[CAROL].calls[c_call].invite.from().expect("From");
    assert_eq!(from.uri.user(), Some("100"), "Carol sees Alice calling");
    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[CAROL].media),
        "Alice's audio goes to Carol"
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    // Alice agreed to telephone-events: the keys reach her as events, all but the one
    // completing the code.
    let keys_to_alice: String = w
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::SendDtmf {
                to: Side::A, key, ..
            } => Some(*key),
            _ => None,
        })
        .collect();
    assert_eq!(keys_to_alice, "##102");
    assert_eq!(
        w.phones[ALICE].calls[a_call].got_request(sip::Method::Info),
        0
    );
}

#[test]
fn the_caller_transfers_bob_when_no_more_keys_come() {
    let mut w = office(51);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    press_on_relay(&mut w, Side::A, "##102");
    assert!(
        w.phones[CAROL].incoming(0).is_none(),
        "nothing happens while keys may still come"
    );
    // Three seconds without a key complete the number.
    assert!(carol_rings(&mut w), "Carol's phone rings after the pause");
    let c_call = w.phones[CAROL].incoming(0).expect("Carol's call");
    let from = w.phones[CAROL].calls[c_call].invite.from().expect("From");
    assert_eq!(from.uri.user(), Some("101"), "Carol sees Bob calling");
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[ALICE].calls[a_call]
            .state
            == CallState::RemoteHungUp)
    );
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::Confirmed);
}

#[test]
fn ordinary_keys_change_nothing() {
    let mut w = office(52);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    press_on_relay(&mut w, Side::B, "1234*5#9");
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::Confirmed);
    assert!(w.phones[CAROL].incoming(0).is_none());
    assert!(!w
        .actions
        .iter()
        .any(|a| matches!(a, Action::RecordStart { .. })));
}

#[test]
fn star_one_starts_then_stops_the_recording() {
    let mut w = office(53);
    let (_, b_call) = connect(&mut w, ALICE, "101", BOB);
    let relay = w.relays_allocated()[0].id;
    press_on_relay(&mut w, Side::B, "*1");
    let started: Vec<_> = w
        .actions
        .iter()
        .filter(|a| matches!(a, Action::RecordStart { id, .. } if *id == relay))
        .collect();
    assert_eq!(started.len(), 1, "recording starts");
    press_by_info(&mut w, BOB, b_call, "*1");
    assert!(
        w.actions
            .iter()
            .any(|a| matches!(a, Action::RecordStop { id } if *id == relay)),
        "the same code stops it"
    );
}

#[test]
fn the_relay_reports_the_calls_telephone_event_types() {
    let mut w = office(54);
    connect(&mut w, ALICE, "101", BOB);
    let relay = w.relays_allocated()[0].id;
    assert!(
        w.actions.iter().any(|a| matches!(
            a,
            Action::DtmfEvents { id, payload_types } if *id == relay && payload_types.contains(&101)
        )),
        "the relay is told which packets are key presses"
    );
}

#[test]
fn a_caller_from_the_trunk_cannot_use_codes_but_the_office_phone_can() {
    use support::trunk_calls::{call_in, office as trunk_office, ALICE as OFFICE, PROVIDER};
    let mut w = trunk_office(55, |_| {});
    let (p_call, a_call) = call_in(&mut w);
    let relay = w.relays_allocated()[0].id;
    // The provider's caller is the call's A side: its `*1` records nothing.
    press_on_relay(&mut w, Side::A, "*1");
    assert!(!w
        .actions
        .iter()
        .any(|a| matches!(a, Action::RecordStart { .. })));
    // The caller's `##100` would send the office's phone anywhere: nothing happens.
    press_on_relay(&mut w, Side::A, "##100#");
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.phones[PROVIDER].calls[p_call].state, CallState::Confirmed);
    assert_eq!(w.phones[OFFICE].calls[a_call].state, CallState::Confirmed);
    // Alice, on the office's side, records with the same keys.
    press_on_relay(&mut w, Side::B, "*1");
    assert!(w
        .actions
        .iter()
        .any(|a| matches!(a, Action::RecordStart { id, .. } if *id == relay)));
}
