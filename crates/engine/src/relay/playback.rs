//! A stream the relay sends on its own: music on hold to a held party, as RTP packets of
//! 20 ms with a source of its own (RFC 3550 §5.1: random SSRC, initial sequence number
//! and timestamp; marker bit on the first packet after the stream starts, RFC 3551 §4.1).

use media::codec::{alaw_encode, ulaw_encode};
use media::rtp::RtpPacket;
use rand::Rng;

use super::music::{Music, MUSIC_RATE};

/// Samples per packet: 20 ms at 8 kHz, the usual G.711 packet time (RFC 3551 §4.2).
pub const FRAME: usize = (MUSIC_RATE / 50) as usize;

/// A codec the relay can encode music in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayCodec {
    Pcmu,
    Pcma,
}

impl PlayCodec {
    /// The codec for an `a=rtpmap` encoding name; `None` when the relay cannot play it.
    pub fn from_encoding(name: &str) -> Option<PlayCodec> {
        if name.eq_ignore_ascii_case("PCMU") {
            Some(PlayCodec::Pcmu)
        } else if name.eq_ignore_ascii_case("PCMA") {
            Some(PlayCodec::Pcma)
        } else {
            None
        }
    }
}

/// What to play and how to pack it.
#[derive(Debug, Clone)]
pub struct PlaySpec {
    pub music: Music,
    pub codec: PlayCodec,
    /// The payload type the listener agreed on for `codec`.
    pub payload_type: u8,
}

/// One running stream to one listener; built once, then every frame reuses its buffers.
pub(super) struct Playback {
    spec: PlaySpec,
    position: usize,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    marker: bool,
    payload: Vec<u8>,
    packet: Vec<u8>,
}

impl Playback {
    pub(super) fn new(spec: PlaySpec) -> Playback {
        let mut rng = rand::thread_rng();
        Playback {
            spec,
            position: 0,
            ssrc: rng.gen(),
            sequence: rng.gen(),
            timestamp: rng.gen(),
            marker: true,
            payload: Vec::with_capacity(FRAME),
            packet: Vec::with_capacity(FRAME + 12),
        }
    }

    /// The next 20 ms packet.
    pub(super) fn next_packet(&mut self) -> &[u8] {
        let samples = self.spec.music.samples();
        self.payload.clear();
        for _ in 0..FRAME {
            let sample = samples.get(self.position).copied().unwrap_or(0);
            self.position = (self.position + 1) % samples.len().max(1);
            self.payload.push(match self.spec.codec {
                PlayCodec::Pcmu => ulaw_encode(sample),
                PlayCodec::Pcma => alaw_encode(sample),
            });
        }
        let mut rtp = RtpPacket::new(
            self.spec.payload_type,
            self.sequence,
            self.timestamp,
            self.ssrc,
            &self.payload,
        );
        rtp.marker = self.marker;
        self.packet.clear();
        rtp.write(&mut self.packet);
        self.marker = false;
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME as u32);
        &self.packet
    }
}
