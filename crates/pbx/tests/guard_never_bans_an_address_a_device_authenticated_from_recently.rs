//! The office's own address (one phone with a stale password behind the same NAT as the
//! others) is never banned while a device has authenticated from it within 24 hours; it
//! is rate limited like everyone, and bannable again once the day has passed.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use pbx::guard::{Admission, Guard, GuardConfig};

#[test]
fn failures_from_a_trusted_address_do_not_ban_it() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let office: IpAddr = "198.51.100.20".parse().unwrap();
    guard.auth_succeeded(t0, office);
    for i in 0..50 {
        guard.auth_failed(t0 + Duration::from_secs(i), office);
    }
    assert!(!guard.is_banned(t0 + Duration::from_secs(50), office));
    assert!(guard.bans(t0 + Duration::from_secs(50)).is_empty());
}

#[test]
fn a_flood_from_a_trusted_address_is_limited_not_banned() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let office: IpAddr = "198.51.100.20".parse().unwrap();
    guard.auth_succeeded(t0, office);
    let mut dropped = 0;
    for i in 0..2000u32 {
        let now = t0 + Duration::from_micros(u64::from(i) * 500);
        if guard.admit(now, office) == Admission::Drop {
            dropped += 1;
        }
    }
    assert!(dropped > 1000, "only {dropped} of 2000 dropped at 2000/s");
    assert!(!guard.is_banned(t0 + Duration::from_secs(1), office));
    // After a quiet second the phones get through again.
    assert_eq!(
        guard.admit(t0 + Duration::from_secs(3), office),
        Admission::Accept
    );
}

#[test]
fn the_trust_ends_a_day_after_the_last_success() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    let address: IpAddr = "203.0.113.77".parse().unwrap();
    guard.auth_succeeded(t0, address);
    let later = t0 + Duration::from_secs(24 * 3600 + 1);
    for i in 0..10 {
        guard.auth_failed(later + Duration::from_secs(i), address);
    }
    assert!(guard.is_banned(later + Duration::from_secs(10), address));
}
