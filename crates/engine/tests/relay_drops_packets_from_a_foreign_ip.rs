//! A stranger who finds the relay port can neither inject audio nor steal the stream.

mod relay_support;

use engine::relay::{RelayOptions, RelayPool, Side};
use relay_support::*;

#[tokio::test]
async fn stranger_packets_are_not_forwarded_and_do_not_move_the_latch() {
    let pool = RelayPool::with_options(
        22000..=22099,
        RelayOptions {
            rtcp: false,
            ..RelayOptions::default()
        },
    );
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let stranger = socket_on(STRANGER).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    // Before phone A has sent anything (the latch is still open) ...
    send(&stranger, relay_for_a, &rtp(666, b"injected")).await;
    send(&phone_a, relay_for_a, &rtp(1, b"hello")).await;
    // ... and after.
    send(&stranger, relay_for_a, &rtp(667, b"injected")).await;
    send(&phone_a, relay_for_a, &rtp(2, b"hello")).await;
    // UDP on loopback keeps order per receiving socket: had a stranger packet been
    // relayed, it would arrive before the phone's.
    assert_eq!(recv_sequence(&phone_b).await.0, 1);
    assert_eq!(recv_sequence(&phone_b).await.0, 2);

    // B's audio still goes to A, not to the stranger.
    send(&phone_b, relay_for_b, &rtp(50, b"reply")).await;
    assert_eq!(recv_sequence(&phone_a).await.0, 50);

    let stats = relay.stats();
    assert_eq!(stats.refused_a, 2);
    assert_eq!(stats.a_to_b.packets, 2);
}
