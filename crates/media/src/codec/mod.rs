//! Audio codecs behind one small interface, in the shape baresip uses: encode, decode, and
//! decode-with-nothing for packet loss concealment.

mod g711;
mod g722;
mod opus;
mod plc;
mod registry;
mod resample;

pub use g711::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode, Pcma, Pcmu};
pub use g722::G722;
pub use opus::{Opus, OpusConfig};
pub use registry::by_rtpmap;
pub(crate) use registry::by_rtpmap_at;
pub use resample::Resampler;

/// An audio codec instance for one stream direction pair.
///
/// Methods take `&mut self` because real codecs (and concealment) keep state between
/// frames. Both methods append to `out` and never clear it, so callers can reuse buffers.
/// `Send` so a call's codecs can move with it between the runtime's threads.
pub trait Codec: Send {
    /// Encoding name as in `a=rtpmap`, e.g. "PCMU".
    fn name(&self) -> &'static str;
    /// RTP clock rate in Hz.
    fn clock_rate(&self) -> u32;
    /// RFC 3551 static payload type, if the codec has one.
    fn static_payload_type(&self) -> Option<u8>;
    /// Encodes 16-bit linear PCM at `sample_rate` and appends the payload to `out`.
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>);
    /// Decodes one payload and appends the samples (at `sample_rate`) to `out`; `None`
    /// means the packet was lost and asks for a concealment frame instead.
    fn decode(&mut self, payload: Option<&[u8]>, out: &mut Vec<i16>);

    /// Rate of the PCM that `encode` takes and `decode` gives. It differs from the RTP
    /// clock for G.722 (16 kHz audio on an 8 kHz clock, RFC 3551 §4.5.2) and for Opus
    /// (always a 48 kHz clock whatever the audio bandwidth, RFC 7587 §4.1).
    fn sample_rate(&self) -> u32 {
        self.clock_rate()
    }

    /// Conceals the one frame lost just before `next` (which arrived) and appends it to
    /// `out`. Codecs that carry redundancy for the previous frame (Opus in-band FEC,
    /// RFC 6716 §2.1.7) rebuild it from `next`; the others fall back to `decode(None)`.
    /// Callers still decode `next` itself afterwards.
    fn decode_lost_before(&mut self, next: &[u8], out: &mut Vec<i16>) {
        let _ = next;
        self.decode(None, out);
    }

    /// Tells the encoder the share of its packets the far end reports lost (RFC 3550
    /// §6.4.1 fraction lost, in percent), so codecs with in-band redundancy (Opus)
    /// spend bits on it only as needed. Codecs without any ignore it.
    fn set_expected_loss(&mut self, percent: u8) {
        let _ = percent;
    }
}
