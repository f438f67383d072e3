//! The owner's allow-list: every address of an allowed network (IPv4 or IPv6, and an IPv4
//! peer seen on a dual-stack socket) is neither limited nor banned; replacing the list never
//! drops the machine's own addresses, and an address taken off the list is guarded again.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use pbx::dialplan::AddressRule;
use pbx::guard::{Admission, Guard, GuardConfig};

fn rules(list: &[&str]) -> Vec<AddressRule> {
    list.iter().map(|r| r.parse().unwrap()).collect()
}

/// Ten wrong passwords a second apart, then a flood, from `source`; whether it ends banned.
fn attack(guard: &mut Guard, t0: Instant, source: IpAddr) -> bool {
    for i in 0..10 {
        guard.auth_failed(t0 + Duration::from_secs(i), source);
    }
    let later = t0 + Duration::from_secs(11);
    let mut dropped = 0;
    for i in 0..3000u64 {
        if guard.admit(later + Duration::from_micros(i * 100), source) == Admission::Drop {
            dropped += 1;
        }
    }
    guard.is_banned(later + Duration::from_secs(1), source) || dropped > 0
}

#[test]
fn networks_on_the_owners_list_are_never_limited_nor_banned() {
    let t0 = Instant::now();
    let mut guard = Guard::new(t0, GuardConfig::default());
    guard.set_allow_list(rules(&["192.0.2.0/24", "2001:db8::/32"]));
    for source in ["192.0.2.77", "2001:db8:1::5", "::ffff:192.0.2.9"] {
        let ip: IpAddr = source.parse().unwrap();
        assert!(
            !attack(&mut guard, t0, ip),
            "{source} was limited or banned"
        );
    }
    let stranger: IpAddr = "198.51.100.1".parse().unwrap();
    assert!(
        attack(&mut guard, t0, stranger),
        "a stranger is still guarded"
    );
}

#[test]
fn replacing_the_list_keeps_the_machines_own_addresses_and_guards_the_removed() {
    let t0 = Instant::now();
    let own: IpAddr = "127.0.0.1".parse().unwrap();
    let config = GuardConfig {
        allow: vec![AddressRule::from(own)],
        ..GuardConfig::default()
    };
    let mut guard = Guard::new(t0, config);
    guard.set_allow_list(rules(&["203.0.113.7"]));
    guard.set_allow_list(Vec::new());
    assert!(
        !attack(&mut guard, t0, own),
        "the machine's own address stays allowed"
    );
    let removed: IpAddr = "203.0.113.7".parse().unwrap();
    assert!(
        attack(&mut guard, t0, removed),
        "a removed address is guarded again"
    );
}

#[test]
fn allow_list_entries_are_addresses_or_networks_only() {
    for good in [
        "203.0.113.5",
        " 192.168.1.0/24 ",
        "2001:db8::1",
        "[2001:db8::1]",
        "2001:db8::/32",
    ] {
        assert!(pbx::guard::parse_allow_entry(good).is_some(), "{good}");
    }
    for bad in [
        "",
        "pbx.example.com",
        "203.0.113.5:5060",
        "[2001:db8::1]:5060",
        "192.168.1.0/33",
        "192.168.1.0/",
        "300.1.1.1",
        "10.0.0.0/8/8",
    ] {
        assert!(pbx::guard::parse_allow_entry(bad).is_none(), "{bad}");
    }
}
