//! Validation refuses every kind of bad plan the owner could save, and says which field
//! is wrong, so the form can show the message next to it.

mod dialplan_support;

use dialplan_support::{
    group, holiday, ip_auth, is_extension, issue_fields, member, name, office, office_hours,
    period, registration, route, trunk,
};
use pbx::dialplan::{Destination, DialPlan, RingStrategy, TrunkAuth};

/// Asserts that validation reports exactly `fields` (in any order).
fn assert_issues(plan: &DialPlan, fields: &[&str]) {
    let mut got = issue_fields(plan);
    got.sort();
    let mut want: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn the_office_plan_is_valid() {
    assert_eq!(office().validate(&is_extension), Ok(()));
    assert_eq!(
        pbx::dialplan::DialPlan::default().validate(&is_extension),
        Ok(())
    );
}

#[test]
fn messages_are_sentences_for_the_owner() {
    let mut plan = office();
    plan.trunks[0].channels = 0;
    plan.names[1].number = plan.names[0].number.clone();
    let issues = plan.validate(&is_extension).expect_err("invalid");
    assert_eq!(issues.len(), 2);
    for issue in issues {
        let first = issue.message.chars().next().expect("a message");
        assert!(first.is_uppercase(), "{}", issue.message);
        assert!(!issue.message.contains("Err"), "{}", issue.message);
    }
}

#[test]
fn duplicate_numbers_are_refused_after_normalising() {
    let mut plan = office();
    plan.names[2].number = "0044 (0)20 7123-4567".into();
    assert_issues(&plan, &["names.2.number"]);
    let issues = plan.validate(&is_extension).expect_err("duplicate");
    assert!(
        issues[0].message.contains("sales.acme"),
        "{}",
        issues[0].message
    );
}

#[test]
fn duplicate_names_are_refused_whatever_their_case() {
    let mut plan = office();
    plan.names[1].name = "Sales.Acme".into();
    assert_issues(&plan, &["names.1.name"]);
}

#[test]
fn names_numbers_and_labels_must_be_usable() {
    let mut plan = office();
    plan.names[0].name = "sales acme".into();
    plan.names[1].number = "+44 abc".into();
    plan.names[2].label = "Sales\" <sip:evil>".into();
    assert_issues(&plan, &["names.0.name", "names.1.number", "names.2.label"]);
    plan = office();
    plan.names[0].name = String::new();
    plan.names[1].number = "  ".into();
    assert_issues(&plan, &["names.0.name", "names.1.number"]);
}

#[test]
fn destinations_must_name_what_exists() {
    let mut plan = office();
    plan.names[0].destination = Destination::Extension("299".into());
    plan.names[1].destination = Destination::RingGroup("699".into());
    plan.names[2].destination = Destination::Hours(42);
    plan.trunks[0].default_destination = Destination::Voicemail("299".into());
    plan.trunks[1].overflow = Some(Destination::RingGroup("201".into()));
    plan.ring_groups[0].final_destination = Some(Destination::Extension("600".into()));
    plan.schedules[0].closed = Destination::Conference(String::new());
    assert_issues(
        &plan,
        &[
            "names.0.destination",
            "names.1.destination",
            "names.2.destination",
            "trunks.0.default_destination",
            "trunks.1.overflow",
            "ring_groups.0.final_destination",
            "schedules.0.closed",
        ],
    );
}

#[test]
fn conference_voicemail_and_hangup_are_accepted_destinations() {
    let mut plan = office();
    plan.names[0].destination = Destination::Conference("800".into());
    plan.names[1].destination = Destination::Voicemail("202".into());
    plan.names[2].destination = Destination::Hangup;
    plan.trunks[0].overflow = Some(Destination::Voicemail("600".into()));
    assert_issues(&plan, &[]);
}

#[test]
fn unknown_trunks_are_refused() {
    let mut plan = office();
    plan.names[0].trunk = Some(9);
    plan.outbound_routes[0].trunks = vec![1, 9];
    assert_issues(&plan, &["names.0.trunk", "outbound_routes.0.trunks.1"]);
}

#[test]
fn a_ring_group_cannot_contain_itself() {
    let mut plan = office();
    plan.ring_groups[0].members.push(member("600", 10));
    assert_issues(&plan, &["ring_groups.0.members.2.number"]);
}

#[test]
fn a_ring_group_cannot_contain_itself_through_nested_groups() {
    let mut plan = office();
    let mut third = group("602", RingStrategy::All, vec![member("600", 10)]);
    third.name = "Everyone".into();
    plan.ring_groups.push(third);
    plan.ring_groups[1].members.push(member("602", 10));
    plan.ring_groups[0].members.push(member("601", 10));
    // 600 ⊃ 601 ⊃ 602 ⊃ 600: each group on the loop is told.
    assert_issues(
        &plan,
        &[
            "ring_groups.0.members.2.number",
            "ring_groups.1.members.2.number",
            "ring_groups.2.members.0.number",
        ],
    );
}

#[test]
fn final_destinations_cannot_lead_back_to_the_group() {
    let mut plan = office();
    plan.ring_groups[1].final_destination = Some(Destination::RingGroup("600".into()));
    // Sales → (nobody answers) Support → (nobody answers) Sales → …
    assert_issues(
        &plan,
        &[
            "ring_groups.0.final_destination",
            "ring_groups.1.final_destination",
        ],
    );
}

#[test]
fn business_hours_cannot_lead_back_to_themselves() {
    let mut plan = office();
    plan.schedules[0].closed = Destination::Hours(1);
    assert_issues(&plan, &["schedules.0.closed"]);
    plan = office();
    // Support's final destination is the hours, whose open destination is Support.
    plan.ring_groups[1].final_destination = Some(Destination::Hours(1));
    plan.schedules[0].open = Destination::RingGroup("601".into());
    assert_issues(
        &plan,
        &["ring_groups.1.final_destination", "schedules.0.open"],
    );
}

#[test]
fn a_nested_groups_final_destination_is_not_a_loop() {
    let mut plan = office();
    // Sales contains Support, and Support's final destination is Sales. Ringing Sales
    // rings Support's members once; calling Support rings Sales afterwards, which ends.
    plan.ring_groups[0].members.push(member("601", 10));
    plan.ring_groups[0].final_destination = None;
    plan.ring_groups[1].final_destination = Some(Destination::RingGroup("600".into()));
    assert_issues(&plan, &[]);
}

#[test]
fn ring_group_numbers_and_members_must_be_usable() {
    let mut plan = office();
    plan.ring_groups[0].number = "201".into();
    plan.ring_groups[0].members[0] = member("299", 10);
    plan.ring_groups[0].members[1].ring_seconds = 0;
    plan.ring_groups[1].members.push(member("203", 10));
    // The plan's references to 600 now dangle too.
    assert_issues(
        &plan,
        &[
            "ring_groups.0.number",
            "ring_groups.0.members.0.number",
            "ring_groups.0.members.1.ring_seconds",
            "ring_groups.1.members.2.number",
            "schedules.0.open",
            "schedules.0.closed",
        ],
    );
    plan = office();
    plan.ring_groups[1].number = "600".into();
    plan.ring_groups[1].members.clear();
    plan.ring_groups[0].final_destination = None;
    plan.ring_groups[1].final_destination = None;
    plan.names[1].destination = Destination::Hangup;
    assert_issues(&plan, &["ring_groups.1.number", "ring_groups.1.members"]);
    plan = office();
    plan.ring_groups[1].number = "6 01".into();
    plan.ring_groups[0].final_destination = None;
    plan.names[1].destination = Destination::Hangup;
    plan.ring_groups[1].final_destination = None;
    assert_issues(&plan, &["ring_groups.1.number"]);
}

#[test]
fn schedules_need_a_real_zone_times_and_dates() {
    let mut plan = office();
    plan.schedules[0].time_zone = "Europe/Londres".into();
    plan.schedules[0].periods = vec![
        period(1, "9am", "17:00"),
        period(2, "09:00", "25:00"),
        period(3, "09:60", "9:5"),
        period(4, "17:00", "09:00"),
        period(5, "09:00", "09:00"),
        period(0, "09:00", "17:00"),
        period(8, "24:00", "24:00"),
    ];
    plan.schedules[0].holidays = vec![
        holiday("2026-02-30"),
        holiday("25/12/2026"),
        holiday("2026-12-25"),
    ];
    assert_issues(
        &plan,
        &[
            "schedules.0.time_zone",
            "schedules.0.periods.0.open",
            "schedules.0.periods.1.close",
            "schedules.0.periods.2.open",
            "schedules.0.periods.2.close",
            "schedules.0.periods.3.close",
            "schedules.0.periods.4.close",
            "schedules.0.periods.5.day",
            "schedules.0.periods.6.day",
            "schedules.0.periods.6.close",
            "schedules.0.holidays.0.date",
            "schedules.0.holidays.1.date",
        ],
    );
}

#[test]
fn schedules_in_other_zones_and_closing_at_midnight_are_fine() {
    let mut plan = office();
    plan.schedules.push(office_hours(
        2,
        "America/New_York",
        Destination::Extension("203".into()),
        Destination::Hangup,
    ));
    plan.schedules[1].periods.push(period(6, "18:00", "24:00"));
    plan.schedules[1].periods.push(period(7, "8:00", "12:00"));
    assert_issues(&plan, &[]);
}

#[test]
fn trunks_need_channels_a_host_and_a_usable_proxy() {
    let mut plan = office();
    plan.trunks[0].channels = 0;
    plan.trunks[0].host = "  ".into();
    plan.trunks[0].port = Some(0);
    plan.trunks[1].host = "sip provider.example".into();
    plan.trunks[1].outbound_proxy = Some("sip:proxy.example;lr".into());
    assert_issues(
        &plan,
        &[
            "trunks.0.channels",
            "trunks.0.host",
            "trunks.0.port",
            "trunks.1.host",
            "trunks.1.outbound_proxy",
        ],
    );
    plan = office();
    plan.trunks[0].host = "203.0.113.9".into();
    plan.trunks[1].host = "[2001:db8::9]".into();
    plan.trunks[0].outbound_proxy = Some("proxy.provider.example:5070".into());
    plan.trunks[1].outbound_proxy = Some(String::new());
    assert_issues(&plan, &[]);
}

#[test]
fn registration_needs_a_user_name_and_password() {
    let mut plan = office();
    plan.trunks[0].auth = TrunkAuth::Registration {
        username: " ".into(),
        password: String::new(),
        auth_username: None,
        contact_user: "tk1".into(),
        expires: 600,
    };
    assert_issues(&plan, &["trunks.0.auth.username", "trunks.0.auth.password"]);
}

#[test]
fn a_new_registration_trunk_may_leave_its_contact_to_the_store() {
    let mut plan = office();
    plan.trunks.push(trunk(0, registration("")));
    assert_issues(&plan, &[]);
}

#[test]
fn two_trunks_cannot_share_a_contact_user() {
    let mut plan = office();
    plan.trunks[1].auth = registration("tk1a8f3c");
    assert_issues(&plan, &["trunks.1.auth.contact_user"]);
}

#[test]
fn user_names_that_would_break_a_sip_uri_are_refused() {
    let mut plan = office();
    plan.trunks[0].from_user = Some("acct 1@evil".into());
    plan.trunks[0].caller_id = Some("+44 abc".into());
    plan.trunks[1].auth = registration("tk<2>");
    assert_issues(
        &plan,
        &[
            "trunks.0.from_user",
            "trunks.0.caller_id",
            "trunks.1.auth.contact_user",
        ],
    );
    plan = office();
    plan.trunks[0].from_user = Some("0123456789".into());
    plan.trunks[0].caller_id = Some("+44 20 7123 4567".into());
    assert_issues(&plan, &[]);
}

#[test]
fn ip_mode_needs_at_least_one_parsable_address() {
    let mut plan = office();
    plan.trunks[1].auth = TrunkAuth::Ip { allowed: vec![] };
    assert_issues(&plan, &["trunks.1.auth.allowed"]);
    plan.trunks[1].auth = ip_auth(&["", " "]);
    assert_issues(&plan, &["trunks.1.auth.allowed"]);
    plan.trunks[1].auth = ip_auth(&[
        "10.0.0.0/33",
        "203.0.113.5",
        "not a host",
        "sip.provider.example:5061",
    ]);
    assert_issues(
        &plan,
        &["trunks.1.auth.allowed.0", "trunks.1.auth.allowed.2"],
    );
    plan.trunks[1].auth = ip_auth(&["[2001:db8::1]:5060", "2001:db8::/32", "provider.example"]);
    assert_issues(&plan, &[]);
}

#[test]
fn route_patterns_prefixes_and_trunks_must_be_usable() {
    let mut plan = office();
    plan.outbound_routes
        .push(route(2, &["9.", "0.1", "[12"], 1, "+4 4", &[]));
    plan.outbound_routes.push(route(3, &[], 0, "", &[1]));
    assert_issues(
        &plan,
        &[
            "outbound_routes.1.patterns.1",
            "outbound_routes.1.patterns.2",
            "outbound_routes.1.prepend",
            "outbound_routes.1.trunks",
            "outbound_routes.2.patterns",
        ],
    );
}

#[test]
fn emergency_numbers_and_permissions_must_be_real() {
    let mut plan = office();
    plan.emergency_numbers.push("9-1-1".into());
    plan.emergency_numbers.push("help".into());
    plan.outbound_allowed.push("299".into());
    assert_issues(&plan, &["emergency_numbers.3", "outbound_allowed.1"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut plan = office();
    plan.trunks[0].channels = 0;
    plan.names.push(name(
        9,
        "sales.acme",
        "+44 20 7123 4567",
        None,
        Destination::Extension("299".into()),
    ));
    plan.outbound_routes[0].patterns.push("x y".into());
    assert_issues(
        &plan,
        &[
            "trunks.0.channels",
            "names.3.name",
            "names.3.number",
            "names.3.destination",
            "outbound_routes.0.patterns.2",
        ],
    );
}

#[test]
fn a_port_typed_into_the_host_field_is_pointed_out() {
    let mut plan = office();
    plan.trunks[0].host = "sip.provider.example:5080".into();
    let issues = plan.validate(&is_extension).expect_err("host with port");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].field, "trunks.0.host");
    assert!(
        issues[0].message.contains("port field"),
        "{}",
        issues[0].message
    );
}
