//! Symmetric latching: follow the phone's NAT port early on, never a stranger.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::relay::{LatchConfig, Leg, Verdict};

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("socket address")
}

const CONFIG: LatchConfig = LatchConfig {
    packets: 5,
    window: Duration::from_secs(2),
};

#[test]
fn before_any_packet_media_goes_to_the_signalled_address() {
    let leg = Leg::new(addr("192.0.2.10:4000"), CONFIG);
    assert_eq!(leg.destination(), Some(addr("192.0.2.10:4000")));
    assert_eq!(leg.latched(), None);
}

#[test]
fn nat_port_of_the_signalled_ip_is_latched() {
    let now = Instant::now();
    let mut leg = Leg::new(addr("192.0.2.10:4000"), CONFIG);
    assert_eq!(
        leg.on_packet(now, addr("192.0.2.10:61000")),
        Verdict::Forward
    );
    assert_eq!(leg.destination(), Some(addr("192.0.2.10:61000")));
}

#[test]
fn foreign_ip_is_dropped_counted_and_never_latched() {
    let now = Instant::now();
    let mut leg = Leg::new(addr("192.0.2.10:4000"), CONFIG);
    assert_eq!(leg.on_packet(now, addr("198.51.100.9:4000")), Verdict::Drop);
    leg.on_packet(now, addr("192.0.2.10:4000"));
    assert_eq!(leg.on_packet(now, addr("198.51.100.9:4000")), Verdict::Drop);
    assert_eq!(leg.dropped(), 2);
    assert_eq!(leg.destination(), Some(addr("192.0.2.10:4000")));
}

#[test]
fn latch_moves_only_within_the_packet_window() {
    let now = Instant::now();
    let mut leg = Leg::new(addr("192.0.2.10:4000"), CONFIG);
    leg.on_packet(now, addr("192.0.2.10:5000"));
    // Still inside the window: a rebinding NAT may move the port.
    assert_eq!(
        leg.on_packet(now, addr("192.0.2.10:5002")),
        Verdict::Forward
    );
    for _ in 0..CONFIG.packets {
        leg.on_packet(now, addr("192.0.2.10:5002"));
    }
    // Window closed: even the signalled IP cannot move the latch any more.
    assert_eq!(leg.on_packet(now, addr("192.0.2.10:5004")), Verdict::Drop);
    assert_eq!(leg.destination(), Some(addr("192.0.2.10:5002")));
    assert_eq!(
        leg.on_packet(now, addr("192.0.2.10:5002")),
        Verdict::Forward
    );
    assert_eq!(leg.dropped(), 1);
}

#[test]
fn latch_moves_only_within_the_time_window() {
    let start = Instant::now();
    let mut leg = Leg::new(addr("192.0.2.10:4000"), CONFIG);
    leg.on_packet(start, addr("192.0.2.10:5000"));
    let late = start + CONFIG.window;
    assert_eq!(leg.on_packet(late, addr("192.0.2.10:5002")), Verdict::Drop);
    assert_eq!(leg.destination(), Some(addr("192.0.2.10:5000")));
}

#[test]
fn new_signalled_address_reopens_the_window_and_the_same_one_does_not() {
    let now = Instant::now();
    let mut leg = Leg::new(addr("192.0.2.10:4000"), CONFIG);
    for _ in 0..=CONFIG.packets {
        leg.on_packet(now, addr("192.0.2.10:5000"));
    }
    leg.update_signalled(addr("192.0.2.10:4000"));
    assert_eq!(leg.on_packet(now, addr("192.0.2.10:5002")), Verdict::Drop);

    leg.update_signalled(addr("203.0.113.4:7000"));
    assert_eq!(leg.destination(), Some(addr("203.0.113.4:7000")));
    assert_eq!(leg.on_packet(now, addr("192.0.2.10:5000")), Verdict::Drop);
    assert_eq!(
        leg.on_packet(now, addr("203.0.113.4:7010")),
        Verdict::Forward
    );
    assert_eq!(leg.destination(), Some(addr("203.0.113.4:7010")));
}

#[test]
fn hold_address_has_no_destination_and_accepts_nothing() {
    let now = Instant::now();
    let mut leg = Leg::new(addr("0.0.0.0:4000"), CONFIG);
    assert_eq!(leg.destination(), None);
    assert_eq!(leg.on_packet(now, addr("192.0.2.10:4000")), Verdict::Drop);
}

#[test]
fn trusted_signalling_ip_may_latch_when_sdp_shows_a_private_address() {
    let now = Instant::now();
    let mut leg = Leg::new(addr("192.168.1.20:4000"), CONFIG);
    leg.trust_ip(addr("203.0.113.50:0").ip());
    assert_eq!(
        leg.on_packet(now, addr("203.0.113.50:31000")),
        Verdict::Forward
    );
    assert_eq!(leg.destination(), Some(addr("203.0.113.50:31000")));
}

#[test]
fn ipv4_mapped_sources_match_ipv4_signalling() {
    let now = Instant::now();
    let mut leg = Leg::new(addr("192.0.2.10:4000"), CONFIG);
    assert_eq!(
        leg.on_packet(now, addr("[::ffff:192.0.2.10]:4000")),
        Verdict::Forward
    );
}
