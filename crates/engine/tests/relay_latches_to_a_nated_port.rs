//! A phone behind NAT sends from another port than its SDP says; the relay answers there.

mod relay_support;

use engine::relay::{RelayOptions, RelayPool, Side};
use relay_support::*;

#[tokio::test]
async fn replies_follow_the_phone_to_its_translated_port() {
    let pool = RelayPool::with_options(
        23000..=23099,
        RelayOptions {
            rtcp: false,
            ..RelayOptions::default()
        },
    );
    // The port phone A wrote into its SDP, and the port its NAT actually uses.
    let announced = socket_on(LOOPBACK).await;
    let translated = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let relay = pool
        .start(ports, addr_of(&announced), addr_of(&phone_b))
        .expect("start");

    // Before A sends, B's audio goes to the announced address.
    send(&phone_b, relay_for_b, &rtp(1, b"early")).await;
    assert_eq!(recv_sequence(&announced).await.0, 1);

    // A's first packet comes from the translated port and is relayed ...
    send(&translated, relay_for_a, &rtp(100, b"from nat")).await;
    assert_eq!(recv_sequence(&phone_b).await.0, 100);

    // ... and from then on B's audio goes there.
    send(&phone_b, relay_for_b, &rtp(2, b"late")).await;
    assert_eq!(recv_sequence(&translated).await.0, 2);
    assert_eq!(relay.stats().refused_a, 0);
}

#[tokio::test]
async fn reinvite_to_a_new_address_moves_the_destination() {
    let pool = RelayPool::with_options(
        23100..=23199,
        RelayOptions {
            rtcp: false,
            ..RelayOptions::default()
        },
    );
    let phone_a = socket_on(LOOPBACK).await;
    let phone_a_moved = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay_for_b = ports.local_addr(Side::B);
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    send(&phone_b, relay_for_b, &rtp(1, b"one")).await;
    assert_eq!(recv_sequence(&phone_a).await.0, 1);

    relay.update_peer(Side::A, addr_of(&phone_a_moved));
    // The update is a message to the forwarding task; B's next packet is read after it
    // because both go through that one task in order of arrival.
    let mut seq = 2;
    loop {
        send(&phone_b, relay_for_b, &rtp(seq, b"two")).await;
        let mut buf = [0u8; 64];
        match tokio::time::timeout(
            std::time::Duration::from_millis(200),
            phone_a_moved.recv_from(&mut buf),
        )
        .await
        {
            Ok(Ok(_)) => break,
            _ => {
                seq += 1;
                assert!(seq < 25, "relay never followed the update");
            }
        }
    }
    assert_eq!(relay.stats().undeliverable, 0);
}
