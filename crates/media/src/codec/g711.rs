//! ITU-T G.711 µ-law and A-law, computed bit by bit (no tables).
//!
//! Both laws are segmented: the sign, a 3-bit segment (exponent) and a 4-bit step within
//! the segment. µ-law works on 14-bit magnitudes with a bias of 33 (132 at 16-bit scale)
//! so segments start at powers of two; A-law works on 13-bit magnitudes and has a linear
//! first segment. The even bits of A-law and all bits of µ-law are inverted on the wire
//! (G.711 tables 1a/2a), which is what the final XORs do.

use super::{plc::Concealer, Codec};

/// µ-law bias at 16-bit scale (G.711 §3: 33 at 14-bit scale).
const ULAW_BIAS: i32 = 0x84;
/// Largest magnitude µ-law represents before the bias pushes it past 15 bits.
const ULAW_CLIP: i32 = 32635;

/// Encodes one 16-bit sample as µ-law.
pub fn ulaw_encode(sample: i16) -> u8 {
    let value = i32::from(sample);
    let sign: u8 = if value < 0 { 0x80 } else { 0 };
    let magnitude = value.unsigned_abs().min(ULAW_CLIP as u32) as i32 + ULAW_BIAS;
    // Segment = position of the highest set bit above bit 7 (magnitude < 2^15).
    let exponent = (31 - magnitude.leading_zeros()).saturating_sub(7).min(7) as u8;
    let mantissa = ((magnitude >> (exponent + 3)) & 0x0f) as u8;
    !(sign | exponent << 4 | mantissa)
}

/// Decodes one µ-law octet to a 16-bit sample.
pub fn ulaw_decode(code: u8) -> i16 {
    let code = !code;
    let exponent = (code >> 4) & 0x07;
    let mantissa = i32::from(code & 0x0f);
    let magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
    if code & 0x80 != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

/// Encodes one 16-bit sample as A-law.
pub fn alaw_encode(sample: i16) -> u8 {
    // A-law is defined on 13-bit samples.
    let mut value = i32::from(sample) >> 3;
    let mask: u8 = if value >= 0 {
        0xd5
    } else {
        // One's complement keeps the negative range symmetric with the positive one.
        value = -value - 1;
        0x55
    };
    // Segment 0 and 1 both step by 2 (the linear part); segment n ≥ 1 covers
    // [2^(n+4), 2^(n+5)).
    let segment = (32 - (value as u32 >> 5).leading_zeros()).min(8) as u8;
    if segment >= 8 {
        return 0x7f ^ mask;
    }
    let shift = if segment < 2 { 1 } else { segment };
    let step = ((value >> shift) & 0x0f) as u8;
    (segment << 4 | step) ^ mask
}

/// Decodes one A-law octet to a 16-bit sample.
pub fn alaw_decode(code: u8) -> i16 {
    let code = code ^ 0x55;
    let segment = (code >> 4) & 0x07;
    let step = i32::from(code & 0x0f) << 4;
    let magnitude = match segment {
        0 => step + 8,
        _ => (step + 0x108) << (segment - 1),
    };
    if code & 0x80 != 0 {
        magnitude as i16
    } else {
        -magnitude as i16
    }
}

/// G.711 µ-law, RTP payload type 0 (RFC 3551 §4.5.14).
#[derive(Debug, Default, Clone)]
pub struct Pcmu {
    concealer: Concealer,
}

/// G.711 A-law, RTP payload type 8 (RFC 3551 §4.5.14).
#[derive(Debug, Default, Clone)]
pub struct Pcma {
    concealer: Concealer,
}

impl Pcmu {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Pcma {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Codec for Pcmu {
    fn name(&self) -> &'static str {
        "PCMU"
    }

    fn clock_rate(&self) -> u32 {
        8000
    }

    fn static_payload_type(&self) -> Option<u8> {
        Some(0)
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        out.extend(pcm.iter().map(|s| ulaw_encode(*s)));
    }

    fn decode(&mut self, payload: Option<&[u8]>, out: &mut Vec<i16>) {
        match payload {
            Some(bytes) => self
                .concealer
                .received(bytes.iter().map(|c| ulaw_decode(*c)), out),
            None => self.concealer.conceal(out),
        }
    }
}

impl Codec for Pcma {
    fn name(&self) -> &'static str {
        "PCMA"
    }

    fn clock_rate(&self) -> u32 {
        8000
    }

    fn static_payload_type(&self) -> Option<u8> {
        Some(8)
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        out.extend(pcm.iter().map(|s| alaw_encode(*s)));
    }

    fn decode(&mut self, payload: Option<&[u8]>, out: &mut Vec<i16>) {
        match payload {
            Some(bytes) => self
                .concealer
                .received(bytes.iter().map(|c| alaw_decode(*c)), out),
            None => self.concealer.conceal(out),
        }
    }
}
