//! Audio codecs behind one small interface, in the shape baresip uses: encode, decode, and
//! decode-with-nothing for packet loss concealment.

mod g711;
mod plc;

pub use g711::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode, Pcma, Pcmu};

/// An audio codec instance for one stream direction pair.
///
/// Methods take `&mut self` because real codecs (and concealment) keep state between
/// frames. Both methods append to `out` and never clear it, so callers can reuse buffers.
pub trait Codec {
    /// Encoding name as in `a=rtpmap`, e.g. "PCMU".
    fn name(&self) -> &'static str;
    /// RTP clock rate in Hz.
    fn clock_rate(&self) -> u32;
    /// RFC 3551 static payload type, if the codec has one.
    fn static_payload_type(&self) -> Option<u8>;
    /// Encodes 16-bit linear PCM at `clock_rate` and appends the payload to `out`.
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>);
    /// Decodes one payload and appends the samples to `out`; `None` means the packet was
    /// lost and asks for a concealment frame instead.
    fn decode(&mut self, payload: Option<&[u8]>, out: &mut Vec<i16>);
}
