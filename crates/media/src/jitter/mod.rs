//! An adaptive jitter buffer: RTP packets in whenever they arrive, one frame out per tick.
//!
//! The caller hands in each packet with its arrival time and asks for a frame every frame
//! interval (e.g. 20 ms) with the current time; the buffer never reads a clock. It
//! reorders, drops duplicates, unwraps sequence numbers and timestamps (RFC 3550 §A.1),
//! restarts on a new SSRC or a timestamp jump, and adapts its delay to the jitter it
//! measures. Frames it cannot deliver come out as [`Playout::Lost`] so the decoder can
//! conceal them (`Codec::decode(None, ..)`).
//!
//! One packet carries one frame: the frame length is the negotiated packet time
//! (`a=ptime`, 20 ms by default), which the caller passes in [`JitterConfig`]. Only audio
//! goes in: RFC 4733 telephone-events share the stream's SSRC and sequence numbers but
//! repeat one timestamp for a whole key press, so the caller sends them (by payload
//! type) to a `dtmf_detect::DtmfDetector` instead; their sequence numbers then count as
//! lost here.

mod buffer;
mod delay;
mod slots;

use std::time::Duration;

pub use buffer::JitterBuffer;

/// Sizes and limits of a jitter buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JitterConfig {
    /// RTP clock rate of the stream in Hz (8000 for G.711 and G.722, 48000 for Opus).
    pub clock_rate: u32,
    /// Audio per packet and per tick.
    pub frame: Duration,
    /// The delay never falls below this, even on a perfect network.
    pub min_delay: Duration,
    /// The delay before enough packets were measured.
    pub initial_delay: Duration,
    /// The delay never exceeds this; packets later than it are concealed instead.
    pub max_delay: Duration,
}

impl JitterConfig {
    /// 20 ms frames, 20 ms to 500 ms of delay, starting at 60 ms: what desk phones use on
    /// an office LAN, with room for a jittery internet trunk.
    pub fn new(clock_rate: u32) -> Self {
        JitterConfig {
            clock_rate,
            frame: Duration::from_millis(20),
            min_delay: Duration::from_millis(20),
            initial_delay: Duration::from_millis(60),
            max_delay: Duration::from_millis(500),
        }
    }
}

/// What became of a packet given to [`JitterBuffer::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Stored for playout.
    Buffered,
    /// A copy of a packet already received; ignored.
    Duplicate,
    /// Its frame was already played (or concealed); counted, then dropped.
    Late,
    /// A new SSRC or a timestamp jump: the buffer started over with this packet.
    Resynced,
    /// Unusable: larger than any audio frame, or from before a timestamp jump.
    Refused,
}

/// One tick's output of [`JitterBuffer::pop`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playout<'a> {
    /// Nothing to play yet: no packet, or the buffer is still filling. Play silence.
    Waiting,
    /// The frame's packet.
    Packet {
        payload: &'a [u8],
        sequence: u16,
        timestamp: u32,
        marker: bool,
    },
    /// The frame's packet is missing or late: conceal it.
    Lost,
    /// The sender sent nothing for this frame (RFC 3551 §4.1 silence suppression: the
    /// next packet follows the last one in sequence); play silence or comfort noise.
    /// A pause is only recognised once the packet after it arrived; until then its
    /// frames come out as [`Playout::Lost`], which concealment fades to silence.
    Silence,
}

/// Counters for RTCP receiver reports (RFC 3550 §6.4.1) and call quality display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterStats {
    /// Distinct packets received, late ones included.
    pub received: u64,
    /// Packets expected from the sequence numbers but never received.
    pub lost: u64,
    pub duplicates: u64,
    /// Packets that came after their frame was played.
    pub late: u64,
    /// Packets dropped to bring the delay down, or on a restart.
    pub discarded: u64,
    /// Frames returned as [`Playout::Lost`] or [`Playout::Silence`].
    pub concealed: u64,
    /// Restarts on a new SSRC or a timestamp jump.
    pub resyncs: u64,
    /// RFC 3550 §6.4.1 interarrival jitter, in timestamp units.
    pub jitter: u32,
}
