//! Opus through libopus (the `opus` crate), set up for telephony: mono, VoIP mode,
//! wideband by default, in-band FEC on and the decoder's own concealment for losses.

use super::Codec;
use crate::Error;

/// RFC 7587 §4.1: the RTP clock of Opus is 48 kHz whatever rate the audio is coded at.
const RTP_CLOCK: u32 = 48_000;
/// The longest packet Opus allows (RFC 6716 §3.2.1 caps a packet at 1275 octets).
const MAX_PACKET: usize = 1275;
/// The longest duration one packet can hold (RFC 6716 §3.2.5: 120 ms).
const MAX_PACKET_MS: usize = 120;

/// How an Opus stream is coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpusConfig {
    /// Rate of the PCM passed in and out: one of 8000, 12000, 16000, 24000, 48000.
    /// 16 kHz (wideband) carries speech well at a fraction of fullband's cost.
    pub sample_rate: u32,
    /// Encoder complexity 0–10; 5 halves the CPU of 10 for little loss in speech quality,
    /// which is what lets a PBX transcode many calls per core.
    pub complexity: u8,
    /// Bit rate in bit/s.
    pub bitrate: u32,
    /// In-band FEC (RFC 6716 §2.1.7): each packet also carries a coarse copy of the one
    /// before, so one lost packet can be rebuilt from the next.
    pub inband_fec: bool,
    /// The loss rate the encoder expects; FEC is only added when this is above zero.
    pub expected_loss_percent: u8,
}

impl Default for OpusConfig {
    fn default() -> Self {
        OpusConfig {
            sample_rate: 16_000,
            complexity: 5,
            bitrate: 24_000,
            inband_fec: true,
            expected_loss_percent: 10,
        }
    }
}

/// An Opus encoder and decoder pair for one mono stream.
pub struct Opus {
    encoder: opus::Encoder,
    decoder: opus::Decoder,
    sample_rate: u32,
    /// Samples in the last frame decoded: the length to conceal when the next is lost,
    /// since Opus needs to be told how long the gap is.
    last_frame: usize,
    /// The configuration asked for FEC: a loss report may turn it off and on again,
    /// never on where it was not wanted.
    fec_allowed: bool,
}

impl std::fmt::Debug for Opus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opus")
            .field("sample_rate", &self.sample_rate)
            .field("last_frame", &self.last_frame)
            .finish_non_exhaustive()
    }
}

impl Opus {
    /// An Opus codec with the default configuration (16 kHz, complexity 5, FEC on).
    pub fn new() -> Result<Self, Error> {
        Self::with_config(OpusConfig::default())
    }

    pub fn with_config(config: OpusConfig) -> Result<Self, Error> {
        let setup = |_| Error::CodecSetup("opus");
        let mut encoder = opus::Encoder::new(
            config.sample_rate,
            opus::Channels::Mono,
            opus::Application::Voip,
        )
        .map_err(setup)?;
        encoder
            .set_complexity(i32::from(config.complexity.min(10)))
            .map_err(setup)?;
        encoder
            .set_bitrate(opus::Bitrate::Bits(
                i32::try_from(config.bitrate).unwrap_or(i32::MAX),
            ))
            .map_err(setup)?;
        // Telephony carries speech: saying so spares the encoder its speech/music
        // analysis and keeps it in the SILK modes that carry FEC.
        encoder.set_signal(opus::Signal::Voice).map_err(setup)?;
        encoder.set_inband_fec(config.inband_fec).map_err(setup)?;
        encoder
            .set_packet_loss_perc(i32::from(config.expected_loss_percent.min(100)))
            .map_err(setup)?;
        let decoder =
            opus::Decoder::new(config.sample_rate, opus::Channels::Mono).map_err(setup)?;
        Ok(Opus {
            encoder,
            decoder,
            sample_rate: config.sample_rate,
            last_frame: frame_20ms(config.sample_rate),
            fec_allowed: config.inband_fec,
        })
    }

    /// Asks libopus to fill `len` samples at the end of `out`, from `packet` (empty for
    /// plain concealment) or from the FEC data in it; keeps what it wrote and returns
    /// whether it succeeded.
    fn decode_into(&mut self, packet: &[u8], fec: bool, len: usize, out: &mut Vec<i16>) -> bool {
        let start = out.len();
        out.resize(start + len, 0);
        let written = match out.get_mut(start..) {
            Some(tail) => self.decoder.decode(packet, tail, fec).ok(),
            None => None,
        };
        match written {
            Some(n) if n > 0 => {
                out.truncate(start + n.min(len));
                true
            }
            _ => {
                out.truncate(start);
                false
            }
        }
    }

    fn conceal(&mut self, out: &mut Vec<i16>) {
        let len = self.last_frame;
        if !self.decode_into(&[], false, len, out) {
            out.resize(out.len() + len, 0);
        }
    }
}

fn frame_20ms(sample_rate: u32) -> usize {
    sample_rate as usize / 50
}

impl Codec for Opus {
    fn name(&self) -> &'static str {
        "opus"
    }

    fn clock_rate(&self) -> u32 {
        RTP_CLOCK
    }

    fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    fn static_payload_type(&self) -> Option<u8> {
        None
    }

    /// `pcm` must be 2.5, 5, 10, 20, 40 or 60 ms long at `sample_rate`; libopus refuses
    /// anything else, and then nothing is appended.
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(start + MAX_PACKET, 0);
        let written = match out.get_mut(start..) {
            Some(tail) => self.encoder.encode(pcm, tail).unwrap_or(0),
            None => 0,
        };
        out.truncate(start + written);
    }

    fn decode(&mut self, payload: Option<&[u8]>, out: &mut Vec<i16>) {
        match payload {
            Some(packet) if !packet.is_empty() => {
                let max = self.sample_rate as usize * MAX_PACKET_MS / 1000;
                let start = out.len();
                if self.decode_into(packet, false, max, out) {
                    self.last_frame = out.len() - start;
                } else {
                    // A packet libopus cannot parse is as good as lost.
                    self.conceal(out);
                }
            }
            _ => self.conceal(out),
        }
    }

    /// Sets libopus's packet-loss percentage; at 0 in-band FEC is turned off (it would
    /// only take bits from the frame itself), above it back on. Cheap: no allocation,
    /// so it may be called from the media loop between frames.
    fn set_expected_loss(&mut self, percent: u8) {
        let percent = percent.min(100);
        if !self.fec_allowed {
            return;
        }
        let _ = self.encoder.set_inband_fec(percent > 0);
        let _ = self.encoder.set_packet_loss_perc(i32::from(percent));
    }

    fn decode_lost_before(&mut self, next: &[u8], out: &mut Vec<i16>) {
        // libopus rebuilds the lost frame from `next`'s FEC data when it carries some and
        // conceals otherwise; either way it must be told the lost frame's length.
        let len = self.last_frame;
        if next.is_empty() || !self.decode_into(next, true, len, out) {
            self.conceal(out);
        }
    }
}
