//! Following the plan for a call: the business name a trunk's number belongs to, where the
//! destination leads at a given time, how a group rings, and which trunks an outgoing
//! number leaves by.

mod dialplan_support;

use std::time::Duration;

use dialplan_support::{at, group, member, name, office, route};
use pbx::dialplan::{Destination, RingStep, RingStrategy, Terminal};

fn step(extensions: &[&str], seconds: u64) -> RingStep {
    RingStep {
        extensions: extensions.iter().map(|e| e.to_string()).collect(),
        ring: Duration::from_secs(seconds),
    }
}

#[test]
fn a_number_finds_its_name_in_any_format() {
    let plan = office();
    for sent in [
        "+442071234567",
        "00442071234567",
        "+44 (0)20 7123 4567",
        "442071234567",
    ] {
        let found = plan.name_for_number(1, sent).map(|n| n.name.as_str());
        assert_eq!(found, Some("sales.acme"), "{sent}");
    }
    assert_eq!(plan.name_for_number(1, "+442071234599"), None);
    assert_eq!(plan.name_for_number(1, ""), None);
}

#[test]
fn a_name_bound_to_a_trunk_is_found_only_on_that_trunk() {
    let plan = office();
    assert!(plan.name_for_number(1, "+442071234567").is_some());
    assert_eq!(plan.name_for_number(2, "+442071234567"), None);
    // support.acme is for any trunk.
    assert!(plan.name_for_number(1, "+442071234568").is_some());
    assert!(plan.name_for_number(2, "+442071234568").is_some());
}

#[test]
fn the_trunks_own_name_wins_over_one_for_any_trunk() {
    let mut plan = office();
    plan.names.insert(
        0,
        name(7, "any.acme", "+44 20 7123 4569", None, Destination::Hangup),
    );
    // stephen.acme has the same number on trunk 2.
    let on_two = plan
        .name_for_number(2, "+442071234569")
        .map(|n| n.name.as_str());
    assert_eq!(on_two, Some("stephen.acme"));
    let on_one = plan
        .name_for_number(1, "+442071234569")
        .map(|n| n.name.as_str());
    assert_eq!(on_one, Some("any.acme"));
}

#[test]
fn lookups_by_id_and_number() {
    let plan = office();
    assert_eq!(plan.trunk(2).map(|t| t.id), Some(2));
    assert!(plan.trunk(3).is_none());
    assert_eq!(
        plan.ring_group("601").map(|g| g.name.as_str()),
        Some("Support")
    );
    assert!(plan.ring_group("201").is_none());
}

#[test]
fn terminal_destinations_resolve_to_themselves() {
    let plan = office();
    let t = at("2026-06-10T10:00:00Z");
    let cases = [
        (
            Destination::Extension("201".into()),
            Terminal::Extension("201".into()),
        ),
        (
            Destination::RingGroup("600".into()),
            Terminal::RingGroup("600".into()),
        ),
        (
            Destination::Conference("800".into()),
            Terminal::Conference("800".into()),
        ),
        (
            Destination::Voicemail("201".into()),
            Terminal::Voicemail("201".into()),
        ),
        (Destination::Hangup, Terminal::Hangup),
    ];
    for (dest, terminal) in cases {
        assert_eq!(plan.resolve(&dest, t), Some(terminal));
    }
}

#[test]
fn business_hours_choose_by_the_time_of_the_call() {
    let plan = office();
    let hours = Destination::Hours(1);
    // Wednesday 10 June 2026, 11:00 BST: open → Sales.
    assert_eq!(
        plan.resolve(&hours, at("2026-06-10T10:00:00Z")),
        Some(Terminal::RingGroup("600".into()))
    );
    // 18:00 BST: closed → Sales' voicemail.
    assert_eq!(
        plan.resolve(&hours, at("2026-06-10T17:00:00Z")),
        Some(Terminal::Voicemail("600".into()))
    );
    // Christmas Day is a holiday.
    assert_eq!(
        plan.resolve(&hours, at("2026-12-25T10:00:00Z")),
        Some(Terminal::Voicemail("600".into()))
    );
}

#[test]
fn hours_may_lead_to_other_hours() {
    let mut plan = office();
    let mut weekend = dialplan_support::office_hours(
        2,
        "Europe/London",
        Destination::Extension("209".into()),
        Destination::Hangup,
    );
    weekend.periods = vec![dialplan_support::period(6, "10:00", "14:00")];
    plan.schedules.push(weekend);
    plan.schedules[0].closed = Destination::Hours(2);
    let hours = Destination::Hours(1);
    assert_eq!(
        plan.resolve(&hours, at("2026-06-13T10:00:00Z")), // Saturday 11:00 BST
        Some(Terminal::Extension("209".into()))
    );
    assert_eq!(
        plan.resolve(&hours, at("2026-06-13T17:00:00Z")),
        Some(Terminal::Hangup)
    );
}

#[test]
fn a_loop_of_hours_or_a_missing_schedule_resolves_to_nothing() {
    let mut plan = office();
    let mut other =
        dialplan_support::office_hours(2, "UTC", Destination::Hours(1), Destination::Hours(1));
    other.periods.clear();
    plan.schedules.push(other);
    plan.schedules[0].closed = Destination::Hours(2);
    // Saturday: closed → 2 → closed → 1 → closed → …
    assert_eq!(
        plan.resolve(&Destination::Hours(1), at("2026-06-13T10:00:00Z")),
        None
    );
    assert_eq!(
        plan.resolve(&Destination::Hours(42), at("2026-06-13T10:00:00Z")),
        None
    );
}

#[test]
fn unreadable_hours_count_as_open() {
    let mut plan = office();
    plan.schedules[0].time_zone = "Nowhere/Special".into();
    assert_eq!(
        plan.resolve(&Destination::Hours(1), at("2026-06-13T03:00:00Z")),
        Some(Terminal::RingGroup("600".into()))
    );
}

#[test]
fn ring_all_is_one_step_with_the_longest_ring_time() {
    let plan = office();
    assert_eq!(plan.ring_steps("600"), vec![step(&["201", "202"], 25)]);
}

#[test]
fn ring_all_expands_nested_groups_once_each() {
    let mut plan = office();
    plan.ring_groups[0].members = vec![member("202", 10), member("601", 30), member("203", 5)];
    assert_eq!(
        plan.ring_steps("600"),
        vec![step(&["202", "203", "204"], 30)]
    );
}

#[test]
fn in_order_rings_one_member_after_another() {
    let plan = office();
    assert_eq!(
        plan.ring_steps("601"),
        vec![step(&["203"], 15), step(&["204"], 15)]
    );
}

#[test]
fn in_order_rings_a_nested_group_as_one_step() {
    let mut plan = office();
    plan.ring_groups[1].members = vec![member("205", 10), member("600", 20), member("206", 5)];
    assert_eq!(
        plan.ring_steps("601"),
        vec![
            step(&["205"], 10),
            step(&["201", "202"], 20),
            step(&["206"], 5)
        ]
    );
}

#[test]
fn groups_that_contain_themselves_still_ring_each_extension_once() {
    let mut plan = office();
    plan.ring_groups[0].members.push(member("601", 10));
    plan.ring_groups[1].members.push(member("600", 10));
    plan.ring_groups[0].members.push(member("600", 10));
    assert_eq!(
        plan.ring_steps("600"),
        vec![step(&["201", "202", "203", "204"], 25)]
    );
    let mut empty = group("602", RingStrategy::InOrder, vec![member("602", 5)]);
    empty.name = "Loop".into();
    plan.ring_groups.push(empty);
    assert_eq!(plan.ring_steps("602"), Vec::new());
}

#[test]
fn an_unknown_or_empty_group_has_no_steps() {
    let mut plan = office();
    assert_eq!(plan.ring_steps("699"), Vec::new());
    plan.ring_groups[0].members.clear();
    assert_eq!(plan.ring_steps("600"), Vec::new());
}

#[test]
fn only_permitted_extensions_call_out_but_anyone_calls_emergency() {
    let plan = office();
    assert!(plan.may_call_out("201", "02071234567"));
    assert!(!plan.may_call_out("202", "02071234567"));
    assert!(plan.may_call_out("202", "112"));
    assert!(plan.may_call_out("202", "999"));
    assert!(!plan.may_call_out("202", "1120"));
    assert!(!plan.may_call_out("202", "11"));
    assert!(!plan.may_call_out("202", ""));
}

#[test]
fn routes_give_trunks_in_order_with_the_number_to_send() {
    let mut plan = office();
    plan.outbound_routes = vec![
        route(1, &["0[1-9]."], 1, "+44", &[1, 2]),
        route(2, &["!"], 0, "", &[2]),
        route(3, &["9."], 1, "", &[1]),
    ];
    assert_eq!(
        plan.outbound_targets("02071234567"),
        vec![
            (1, "+442071234567".to_string()),
            (2, "+442071234567".to_string()),
            (2, "02071234567".to_string()),
        ]
    );
    assert_eq!(
        plan.outbound_targets("90123"),
        vec![(2, "90123".to_string()), (1, "0123".to_string())]
    );
}

#[test]
fn disabled_unknown_and_repeated_trunks_are_skipped() {
    let mut plan = office();
    plan.trunks[0].enabled = false;
    plan.outbound_routes = vec![
        route(1, &["0."], 0, "", &[1, 7, 2]),
        route(2, &["X."], 0, "", &[2]),
    ];
    assert_eq!(plan.outbound_targets("0123"), vec![(2, "0123".to_string())]);
}

#[test]
fn no_matching_route_means_no_targets() {
    let plan = office();
    assert_eq!(plan.outbound_targets("12345"), Vec::new());
    assert_eq!(plan.outbound_targets(""), Vec::new());
    let mut stripped = office();
    stripped.outbound_routes = vec![route(1, &["0."], 10, "", &[1])];
    // Stripping more than the whole number leaves nothing to send.
    assert_eq!(stripped.outbound_targets("012"), Vec::new());
}

#[test]
fn invalid_patterns_never_route() {
    let mut plan = office();
    plan.outbound_routes = vec![route(1, &["0.1", "[0"], 0, "", &[1])];
    assert_eq!(plan.outbound_targets("0123"), Vec::new());
}

#[test]
fn only_dialable_numbers_go_out() {
    let mut plan = office();
    plan.outbound_routes = vec![route(1, &["0."], 0, "", &[1])];
    assert_eq!(plan.outbound_targets("0123;user=x"), Vec::new());
    assert_eq!(plan.outbound_targets("0 123"), Vec::new());
    // A prefix that skipped validation cannot smuggle anything in either.
    plan.outbound_routes = vec![route(1, &["0."], 0, "sip:", &[1])];
    assert_eq!(plan.outbound_targets("0123"), Vec::new());
}

#[test]
fn emergency_numbers_go_out_on_every_enabled_trunk_even_without_a_route() {
    let mut plan = office();
    assert_eq!(
        plan.outbound_targets("112"),
        vec![(1, "112".to_string()), (2, "112".to_string())]
    );
    plan.trunks[0].enabled = false;
    assert_eq!(plan.outbound_targets("999"), vec![(2, "999".to_string())]);
    // A route that takes the number comes first, with its own prefix.
    plan.trunks[0].enabled = true;
    plan.outbound_routes = vec![route(1, &["999"], 0, "*", &[2])];
    assert_eq!(
        plan.outbound_targets("999"),
        vec![(2, "*999".to_string()), (1, "999".to_string())]
    );
    // Not an emergency number: nothing without a route.
    assert_eq!(plan.outbound_targets("998"), Vec::new());
}
