//! G.711 against a widely used reference implementation of the recommendation's tables:
//! every code decodes to the same value, and every input the laws can tell apart (each
//! 14-bit value for µ-law, each 13-bit value for A-law) encodes to the same code.
//!
//! The files in `data/` were written once by that implementation: all 256 codes of
//! µ-law then A-law decoded to 16-bit samples, and the inputs -32768, -32764, … (µ-law)
//! and -32768, -32760, … (A-law) encoded.

use media::codec::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode};

fn samples(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

#[test]
fn every_code_decodes_to_the_reference_value() {
    let expected = samples(include_bytes!("data/g711_reference_decoded.s16le"));
    assert_eq!(expected.len(), 512);
    for code in 0..=255u8 {
        let i = usize::from(code);
        assert_eq!(ulaw_decode(code), expected[i], "µ-law {code:#04x}");
        assert_eq!(alaw_decode(code), expected[256 + i], "A-law {code:#04x}");
    }
}

#[test]
fn every_14_bit_value_encodes_to_the_reference_ulaw_code() {
    let expected = include_bytes!("data/g711_reference_ulaw_every_14_bit_value.bin");
    assert_eq!(expected.len(), 1 << 14);
    for (i, code) in expected.iter().enumerate() {
        let sample = (i as i32 * 4 - 32768) as i16;
        assert_eq!(ulaw_encode(sample), *code, "µ-law of {sample}");
    }
}

#[test]
fn every_13_bit_value_encodes_to_the_reference_alaw_code() {
    let expected = include_bytes!("data/g711_reference_alaw_every_13_bit_value.bin");
    assert_eq!(expected.len(), 1 << 13);
    for (i, code) in expected.iter().enumerate() {
        let sample = (i as i32 * 8 - 32768) as i16;
        assert_eq!(alaw_encode(sample), *code, "A-law of {sample}");
    }
}
