//! G.722 is bit-exact against a reference implementation that passes the ITU test
//! sequences: the same input gives the same octets, the same octets the same samples.
//!
//! `data/g722_reference.g722` and `data/g722_reference_decoded.s16le` were made once by
//! encoding `reference_input()` with that implementation (64 kbit/s, 16 kHz) and
//! decoding its output again with a fresh decoder.

use media::codec::{Codec, G722};

/// Half a second of a 400 Hz triangle plus pseudo-random noise, in eight level steps
/// from silence to clipping so both bands' adaptation is exercised across its range.
/// Integer-only, so any implementation can reproduce it exactly.
fn reference_input() -> Vec<i16> {
    let gains: [(i32, u32); 8] = [
        (1, 0),
        (1, 3),
        (3, 0),
        (1, 6),
        (1, 1),
        (0, 0),
        (2, 0),
        (1, 2),
    ];
    let mut state: u32 = 1;
    (0..8000usize)
        .map(|n| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let noise = ((state >> 16) & 0x7fff) as i32 - 16384;
            let t = (n % 40) as i32;
            let triangle = if t < 20 {
                t * 1600 - 16000
            } else {
                (40 - t) * 1600 - 16000
            };
            let (num, shift) = gains[n / 1000];
            let x = ((triangle + (noise >> 1)) * num) >> shift;
            x.clamp(-32768, 32767) as i16
        })
        .collect()
}

#[test]
fn encoder_output_matches_the_reference_octet_for_octet() {
    let expected = include_bytes!("data/g722_reference.g722");
    let mut codec = G722::new();
    let mut coded = Vec::new();
    // 20 ms frames, as RTP carries them.
    for frame in reference_input().chunks(320) {
        codec.encode(frame, &mut coded);
    }
    assert_eq!(coded.len(), expected.len());
    let first_difference = coded.iter().zip(expected).position(|(a, b)| a != b);
    assert_eq!(first_difference, None);
}

#[test]
fn decoder_output_matches_the_reference_sample_for_sample() {
    let coded = include_bytes!("data/g722_reference.g722");
    let expected: Vec<i16> = include_bytes!("data/g722_reference_decoded.s16le")
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let mut codec = G722::new();
    let mut decoded = Vec::new();
    for packet in coded.chunks(160) {
        codec.decode(Some(packet), &mut decoded);
    }
    assert_eq!(decoded.len(), expected.len());
    let first_difference = decoded.iter().zip(&expected).position(|(a, b)| a != b);
    assert_eq!(first_difference, None);
}

#[test]
fn odd_length_frames_encode_like_even_ones() {
    let input = reference_input();
    let mut whole = Vec::new();
    G722::new().encode(&input, &mut whole);
    let mut pieces = Vec::new();
    let mut codec = G722::new();
    for frame in input.chunks(333) {
        codec.encode(frame, &mut pieces);
    }
    assert_eq!(whole, pieces);
}
