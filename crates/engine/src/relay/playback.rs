//! A stream the relay sends on its own: music on hold to a held party, as RTP packets of
//! 20 ms with a source of its own (RFC 3550 §5.1: random SSRC, initial sequence number
//! and timestamp; marker bit on the first packet of the stream, RFC 3551 §4.1).

use media::codec::{by_rtpmap, Codec};
use media::player::{Clip, PromptPlayer, FRAME_MS};
use media::rtp::RtpPacket;
use rand::Rng;

use super::music::Music;

/// What to play and how the listener wants it.
#[derive(Debug, Clone)]
pub struct PlaySpec {
    pub music: Music,
    /// The listener's codec as its `a=rtpmap` names it, e.g. "PCMU"/8000, "G722"/8000,
    /// "opus"/48000.
    pub encoding: String,
    pub clock_rate: u32,
    /// The payload type the listener agreed on for it.
    pub payload_type: u8,
}

/// Prompts to say once, then silence, and how the listener wants them.
#[derive(Debug, Clone)]
pub struct AnnounceSpec {
    /// The prompts, one after the other (at any rate; converted to the codec's).
    pub clips: Vec<Clip>,
    pub encoding: String,
    pub clock_rate: u32,
    pub payload_type: u8,
}

/// One running stream to one listener. Built before it reaches the forwarding task (the
/// encoder's setup and any rate conversion happen there, not per packet); every frame
/// then reuses its buffers.
pub(super) struct Playback {
    player: PromptPlayer,
    codec: Box<dyn Codec>,
    payload_type: u8,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    /// RTP clock ticks per packet.
    step: u32,
    marker: bool,
    pcm: Vec<i16>,
    payload: Vec<u8>,
    packet: Vec<u8>,
}

impl Playback {
    pub(super) fn new(spec: PlaySpec) -> Result<Playback, media::Error> {
        let codec = by_rtpmap(&spec.encoding, spec.clock_rate)?;
        let rate = codec.sample_rate();
        let player = PromptPlayer::looping(spec.music.clip_at(rate), rate);
        Ok(Playback::with(
            player,
            codec,
            spec.clock_rate,
            spec.payload_type,
        ))
    }

    /// Says the prompts of `spec` once; silence follows until stopped.
    pub(super) fn once(spec: AnnounceSpec) -> Result<Playback, media::Error> {
        let codec = by_rtpmap(&spec.encoding, spec.clock_rate)?;
        let mut player = PromptPlayer::new(codec.sample_rate());
        for clip in spec.clips {
            player.enqueue(clip);
        }
        Ok(Playback::with(
            player,
            codec,
            spec.clock_rate,
            spec.payload_type,
        ))
    }

    fn with(
        player: PromptPlayer,
        codec: Box<dyn Codec>,
        clock_rate: u32,
        payload_type: u8,
    ) -> Playback {
        let mut rng = rand::thread_rng();
        Playback {
            pcm: vec![0; player.frame_len()],
            player,
            codec,
            payload_type,
            ssrc: rng.gen(),
            sequence: rng.gen(),
            timestamp: rng.gen(),
            step: clock_rate * FRAME_MS / 1000,
            marker: true,
            payload: Vec::with_capacity(1500),
            packet: Vec::with_capacity(1500),
        }
    }

    /// The stream's SSRC and RTP clock rate (for the relay's RTCP about it).
    pub(super) fn source(&self) -> (u32, u32) {
        (self.ssrc, self.step * (1000 / FRAME_MS))
    }

    /// The next 20 ms packet.
    pub(super) fn next_packet(&mut self) -> &[u8] {
        self.player.next_frame(&mut self.pcm);
        self.payload.clear();
        self.codec.encode(&self.pcm, &mut self.payload);
        let mut rtp = RtpPacket::new(
            self.payload_type,
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
        self.timestamp = self.timestamp.wrapping_add(self.step);
        &self.packet
    }
}
