//! Audio a person would hear: a G.711 tone sent by one phone is detected at the other.

mod relay_support;

use engine::relay::{RelayPool, Side};
use media::codec::{Codec, Pcmu};
use media::tone::{detect_tone, Tone, ToneGenerator};
use relay_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ringback_sent_by_a_is_heard_by_b_and_silence_the_other_way() {
    let pool = RelayPool::new(25000..=25099);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    let mut generator = ToneGenerator::new(Tone::continuous(425.0), 8000);
    let (mut encoder, mut decoder) = (Pcmu::new(), Pcmu::new());
    let mut heard = Vec::new();
    for seq in 0..25u16 {
        let mut frame = [0i16; 160];
        generator.fill(&mut frame);
        let mut payload = Vec::new();
        encoder.encode(&frame, &mut payload);
        send(&phone_a, relay_for_a, &rtp(seq, &payload)).await;
        decoder.decode(Some(&recv_payload(&phone_b).await), &mut heard);
    }
    assert_eq!(heard.len(), 25 * 160);
    assert!(detect_tone(&heard, 8000, 425.0) > 0.9);

    let mut silence = Vec::new();
    Pcmu::new().encode(&[0; 160], &mut silence);
    send(&phone_b, relay_for_b, &rtp(1, &silence)).await;
    let mut back = Vec::new();
    Pcmu::new().decode(Some(&recv_payload(&phone_a).await), &mut back);
    assert!(detect_tone(&back, 8000, 425.0) < 0.1);
    relay.close().await;
}
