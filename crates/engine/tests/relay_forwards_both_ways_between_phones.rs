//! Two phones on loopback talk through the relay in both directions.

mod relay_support;

use engine::relay::{RelayOptions, RelayPool, Side};
use relay_support::*;

#[tokio::test]
async fn packets_flow_both_ways_and_are_counted() {
    let pool = RelayPool::with_options(
        21000..=21099,
        RelayOptions {
            rtcp: false,
            ..RelayOptions::default()
        },
    );
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay_for_a = ports.local_addr(Side::A);
    let relay_for_b = ports.local_addr(Side::B);
    assert_ne!(relay_for_a, relay_for_b);
    assert_eq!(relay_for_a.port() % 2, 0, "RTP on an even port");
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    for seq in 0..10 {
        send(&phone_a, relay_for_a, &rtp(seq, &[0xff; 160])).await;
        let (got, from) = recv_sequence(&phone_b).await;
        assert_eq!(got, seq);
        assert_eq!(from, relay_for_b, "B hears the relay's B-side port");

        send(&phone_b, relay_for_b, &rtp(1000 + seq, &[0xd5; 160])).await;
        let (got, from) = recv_sequence(&phone_a).await;
        assert_eq!(got, 1000 + seq);
        assert_eq!(from, relay_for_a, "A hears the relay's A-side port");
    }

    let stats = relay.stats();
    assert_eq!(stats.a_to_b.packets, 10);
    assert_eq!(stats.b_to_a.packets, 10);
    assert_eq!(stats.a_to_b.bytes, 10 * 172);
    assert_eq!(stats.refused_a + stats.refused_b + stats.undeliverable, 0);
    relay.close().await;
}

#[tokio::test]
async fn rtcp_is_relayed_on_the_odd_ports() {
    let pool = RelayPool::new(21100..=21199);
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let rtcp_a = ports.rtcp_port(Side::A).expect("rtcp port");
    assert_eq!(rtcp_a, ports.local_addr(Side::A).port() + 1);
    let rtcp_b = ports.rtcp_port(Side::B).expect("rtcp port");

    let phone_a_rtcp = socket_on(LOOPBACK).await;
    let phone_b_rtcp = socket_on(LOOPBACK).await;
    // The phones announce RTP ports one below their RTCP sockets (RFC 3550 §11).
    let a_rtp = std::net::SocketAddr::new(LOOPBACK, addr_of(&phone_a_rtcp).port() - 1);
    let b_rtp = std::net::SocketAddr::new(LOOPBACK, addr_of(&phone_b_rtcp).port() - 1);
    let relay = pool.start(ports, a_rtp, b_rtp).expect("start");

    let report = [0x81, 201, 0, 1, 0, 0, 0, 7];
    phone_a_rtcp
        .send_to(&report, (LOOPBACK, rtcp_a))
        .await
        .expect("send");
    let mut buf = [0u8; 64];
    let (len, from) = tokio::time::timeout(PATIENCE, phone_b_rtcp.recv_from(&mut buf))
        .await
        .expect("rtcp arrives")
        .expect("recv");
    assert_eq!(&buf[..len], report);
    assert_eq!(from.port(), rtcp_b);
    assert_eq!(relay.stats().rtcp, 1);
    assert_eq!(
        relay.stats().a_to_b.packets,
        0,
        "RTCP is not counted as RTP"
    );
}

#[tokio::test]
async fn a_leg_whose_peer_is_unknown_waits_for_update_peer() {
    let pool = RelayPool::with_options(
        21200..=21299,
        RelayOptions {
            rtcp: false,
            ..RelayOptions::default()
        },
    );
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let unknown = std::net::SocketAddr::new(LOOPBACK, 0);
    let relay = pool
        .start(ports, addr_of(&phone_a), unknown)
        .expect("start");

    // A talks before B answered: nowhere to send it yet.
    send(&phone_a, relay_for_a, &rtp(1, b"early")).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while relay.stats().undeliverable == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "early packet never read"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    // B's answer names its address; B's packets and A's next ones now flow.
    relay.update_peer(Side::B, addr_of(&phone_b));
    send(&phone_b, relay_for_b, &rtp(2, b"answer")).await;
    assert_eq!(recv_sequence(&phone_a).await.0, 2);
    send(&phone_a, relay_for_a, &rtp(3, b"talk")).await;
    assert_eq!(recv_sequence(&phone_b).await.0, 3);
    assert_eq!(relay.stats().undeliverable, 1);
}

#[tokio::test]
async fn each_side_may_use_its_own_address() {
    let pool = RelayPool::with_options(
        21300..=21399,
        RelayOptions {
            rtcp: false,
            ..RelayOptions::default()
        },
    );
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(STRANGER).await;
    let ports = pool.allocate_between(LOOPBACK, STRANGER).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    assert_eq!((relay_for_a.ip(), relay_for_b.ip()), (LOOPBACK, STRANGER));
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");
    send(&phone_a, relay_for_a, &rtp(7, b"over")).await;
    let (seq, from) = recv_sequence(&phone_b).await;
    assert_eq!((seq, from), (7, relay_for_b));
    relay.close().await;
}
