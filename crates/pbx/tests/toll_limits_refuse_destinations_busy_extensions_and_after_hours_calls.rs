//! Toll-fraud limits: an extension allowed out may still only dial the allowed destinations,
//! only so many calls at once (its own and the office's), and not while the after-hours
//! schedule is closed; refusals are 403 with the reason, and emergency numbers always go.

mod support;

use std::time::Duration;

use pbx::dialplan::{
    Destination, DialPlan, OpenPeriod, OutboundInUse, OutboundRoute, Schedule, TollLimits,
    TollRefusal,
};
use support::trunk_office::{ip_trunk, provider, uk_route};
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const MAIN: usize = 2;

fn emergency_route() -> OutboundRoute {
    OutboundRoute {
        id: 2,
        name: "Emergency".into(),
        patterns: vec!["999".into()],
        strip: 0,
        prepend: String::new(),
        trunks: vec![1],
    }
}

fn schedule(id: i64, periods: Vec<OpenPeriod>) -> Schedule {
    Schedule {
        id,
        name: format!("Hours {id}"),
        time_zone: "UTC".into(),
        periods,
        holidays: Vec::new(),
        open: Destination::Hangup,
        closed: Destination::Hangup,
    }
}

/// Open all day, every day.
fn always_open(id: i64) -> Schedule {
    let periods = (1..=7)
        .map(|day| OpenPeriod {
            day,
            open: "00:00".into(),
            close: "24:00".into(),
        })
        .collect();
    schedule(id, periods)
}

fn plan(limits: TollLimits) -> DialPlan {
    DialPlan {
        trunks: vec![ip_trunk(1, "Provider", support::trunk_office::PROVIDER, 4)],
        outbound_routes: vec![uk_route(vec![1]), emergency_route()],
        outbound_allowed: vec!["100".into(), "101".into()],
        emergency_numbers: vec!["999".into()],
        schedules: vec![schedule(7, Vec::new()), always_open(8)],
        toll_limits: limits,
        ..DialPlan::default()
    }
}

fn office(seed: u64, limits: TollLimits) -> World {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.add(provider(seed + 3));
    for phone in [ALICE, BOB] {
        w.with(phone, |p, now| p.register(now));
    }
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered
            && w.phones[BOB].registered)
    );
    w.install(plan(limits));
    w
}

fn dial(w: &mut World, phone: usize, number: &str) -> CallState {
    let call = w.with(phone, |p, now| p.call(now, number));
    w.run_for(Duration::from_secs(3));
    w.phones[phone].calls[call].state
}

fn last_reason(w: &World) -> String {
    w.records()
        .last()
        .map(|r| r.reason.clone())
        .unwrap_or_default()
}

#[test]
fn a_destination_outside_the_allowed_list_is_refused_with_403() {
    let limits = TollLimits {
        allowed_destinations: vec!["01.".into(), "02.".into()],
        ..TollLimits::default()
    };
    let mut w = office(300, limits);
    assert_eq!(dial(&mut w, ALICE, "09061234567"), CallState::Failed(403));
    assert!(
        w.phones[MAIN].calls.is_empty(),
        "nothing reached the provider"
    );
    let reason = last_reason(&w);
    assert!(
        reason.starts_with("403 Destination Not Allowed"),
        "{reason}"
    );
    // An allowed destination goes, and so does an emergency number not on the list.
    assert_eq!(dial(&mut w, ALICE, "02079460000"), CallState::Ringing);
    assert_eq!(dial(&mut w, ALICE, "999"), CallState::Ringing);
    assert_eq!(w.phones[MAIN].calls.len(), 2);
}

#[test]
fn unreadable_limits_refuse_every_call_out_but_emergency_numbers() {
    let mut w = office(305, TollLimits::unreadable());
    assert_eq!(dial(&mut w, ALICE, "02079460000"), CallState::Failed(403));
    assert!(
        w.phones[MAIN].calls.is_empty(),
        "nothing reached the provider"
    );
    let reason = last_reason(&w);
    assert!(reason.starts_with("403 Outside Calls Blocked"), "{reason}");
    assert!(reason.contains("cannot be read"), "{reason}");
    assert_eq!(dial(&mut w, ALICE, "999"), CallState::Ringing);
    assert_eq!(w.phones[MAIN].calls.len(), 1);
}

#[test]
fn an_extension_over_its_concurrent_limit_gets_403_and_others_still_call() {
    let limits = TollLimits {
        max_outbound_per_extension: 1,
        ..TollLimits::default()
    };
    let mut w = office(310, limits);
    assert_eq!(dial(&mut w, ALICE, "02079460000"), CallState::Ringing);
    assert_eq!(dial(&mut w, ALICE, "02079460001"), CallState::Failed(403));
    let reason = last_reason(&w);
    assert!(reason.contains("From This Extension"), "{reason}");
    assert_eq!(dial(&mut w, BOB, "02079460002"), CallState::Ringing);
    assert_eq!(w.phones[MAIN].calls.len(), 2);
}

#[test]
fn the_office_wide_limit_counts_every_extensions_calls_out() {
    let limits = TollLimits {
        max_outbound_calls: 1,
        ..TollLimits::default()
    };
    let mut w = office(320, limits);
    assert_eq!(dial(&mut w, ALICE, "02079460000"), CallState::Ringing);
    assert_eq!(dial(&mut w, BOB, "02079460001"), CallState::Failed(403));
    let reason = last_reason(&w);
    assert!(
        reason.starts_with("403 Too Many Outside Calls:"),
        "{reason}"
    );
    // Emergency calls are never counted out.
    assert_eq!(dial(&mut w, BOB, "999"), CallState::Ringing);
}

#[test]
fn a_closed_after_hours_schedule_blocks_calls_out_but_not_emergencies() {
    let closed = TollLimits {
        after_hours_schedule: Some(7),
        ..TollLimits::default()
    };
    let mut w = office(330, closed);
    assert_eq!(dial(&mut w, ALICE, "02079460000"), CallState::Failed(403));
    let reason = last_reason(&w);
    assert!(reason.contains("After Hours"), "{reason}");
    assert_eq!(dial(&mut w, ALICE, "999"), CallState::Ringing);

    let open = TollLimits {
        after_hours_schedule: Some(8),
        ..TollLimits::default()
    };
    let mut w = office(340, open);
    assert_eq!(dial(&mut w, ALICE, "02079460000"), CallState::Ringing);
}

#[test]
fn the_check_itself_orders_its_reasons_and_ignores_bad_patterns() {
    let mut p = plan(TollLimits {
        allowed_destinations: vec!["+44.".into(), "0[1-9].".into(), "[bad".into()],
        max_outbound_calls: 3,
        max_outbound_per_extension: 2,
        after_hours_schedule: None,
        unreadable: false,
    });
    let idle = OutboundInUse::default();
    assert_eq!(p.toll_check("+441234", idle, 0), Ok(()));
    assert_eq!(p.toll_check("01234", idle, 0), Ok(()));
    assert_eq!(
        p.toll_check("00123", idle, 0),
        Err(TollRefusal::Destination)
    );
    let own = OutboundInUse {
        office: 2,
        extension: 2,
    };
    assert_eq!(
        p.toll_check("01234", own, 0),
        Err(TollRefusal::ExtensionLimit)
    );
    let full = OutboundInUse {
        office: 3,
        extension: 0,
    };
    assert_eq!(
        p.toll_check("01234", full, 0),
        Err(TollRefusal::OfficeLimit)
    );
    assert_eq!(p.toll_check("999", full, 0), Ok(()));
    let issues = p
        .validate(&|_| true)
        .expect_err("a bad pattern is reported");
    assert!(
        issues
            .iter()
            .any(|i| i.field == "toll_limits.allowed_destinations.2"),
        "{issues:?}"
    );
    p.toll_limits.allowed_destinations.pop();
    p.toll_limits.after_hours_schedule = Some(99);
    let issues = p
        .validate(&|_| true)
        .expect_err("a missing schedule is reported");
    assert!(
        issues
            .iter()
            .any(|i| i.field == "toll_limits.after_hours_schedule"),
        "{issues:?}"
    );
}
