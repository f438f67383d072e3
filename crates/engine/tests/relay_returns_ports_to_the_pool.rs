//! Ports come back when a call ends, and an exhausted pool says so.

mod relay_support;

use engine::relay::{RelayError, RelayPool, Side};
use relay_support::*;

#[tokio::test]
async fn closing_a_relay_frees_its_ports() {
    let pool = RelayPool::new(24000..=24019);
    assert_eq!(pool.capacity(), 10);
    let phone = addr_of(&socket_on(LOOPBACK).await);

    let ports = pool.allocate(LOOPBACK).expect("ports");
    assert_eq!(pool.available(), 8);
    let relay = pool.start(ports, phone, phone).expect("start");
    assert_eq!(pool.available(), 8);
    relay.close().await;
    assert_eq!(pool.available(), 10);

    // Ports allocated but never started come back when dropped.
    let unused = pool.allocate(LOOPBACK).expect("ports");
    drop(unused);
    assert_eq!(pool.available(), 10);
}

#[tokio::test]
async fn a_full_pool_refuses_and_recovers() {
    let pool = RelayPool::new(24100..=24107);
    let mut held = Vec::new();
    loop {
        match pool.allocate(LOOPBACK) {
            Ok(ports) => held.push(ports),
            Err(RelayError::Exhausted) => break,
            Err(other) => panic!("unexpected error {other}"),
        }
        assert!(held.len() <= 2, "four base ports hold at most two calls");
    }
    assert!(!held.is_empty());
    let freed = held.pop().expect("one call").local_addr(Side::A);
    assert!(
        pool.allocate(LOOPBACK).is_ok(),
        "freed ports are reusable ({freed})"
    );
}

#[tokio::test]
async fn ports_in_use_elsewhere_are_skipped() {
    // Another program holds the first RTP port of the range.
    let squatter = std::net::UdpSocket::bind((LOOPBACK, 24200)).expect("bind squatter");
    let pool = RelayPool::new(24200..=24209);
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let used = [
        ports.local_addr(Side::A).port(),
        ports.local_addr(Side::B).port(),
    ];
    assert!(!used.contains(&24200), "{used:?}");
    assert_eq!(
        pool.available(),
        3,
        "the busy port stays in the pool for later"
    );
    drop(squatter);
}

#[tokio::test]
async fn ipv6_relays_work_like_ipv4_ones() {
    let v6 = std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST);
    let Ok(phone_a) = tokio::net::UdpSocket::bind((v6, 0)).await else {
        return; // no IPv6 on this machine; nothing to prove
    };
    let phone_b = socket_on(v6).await;
    let pool = RelayPool::new(24300..=24399);
    let ports = pool.allocate(v6).expect("ports");
    let relay_for_a = ports.local_addr(Side::A);
    assert!(relay_for_a.is_ipv6());
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");
    send(&phone_a, relay_for_a, &rtp(9, b"v6")).await;
    assert_eq!(recv_sequence(&phone_b).await.0, 9);
    relay.close().await;
}

#[test]
fn starting_outside_a_runtime_is_an_error_not_a_panic() {
    let pool = RelayPool::new(24400..=24499);
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let peer = std::net::SocketAddr::new(LOOPBACK, 9);
    assert!(matches!(
        pool.start(ports, peer, peer),
        Err(RelayError::NoRuntime)
    ));
    assert_eq!(pool.available(), pool.capacity());
}
