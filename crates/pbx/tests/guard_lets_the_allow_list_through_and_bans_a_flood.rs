//! Per-source rate limits: a source far over its limit for long enough is banned as a
//! flood; a phone at a normal pace never notices; allow-listed networks are neither
//! limited nor banned, and allowing a banned address lets it in at once.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use pbx::dialplan::AddressRule;
use pbx::guard::{Admission, BanReason, Guard, GuardConfig, GuardEvent};

#[test]
fn a_flood_at_500_a_second_is_banned_within_seconds() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let flooder: IpAddr = "127.0.0.5".parse().unwrap();
    let mut banned_at = None;
    for i in 0..6000u64 {
        let now = t0 + Duration::from_millis(i * 2);
        guard.admit(now, flooder);
        if banned_at.is_none() && guard.is_banned(now, flooder) {
            banned_at = Some(i);
        }
    }
    let banned_at = banned_at.expect("the flood was never banned");
    assert!(banned_at < 3000, "banned only after {banned_at} messages");
    match guard.poll_event() {
        Some(GuardEvent::Banned(ban)) => assert_eq!(ban.reason, BanReason::Flood),
        other => panic!("expected a flood ban, got {other:?}"),
    }
}

#[test]
fn a_phone_at_a_normal_pace_is_never_limited() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let phone: IpAddr = "192.0.2.10".parse().unwrap();
    // A burst of 60 at start (registrations, subscriptions), then 10 a second.
    for _ in 0..60 {
        assert_eq!(guard.admit(t0, phone), Admission::Accept);
    }
    for i in 1..=600u64 {
        let now = t0 + Duration::from_millis(i * 100);
        assert_eq!(guard.admit(now, phone), Admission::Accept, "message {i}");
    }
}

#[test]
fn allowed_networks_are_never_limited_nor_banned() {
    let t0 = Instant::now();
    let config = GuardConfig {
        allow: vec!["10.0.0.0/8".parse::<AddressRule>().unwrap()],
        ..GuardConfig::default()
    };
    let mut guard = Guard::new(t0, config);
    let lan: IpAddr = "10.1.2.3".parse().unwrap();
    for i in 0..5000u64 {
        let now = t0 + Duration::from_micros(i * 100);
        assert_eq!(guard.admit(now, lan), Admission::Accept);
        guard.auth_failed(now, lan);
    }
    assert!(guard.bans(t0 + Duration::from_secs(1)).is_empty());
}

#[test]
fn allowing_a_banned_address_lifts_its_ban() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let owner: IpAddr = "203.0.113.50".parse().unwrap();
    for i in 0..10 {
        guard.auth_failed(t0 + Duration::from_secs(i), owner);
    }
    let now = t0 + Duration::from_secs(11);
    assert!(guard.is_banned(now, owner));
    assert!(matches!(guard.poll_event(), Some(GuardEvent::Banned(_))));
    guard.set_allow_list(vec!["203.0.113.50".parse().unwrap()]);
    assert_eq!(guard.poll_event(), Some(GuardEvent::Lifted(owner)));
    assert_eq!(guard.admit(now, owner), Admission::Accept);
}
