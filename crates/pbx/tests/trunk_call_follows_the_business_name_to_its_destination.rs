//! Where a trunk call goes: the business name's destination, the trunk's default
//! destination for a number no name has, 603 Decline for "hang up", and 480 with a
//! plain reason for destinations that are not available yet. A refused call holds no line.

mod support;

use std::time::Duration;

use pbx::dialplan::Destination;
use pbx::{Direction, Outcome};
use support::trunk_office::{provider, sales_plan, SALES_NUMBER};
use support::{alice, CallState, World};

const PROVIDER: usize = 0;
const ALICE: usize = 1;

fn office(seed: u64, sales: Destination) -> World {
    let mut w = World::lan(seed);
    w.add(provider(seed + 1));
    w.add(alice(seed + 2));
    w.with(ALICE, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered));
    w.install(sales_plan(2, sales));
    w
}

/// The provider calls `number` and the call fails; returns the final status.
fn refused(w: &mut World, number: &str) -> CallState {
    let call = w.with(PROVIDER, |p, now| p.call(now, number));
    w.run_for(Duration::from_secs(3));
    w.phones[PROVIDER].calls[call].state
}

#[test]
fn hang_up_declines_with_603() {
    let mut w = office(80, Destination::Hangup);
    assert_eq!(refused(&mut w, SALES_NUMBER), CallState::Failed(603));
    assert!(w.phones[ALICE].calls.is_empty());
    assert_eq!(w.lines_in_use(1), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].direction, Direction::Inbound);
    assert_eq!(records[0].business_name.as_deref(), Some("sales.acme"));
    assert!(
        records[0].reason.starts_with("603"),
        "{}",
        records[0].reason
    );
}

#[test]
fn a_conference_room_that_does_not_exist_is_refused() {
    let mut w = office(81, Destination::Conference("800".into()));
    assert_eq!(refused(&mut w, SALES_NUMBER), CallState::Failed(404));
    assert_eq!(w.lines_in_use(1), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::NotFound);
    assert_eq!(records[0].reason, "no such conference room");
}

#[test]
fn voicemail_without_a_mailbox_is_refused() {
    let mut w = office(82, Destination::Voicemail("100".into()));
    assert_eq!(refused(&mut w, SALES_NUMBER), CallState::Failed(480));
    let records = w.records();
    assert_eq!(records[0].reason, "the number has no mailbox");
}

#[test]
fn a_number_without_a_business_name_goes_to_the_trunks_default() {
    // The trunk's default destination is Alice (100); Sales itself would hang up.
    let mut w = office(83, Destination::Hangup);
    let call = w.with(PROVIDER, |p, now| p.call(now, "+442079999999"));
    assert!(w.run_until(Duration::from_secs(2), |w| w.phones[ALICE]
        .incoming(0)
        .is_some()));
    let idx = w.phones[ALICE].incoming(0).expect("ringing");
    let from = w.phones[ALICE].calls[idx].invite.from().expect("From");
    assert_eq!(
        from.display_name.as_deref(),
        Some("Jane Doe"),
        "no label without a business name"
    );
    w.with(PROVIDER, |p, now| p.cancel(now, call));
    w.run_for(Duration::from_secs(2));
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].business_name, None);
    assert_eq!(records[0].trunk.as_deref(), Some("Provider"));
    assert_eq!(records[0].callee, "+442079999999");
}

#[test]
fn the_number_matches_in_any_common_format() {
    // The provider sends the Sales number as 0044 20 7123 4567 would normalise.
    let mut w = office(84, Destination::Extension("100".into()));
    w.with(PROVIDER, |p, now| p.call(now, "00442071234567"));
    assert!(w.run_until(Duration::from_secs(2), |w| w.phones[ALICE]
        .incoming(0)
        .is_some()));
    let idx = w.phones[ALICE].incoming(0).expect("ringing");
    let from = w.phones[ALICE].calls[idx].invite.from().expect("From");
    assert_eq!(from.display_name.as_deref(), Some("[Sales] Jane Doe"));
}

#[test]
fn a_trusted_trunk_names_the_caller_by_p_asserted_identity() {
    for (trusted, shown, number) in [
        (true, "[Sales] Jane Smith", "+447700900999"),
        (false, "[Sales] Jane Doe", support::trunk_office::JANE),
    ] {
        let mut w = World::lan(85);
        let mut p = provider(86);
        p.call_headers = vec![(
            "P-Asserted-Identity".into(),
            "\"Jane Smith\" <sip:+447700900999@203.0.113.5>".into(),
        )];
        w.add(p);
        w.add(alice(87));
        w.with(ALICE, |p, now| p.register(now));
        assert!(w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered));
        let mut plan = sales_plan(2, Destination::Extension("100".into()));
        plan.trunks[0].trust_pai = trusted;
        w.install(plan);
        w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
        assert!(w.run_until(Duration::from_secs(2), |w| w.phones[ALICE]
            .incoming(0)
            .is_some()));
        let idx = w.phones[ALICE].incoming(0).expect("ringing");
        let from = w.phones[ALICE].calls[idx].invite.from().expect("From");
        assert_eq!(
            from.display_name.as_deref(),
            Some(shown),
            "trusted: {trusted}"
        );
        assert_eq!(from.uri.user_unescaped().as_deref(), Some(number));
    }
}
