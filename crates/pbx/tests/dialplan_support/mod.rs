//! A small office's dial plan to start tests from: one registration trunk, one IP trunk,
//! extensions 201–209, a Sales group, a Support group, London business hours and a UK
//! outbound route. Tests change one thing and look at the result.

#![allow(dead_code)]

use pbx::dialplan::{
    BusinessName, Destination, DialPlan, DtmfMode, Holiday, OpenPeriod, OutboundRoute, RingGroup,
    RingMember, RingStrategy, Schedule, Trunk, TrunkAuth, TrunkId, TrunkTransport,
};

pub fn is_extension(n: &str) -> bool {
    matches!(
        n,
        "201" | "202" | "203" | "204" | "205" | "206" | "207" | "208" | "209"
    )
}

pub fn trunk(id: TrunkId, auth: TrunkAuth) -> Trunk {
    Trunk {
        id,
        name: format!("Trunk {id}"),
        enabled: true,
        host: "sip.provider.example".into(),
        port: Some(5060),
        transport: TrunkTransport::Udp,
        outbound_proxy: None,
        auth,
        channels: 2,
        codecs: vec!["PCMU".into()],
        dtmf: DtmfMode::Rfc4733,
        from_user: None,
        caller_id: None,
        trust_pai: false,
        overflow: None,
        default_destination: Destination::Extension("201".into()),
    }
}

pub fn registration(contact_user: &str) -> TrunkAuth {
    TrunkAuth::Registration {
        username: "account1".into(),
        password: "secret".into(),
        auth_username: None,
        contact_user: contact_user.into(),
        expires: 600,
    }
}

pub fn ip_auth(allowed: &[&str]) -> TrunkAuth {
    TrunkAuth::Ip {
        allowed: allowed.iter().map(|a| a.to_string()).collect(),
    }
}

pub fn name(
    id: i64,
    name: &str,
    number: &str,
    trunk: Option<TrunkId>,
    dest: Destination,
) -> BusinessName {
    BusinessName {
        id,
        name: name.into(),
        number: number.into(),
        label: pbx::dialplan::default_label(name),
        trunk,
        destination: dest,
    }
}

pub fn member(number: &str, ring_seconds: u32) -> RingMember {
    RingMember {
        number: number.into(),
        ring_seconds,
    }
}

pub fn group(number: &str, strategy: RingStrategy, members: Vec<RingMember>) -> RingGroup {
    RingGroup {
        number: number.into(),
        name: format!("Group {number}"),
        strategy,
        members,
        final_destination: None,
    }
}

pub fn period(day: u8, open: &str, close: &str) -> OpenPeriod {
    OpenPeriod {
        day,
        open: open.into(),
        close: close.into(),
    }
}

pub fn holiday(date: &str) -> Holiday {
    Holiday {
        date: date.into(),
        name: "Holiday".into(),
    }
}

/// Monday to Friday 09:00–17:00 in `time_zone`.
pub fn office_hours(id: i64, time_zone: &str, open: Destination, closed: Destination) -> Schedule {
    Schedule {
        id,
        name: format!("Hours {id}"),
        time_zone: time_zone.into(),
        periods: (1..=5).map(|d| period(d, "09:00", "17:00")).collect(),
        holidays: vec![holiday("2026-12-25")],
        open,
        closed,
    }
}

pub fn route(
    id: i64,
    patterns: &[&str],
    strip: u32,
    prepend: &str,
    trunks: &[TrunkId],
) -> OutboundRoute {
    OutboundRoute {
        id,
        name: format!("Route {id}"),
        patterns: patterns.iter().map(|p| p.to_string()).collect(),
        strip,
        prepend: prepend.into(),
        trunks: trunks.to_vec(),
    }
}

/// A plan that passes validation.
pub fn office() -> DialPlan {
    let mut sales = group(
        "600",
        RingStrategy::All,
        vec![member("201", 20), member("202", 25)],
    );
    sales.name = "Sales".into();
    sales.final_destination = Some(Destination::RingGroup("601".into()));
    let mut support = group(
        "601",
        RingStrategy::InOrder,
        vec![member("203", 15), member("204", 15)],
    );
    support.name = "Support".into();
    support.final_destination = Some(Destination::Voicemail("601".into()));
    DialPlan {
        trunks: vec![
            trunk(1, registration("tk1a8f3c")),
            trunk(2, ip_auth(&["203.0.113.0/24", "sip2.provider.example"])),
        ],
        names: vec![
            name(
                1,
                "sales.acme",
                "+44 20 7123 4567",
                Some(1),
                Destination::Hours(1),
            ),
            name(
                2,
                "support.acme",
                "+44 20 7123 4568",
                None,
                Destination::RingGroup("601".into()),
            ),
            name(
                3,
                "stephen.acme",
                "+44 20 7123 4569",
                Some(2),
                Destination::Extension("205".into()),
            ),
        ],
        ring_groups: vec![sales, support],
        schedules: vec![office_hours(
            1,
            "Europe/London",
            Destination::RingGroup("600".into()),
            Destination::Voicemail("600".into()),
        )],
        outbound_routes: vec![route(1, &["0.", "+44."], 0, "", &[1, 2])],
        emergency_numbers: vec!["112".into(), "999".into()],
        outbound_allowed: vec!["201".into()],
        toll_limits: Default::default(),
    }
}

/// The fields validation complains about.
pub fn issue_fields(plan: &DialPlan) -> Vec<String> {
    match plan.validate(&is_extension) {
        Ok(()) => Vec::new(),
        Err(issues) => issues.into_iter().map(|i| i.field).collect(),
    }
}

/// Unix seconds of an RFC 3339 UTC instant.
pub fn at(utc: &str) -> i64 {
    utc.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .unwrap_or_else(|e| panic!("test instant {utc}: {e}"))
}
