//! Transcoding one direction of a call whose two legs share no codec: decode what one
//! phone sends, conceal what it lost, resample, and encode for the other phone.
//!
//! The caller owns RTP: it parses packets (after its jitter buffer, so they arrive in
//! order), pushes each payload with its sequence number, then drains payloads to send,
//! each `timestamp_step()` RTP ticks after the previous one. Gaps in the sequence are
//! filled by the decoder's concealment (for Opus from the next packet's FEC data), so
//! the output keeps its pace through losses.

use crate::codec::{by_rtpmap, by_rtpmap_at, Codec, Resampler};
use crate::Error;

/// Output packets carry 20 ms, the RFC 3551 §4.5 default packetisation that every
/// phone accepts.
const PTIME_MS: u32 = 20;
/// Longest run of lost packets concealed (100 ms at 20 ms ptime): beyond it,
/// concealment sounds worse than a gap, and a sender that jumped its sequence
/// number (a restart) is simply followed.
const MAX_CONCEALED: u16 = 5;
/// RFC 3550 §A.1's MAX_MISORDER: a packet at most this far behind is late; one further
/// behind means the sender restarted its sequence (a new source after a re-INVITE).
const MAX_MISORDER: i16 = 100;
/// Output frames kept when the caller does not drain them, before the oldest go.
const MAX_READY_FRAMES: usize = 10;

/// What [`Transcoder::push`] made of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The first packet, or the one after the previous.
    InOrder,
    /// Packets were missing before this one; `concealed` frames stand in for them.
    AfterLoss { concealed: u16 },
    /// A duplicate or a packet older than one already decoded: dropped.
    Late,
    /// Far behind the stream: the sender started over, and the stream is followed
    /// from this packet on.
    Restart,
}

/// One direction of transcoding, from one codec to another.
pub struct Transcoder {
    decoder: Box<dyn Codec>,
    encoder: Box<dyn Codec>,
    resampler: Resampler,
    /// The sequence number expected next; `None` before the first packet.
    expected: Option<u16>,
    /// Decoder output of one push, reused.
    decoded: Vec<i16>,
    /// Audio at the encoder's rate waiting to be encoded, whole frames or less.
    ready: Vec<i16>,
    /// Samples per output payload at the encoder's rate.
    frame: usize,
}

impl std::fmt::Debug for Transcoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcoder")
            .field("from", &self.decoder.name())
            .field("to", &self.encoder.name())
            .field("expected", &self.expected)
            .field("ready", &self.ready.len())
            .finish_non_exhaustive()
    }
}

impl Transcoder {
    /// A transcoder between two `a=rtpmap` codecs (encoding name and clock rate).
    ///
    /// An Opus source is decoded straight at the destination's rate when Opus supports
    /// it, which spares one resampling step (libopus resamples internally anyway).
    pub fn new(
        from_encoding: &str,
        from_clock_rate: u32,
        to_encoding: &str,
        to_clock_rate: u32,
    ) -> Result<Self, Error> {
        let encoder = by_rtpmap(to_encoding, to_clock_rate)?;
        let target = encoder.sample_rate();
        let opus_rate = if [8000, 12_000, 16_000, 24_000, 48_000].contains(&target) {
            target
        } else {
            48_000
        };
        let decoder = by_rtpmap_at(from_encoding, from_clock_rate, opus_rate)?;
        Self::with_codecs(decoder, encoder)
    }

    /// A transcoder between two codec instances set up by the caller.
    pub fn with_codecs(decoder: Box<dyn Codec>, encoder: Box<dyn Codec>) -> Result<Self, Error> {
        let resampler = Resampler::new(decoder.sample_rate(), encoder.sample_rate(), PTIME_MS)?;
        let frame = (encoder.sample_rate() * PTIME_MS / 1000) as usize;
        let input_frame = (decoder.sample_rate() * PTIME_MS / 1000) as usize;
        Ok(Transcoder {
            decoder,
            encoder,
            resampler,
            expected: None,
            decoded: Vec::with_capacity(input_frame * 6),
            ready: Vec::with_capacity(frame * (MAX_READY_FRAMES + 2)),
            frame,
        })
    }

    /// The codec payloads are decoded with.
    pub fn decoder(&self) -> &dyn Codec {
        self.decoder.as_ref()
    }

    /// The codec payloads are encoded with.
    pub fn encoder(&self) -> &dyn Codec {
        self.encoder.as_ref()
    }

    /// RTP timestamp increment from one output payload to the next.
    pub fn timestamp_step(&self) -> u32 {
        self.encoder.clock_rate() * PTIME_MS / 1000
    }

    /// Forgets the sequence, for a new RTP source (another SSRC): its first packet is
    /// taken as in order whatever its number.
    pub fn restart(&mut self) {
        self.expected = None;
    }

    /// Decodes one received payload, first concealing any packets missing before it.
    /// Only the negotiated audio payload type belongs here: RFC 4733 events and comfort
    /// noise (RFC 3389) are the caller's to relay or drop.
    pub fn push(&mut self, sequence: u16, payload: &[u8]) -> Arrival {
        // RFC 3550 §A.1: sequence numbers wrap, so the distance is taken modulo 2^16
        // and read as signed: ahead by less than half the range is new.
        let (missing, restart) = match self.expected {
            None => (0, false),
            Some(expected) => match sequence.wrapping_sub(expected) as i16 {
                distance if distance < -MAX_MISORDER => (0, true),
                distance if distance < 0 => return Arrival::Late,
                distance => (distance as u16, false),
            },
        };
        self.expected = Some(sequence.wrapping_add(1));
        self.decoded.clear();
        let concealed = missing.min(MAX_CONCEALED);
        for lost in 0..concealed {
            if lost + 1 == concealed {
                self.decoder.decode_lost_before(payload, &mut self.decoded);
            } else {
                self.decoder.decode(None, &mut self.decoded);
            }
        }
        self.decoder.decode(Some(payload), &mut self.decoded);
        self.resampler.process(&self.decoded, &mut self.ready);
        let limit = self.frame * MAX_READY_FRAMES;
        if self.ready.len() > limit {
            let excess = self.ready.len() - limit;
            self.ready.drain(..excess);
        }
        if restart {
            Arrival::Restart
        } else if missing == 0 {
            Arrival::InOrder
        } else {
            Arrival::AfterLoss { concealed }
        }
    }

    /// Encodes the next 20 ms of audio, if there is that much, and appends its payload
    /// to `out`; returns whether it did.
    pub fn poll_payload(&mut self, out: &mut Vec<u8>) -> bool {
        let Some(frame) = self.ready.get(..self.frame) else {
            return false;
        };
        let before = out.len();
        self.encoder.encode(frame, out);
        self.ready.drain(..self.frame);
        out.len() > before
    }
}
