//! Ten failed authentications within ten minutes ban the source for an hour; a repeat
//! offender's ban doubles; failures spread wider than the window never add up.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use pbx::guard::{Admission, BanReason, Guard, GuardConfig, GuardEvent};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn the_tenth_failure_bans_and_the_ban_ends_after_an_hour() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let attacker = ip("203.0.113.9");
    for i in 0..9 {
        guard.auth_failed(t0 + Duration::from_secs(i), attacker);
    }
    assert!(!guard.is_banned(t0 + Duration::from_secs(9), attacker));
    assert_eq!(
        guard.admit(t0 + Duration::from_secs(9), attacker),
        Admission::Accept
    );
    guard.auth_failed(t0 + Duration::from_secs(10), attacker);
    let now = t0 + Duration::from_secs(11);
    assert!(guard.is_banned(now, attacker));
    assert_eq!(guard.admit(now, attacker), Admission::Drop);
    match guard.poll_event() {
        Some(GuardEvent::Banned(ban)) => {
            assert_eq!(ban.address, attacker);
            assert_eq!(ban.reason, BanReason::FailedLogins);
            assert_eq!(ban.until - ban.since, Duration::from_secs(3600));
            assert_eq!(ban.strikes, 1);
        }
        other => panic!("expected a ban, got {other:?}"),
    }
    // Another address is not affected.
    assert_eq!(guard.admit(now, ip("203.0.113.10")), Admission::Accept);

    let end = t0 + Duration::from_secs(10 + 3600);
    assert!(guard.poll_timeout().is_some_and(|t| t <= end));
    guard.handle_timeout(end);
    assert_eq!(guard.poll_event(), Some(GuardEvent::Lifted(attacker)));
    assert!(!guard.is_banned(end, attacker));
    assert!(guard.bans(end).is_empty());
}

#[test]
fn a_repeat_offender_is_banned_twice_as_long() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let attacker = ip("198.51.100.7");
    for i in 0..10 {
        guard.auth_failed(t0 + Duration::from_secs(i), attacker);
    }
    let after_first = t0 + Duration::from_secs(3700);
    guard.handle_timeout(after_first);
    assert!(!guard.is_banned(after_first, attacker));
    for i in 0..10 {
        guard.auth_failed(after_first + Duration::from_secs(i), attacker);
    }
    let bans = guard.bans(after_first + Duration::from_secs(10));
    assert_eq!(bans.len(), 1);
    assert_eq!(bans[0].strikes, 2);
    assert_eq!(bans[0].until - bans[0].since, Duration::from_secs(7200));
}

#[test]
fn failures_further_apart_than_the_window_never_ban() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let phone = ip("192.0.2.44");
    // One failure every 70 s: never ten within ten minutes.
    for i in 0..40 {
        let now = t0 + Duration::from_secs(i * 70);
        guard.auth_failed(now, phone);
        assert!(!guard.is_banned(now, phone), "banned at failure {i}");
    }
}

#[test]
fn a_ban_lifted_by_hand_lets_the_source_in_and_forgives_its_strikes() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let source = ip("2001:db8::5");
    for i in 0..10 {
        guard.auth_failed(t0 + Duration::from_secs(i), source);
    }
    let now = t0 + Duration::from_secs(20);
    assert!(guard.is_banned(now, source));
    assert!(guard.lift(source));
    assert!(!guard.lift(source));
    assert_eq!(guard.admit(now, source), Admission::Accept);
    for i in 0..10 {
        guard.auth_failed(now + Duration::from_secs(i), source);
    }
    let bans = guard.bans(now + Duration::from_secs(10));
    assert_eq!(bans.len(), 1);
    assert_eq!(bans[0].strikes, 1);
}
