//! Phones send 10, 20 or 30 ms per packet; the transcoder still sends 20 ms payloads at
//! an even pace, and nothing a peer sends makes it panic.

use media::codec::{Codec, Pcmu};
use media::transcode::Transcoder;
use proptest::prelude::*;

const NAMES: [(&str, u32); 4] = [
    ("PCMU", 8000),
    ("PCMA", 8000),
    ("G722", 8000),
    ("opus", 48000),
];

#[test]
fn thirty_ms_packets_become_twenty_ms_payloads() {
    let mut transcoder = Transcoder::new("PCMU", 8000, "G722", 8000).expect("transcoder");
    let mut source = Pcmu::new();
    let mut out = Vec::new();
    let mut payloads = 0;
    // 20 packets of 30 ms = 600 ms = 30 payloads of 20 ms, less the resampler's delay
    // of less than a frame that stays inside.
    for sequence in 0..20u16 {
        let mut packet = Vec::new();
        source.encode(&[1000i16; 240], &mut packet);
        transcoder.push(sequence, &packet);
        out.clear();
        while transcoder.poll_payload(&mut out) {
            payloads += 1;
            assert_eq!(out.len(), 160, "20 ms of G.722");
            out.clear();
        }
    }
    assert!((29..=30).contains(&payloads), "{payloads}");
}

#[test]
fn a_lost_thirty_ms_packet_is_made_up_by_thirty_ms() {
    let mut transcoder = Transcoder::new("PCMU", 8000, "PCMA", 8000).expect("transcoder");
    let packet = vec![0x80u8; 240];
    let mut out = Vec::new();
    transcoder.push(0, &packet);
    transcoder.push(2, &packet);
    transcoder.push(3, &packet);
    while transcoder.poll_payload(&mut out) {}
    // 4 × 30 ms (one concealed) = 6 × 20 ms.
    assert_eq!(out.len(), 4 * 240);
}

proptest! {
    #[test]
    fn random_packets_between_any_two_codecs_never_panic(
        from in 0..NAMES.len(),
        to in 0..NAMES.len(),
        packets in proptest::collection::vec(
            (any::<u16>(), proptest::collection::vec(any::<u8>(), 0..300)),
            1..12,
        ),
    ) {
        let (from_name, from_clock) = NAMES[from];
        let (to_name, to_clock) = NAMES[to];
        let mut transcoder =
            Transcoder::new(from_name, from_clock, to_name, to_clock).expect("transcoder");
        let mut out = Vec::new();
        let mut payloads = 0usize;
        for (sequence, payload) in &packets {
            transcoder.push(*sequence, payload);
            while transcoder.poll_payload(&mut out) {
                payloads += 1;
            }
        }
        // Output is bounded by what 12 packets of at most 120 ms, each with at most
        // 100 ms concealed before it, can hold.
        prop_assert!(payloads <= 12 * (6 + 5));
    }
}
