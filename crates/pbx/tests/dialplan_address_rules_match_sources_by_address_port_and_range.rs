//! An IP trunk's allowed entries: exact addresses (with or without a port), CIDR ranges in
//! both families, host names left for the runtime to resolve, and nothing else.

use std::net::{IpAddr, SocketAddr};

use pbx::dialplan::{parse_allowed, AddressRule, AllowedEntry};

fn rule(s: &str) -> AddressRule {
    s.parse()
        .unwrap_or_else(|e| panic!("{s} should parse: {e}"))
}

fn src(s: &str) -> SocketAddr {
    s.parse()
        .unwrap_or_else(|e| panic!("test address {s}: {e}"))
}

#[test]
fn an_address_without_port_matches_any_port() {
    let r = rule("203.0.113.5");
    assert!(r.matches(src("203.0.113.5:5060")));
    assert!(r.matches(src("203.0.113.5:40000")));
    assert!(!r.matches(src("203.0.113.6:5060")));
}

#[test]
fn an_address_with_port_matches_that_port_only() {
    let r = rule("203.0.113.5:5060");
    assert!(r.matches(src("203.0.113.5:5060")));
    assert!(!r.matches(src("203.0.113.5:5061")));
    let v6 = rule("[2001:db8::1]:5060");
    assert!(v6.matches(src("[2001:db8::1]:5060")));
    assert!(!v6.matches(src("[2001:db8::1]:5080")));
    assert!(!v6.matches(src("[2001:db8::2]:5060")));
    let any_port_v6 = rule("[2001:db8::1]");
    assert!(any_port_v6.matches(src("[2001:db8::1]:7000")));
}

#[test]
fn ipv4_ranges_match_their_addresses() {
    let r = rule("10.0.0.0/8");
    assert!(r.matches(src("10.0.0.1:5060")));
    assert!(r.matches(src("10.255.255.255:1")));
    assert!(!r.matches(src("11.0.0.1:5060")));
    let narrow = rule("203.0.113.0/30");
    assert!(narrow.matches(src("203.0.113.3:5060")));
    assert!(!narrow.matches(src("203.0.113.4:5060")));
}

#[test]
fn ipv6_ranges_match_their_addresses() {
    let r = rule("2001:db8::/32");
    assert!(r.matches(src("[2001:db8:ffff::1]:5060")));
    assert!(!r.matches(src("[2001:db9::1]:5060")));
    let odd = rule("2001:db8:8000::/33");
    assert!(odd.matches(src("[2001:db8:8000::1]:5060")));
    assert!(!odd.matches(src("[2001:db8:7fff::1]:5060")));
}

#[test]
fn families_never_match_each_other() {
    let all_v4 = rule("0.0.0.0/0");
    assert!(all_v4.matches(src("198.51.100.7:5060")));
    assert!(!all_v4.matches(src("[2001:db8::1]:5060")));
    let all_v6 = rule("::/0");
    assert!(all_v6.matches(src("[2001:db8::1]:5060")));
    assert!(!all_v6.matches(src("198.51.100.7:5060")));
}

#[test]
fn ipv4_mapped_sources_match_ipv4_rules() {
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    assert!(rule("203.0.113.5").matches(src("[::ffff:203.0.113.5]:5060")));
    assert!(rule("203.0.113.0/24").matches(src("[::ffff:203.0.113.77]:5060")));
    assert!(rule("::ffff:10.0.0.0/104").matches(src("10.1.2.3:5060")));
    assert!(!rule("203.0.113.5").matches(src("[::ffff:203.0.113.6]:5060")));
}

#[test]
fn host_bits_of_a_range_are_ignored() {
    let r = rule("10.1.2.3/8");
    assert!(r.matches(src("10.9.9.9:5060")));
    assert_eq!(r, rule("10.0.0.0/8"));
}

#[test]
fn malformed_rules_are_refused() {
    for bad in [
        "",
        "sip.provider.example",
        "203.0.113.300",
        "203.0.113",
        "10.0.0.0/33",
        "2001:db8::/129",
        "10.0.0.0/",
        "10.0.0.0/+8",
        "10.0.0.0/8/8",
        "/8",
        "203.0.113.5:0",
        "203.0.113.5:99999",
        "203.0.113.5:",
        "[2001:db8::1",
        "[203.0.113.5]:5060",
        "10.0.0.0/8:5060",
    ] {
        assert!(
            bad.parse::<AddressRule>().is_err(),
            "{bad:?} should be refused"
        );
    }
}

#[test]
fn a_rule_prints_as_it_parses() {
    for s in [
        "203.0.113.5",
        "203.0.113.5:5060",
        "[2001:db8::1]:5060",
        "10.0.0.0/8",
        "2001:db8::/32",
    ] {
        let r = rule(s);
        assert_eq!(r.to_string(), s);
        assert_eq!(rule(&r.to_string()), r);
    }
}

#[test]
fn resolved_addresses_become_rules() {
    let ip: IpAddr = "198.51.100.7".parse().expect("test address");
    let r = AddressRule::from(ip);
    assert!(r.matches(src("198.51.100.7:6000")));
    let exact = AddressRule::from(src("198.51.100.7:5060"));
    assert!(exact.matches(src("198.51.100.7:5060")));
    assert!(!exact.matches(src("198.51.100.7:6000")));
}

#[test]
fn allowed_entries_are_rules_or_host_names() {
    assert_eq!(
        parse_allowed("203.0.113.0/24"),
        Ok(AllowedEntry::Rule(rule("203.0.113.0/24")))
    );
    assert_eq!(
        parse_allowed(" SIP.Provider.example "),
        Ok(AllowedEntry::Host {
            name: "sip.provider.example".into(),
            port: None
        })
    );
    assert_eq!(
        parse_allowed("sip.provider.example:5080"),
        Ok(AllowedEntry::Host {
            name: "sip.provider.example".into(),
            port: Some(5080)
        })
    );
    assert!(matches!(
        parse_allowed("localhost"),
        Ok(AllowedEntry::Host { .. })
    ));
}

#[test]
fn entries_that_are_neither_are_refused() {
    for bad in [
        "",
        "sip provider",
        "-bad.example",
        "bad-.example",
        "bad..example",
        "203.0.113.300",
        "10.0.0.0/33",
        "sip.provider.example:0",
        "sip.provider.example:http",
        "under_score.example",
        "https://sip.provider.example",
        "a.b.c:5060:5060",
    ] {
        assert!(parse_allowed(bad).is_err(), "{bad:?} should be refused");
    }
    let long_label = format!("{}.example", "a".repeat(64));
    assert!(parse_allowed(&long_label).is_err());
}
