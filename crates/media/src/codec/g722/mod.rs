//! ITU-T G.722 sub-band ADPCM at 64 kbit/s: 16 kHz audio split by a QMF into two bands,
//! the lower coded with 6 bits and the higher with 2 bits per 8 kHz sample, one octet
//! per pair of input samples.
//!
//! Written from the recommendation rather than taken from a crate: the Rust G.722 crates
//! either come inside a larger media framework or wrap C, and the algorithm is small and
//! fully specified (integer arithmetic, bit-exact by construction).

mod band;
mod qmf;
mod tables;

use super::{plc::Concealer, Codec};
use band::{saturate, Band, Kind};
use qmf::{Analysis, Synthesis};
use tables::{IHN, IHP, ILN, ILP, Q2, Q6, QM2, QM4, QM6};

/// 20 ms of 16 kHz audio: the silence given for a loss before anything was received.
const FRAME_16K: usize = 320;

/// One direction's worth of ADPCM state: both bands.
#[derive(Debug, Clone)]
struct Bands {
    lower: Band,
    higher: Band,
}

impl Bands {
    fn new() -> Self {
        Bands {
            lower: Band::new(Kind::Lower),
            higher: Band::new(Kind::Higher),
        }
    }
}

/// G.722 at 64 kbit/s (mode 1), RTP payload type 9.
///
/// RFC 3551 §4.5.2: the RTP clock runs at 8000 Hz although the audio is sampled at
/// 16 kHz, an error in RFC 1890 kept for compatibility; so `clock_rate` is 8000 and
/// `sample_rate` 16000.
#[derive(Debug, Clone)]
pub struct G722 {
    analysis: Analysis,
    encoder: Bands,
    /// A sample left over from an odd-length `encode`, paired with the next call's first.
    held: Option<i16>,
    synthesis: Synthesis,
    decoder: Bands,
    concealer: Concealer,
}

impl Default for G722 {
    fn default() -> Self {
        G722 {
            analysis: Analysis::default(),
            encoder: Bands::new(),
            held: None,
            synthesis: Synthesis::default(),
            decoder: Bands::new(),
            concealer: Concealer::new(FRAME_16K),
        }
    }
}

impl G722 {
    pub fn new() -> Self {
        Self::default()
    }

    fn encode_pair(&mut self, first: i16, second: i16) -> u8 {
        let (xl, xh) = self.analysis.split(first, second);
        let low = encode_lower(&mut self.encoder.lower, xl);
        let high = encode_higher(&mut self.encoder.higher, xh);
        (high << 6 | low) as u8
    }

    fn decode_octet(&mut self, code: u8) -> (i16, i16) {
        let rl = decode_lower(&mut self.decoder.lower, usize::from(code & 0x3f));
        let rh = decode_higher(&mut self.decoder.higher, usize::from(code >> 6));
        self.synthesis.join(rl, rh)
    }
}

/// QUANTL, INVQAL and the lower band's adaptation; returns the 6-bit code word.
fn encode_lower(band: &mut Band, xl: i32) -> i32 {
    let el = saturate(xl - band.s);
    // The quantiser is symmetric around -1/2: a negative difference is folded with
    // one's complement.
    let magnitude = if el >= 0 { el } else { -(el + 1) };
    let interval = (1..30)
        .find(|i| magnitude < (Q6[*i] * band.det) >> 12)
        .unwrap_or(30);
    let code = if el < 0 { ILN[interval] } else { ILP[interval] };
    adapt_lower(band, code as usize);
    code
}

/// QUANTH, INVQAH and the higher band's adaptation; returns the 2-bit code word.
fn encode_higher(band: &mut Band, xh: i32) -> i32 {
    let eh = saturate(xh - band.s);
    let magnitude = if eh >= 0 { eh } else { -(eh + 1) };
    let large = usize::from(magnitude >= (Q2 * band.det) >> 12) + 1;
    let code = if eh < 0 { IHN[large] } else { IHP[large] };
    adapt_higher(band, code as usize);
    code
}

/// INVQBL, RECONS and LIMIT for the output, then the same adaptation as the encoder.
fn decode_lower(band: &mut Band, code: usize) -> i32 {
    let step = QM6.get(code).copied().unwrap_or(0);
    let rl = (band.s + ((band.det * step) >> 15)).clamp(-16384, 16383);
    adapt_lower(band, code);
    rl
}

fn decode_higher(band: &mut Band, code: usize) -> i32 {
    let step = QM2.get(code).copied().unwrap_or(0);
    let rh = (band.s + ((band.det * step) >> 15)).clamp(-16384, 16383);
    adapt_higher(band, code);
    rh
}

/// The predictor adapts on the 4-bit truncation of the code (INVQAL) so that decoders
/// of the embedded 56 and 48 kbit/s modes, which lack the low bits, stay in step.
fn adapt_lower(band: &mut Band, code: usize) {
    let truncated = (code >> 2) & 0x0f;
    let step = QM4.get(truncated).copied().unwrap_or(0);
    let d = (band.det * step) >> 15;
    band.adapt_scale(truncated);
    band.predict(d);
}

fn adapt_higher(band: &mut Band, code: usize) {
    let step = QM2.get(code & 0x03).copied().unwrap_or(0);
    let d = (band.det * step) >> 15;
    band.adapt_scale(code);
    band.predict(d);
}

impl Codec for G722 {
    fn name(&self) -> &'static str {
        "G722"
    }

    fn clock_rate(&self) -> u32 {
        8000
    }

    fn sample_rate(&self) -> u32 {
        16000
    }

    fn static_payload_type(&self) -> Option<u8> {
        Some(9)
    }

    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        let mut samples = pcm.iter().copied();
        if let Some(first) = self.held.take() {
            match samples.next() {
                Some(second) => {
                    let octet = self.encode_pair(first, second);
                    out.push(octet);
                }
                None => {
                    self.held = Some(first);
                    return;
                }
            }
        }
        while let Some(first) = samples.next() {
            match samples.next() {
                Some(second) => {
                    let octet = self.encode_pair(first, second);
                    out.push(octet);
                }
                None => self.held = Some(first),
            }
        }
    }

    fn decode(&mut self, payload: Option<&[u8]>, out: &mut Vec<i16>) {
        match payload {
            Some(bytes) => {
                let start = out.len();
                out.reserve(bytes.len() * 2);
                for code in bytes {
                    let (first, second) = self.decode_octet(*code);
                    out.push(first);
                    out.push(second);
                }
                // Concealment works on the decoded samples; the ADPCM state simply goes
                // on from the last good octet, and re-converges within a few ms after a
                // loss since both bands' adaptation leaks.
                self.concealer
                    .remember(out.get(start..).unwrap_or_default());
            }
            None => self.concealer.conceal(out),
        }
    }
}
