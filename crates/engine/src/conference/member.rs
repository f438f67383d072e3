//! One participant's audio: decoding what its phone sends into the room's rate and
//! encoding what it hears back into its own codec. Each participant has its own codec
//! instances and resamplers, so phones with G.711, G.722 and Opus share one room.
//!
//! Packets are decoded as they arrive into a short playout queue that the room's tick
//! takes one frame from. On a LAN that is all the smoothing needed; the queue starts
//! playing once it holds [`PREFILL`] and is kept under [`MAX_QUEUED`] so a burst cannot
//! build up delay.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use media::codec::{by_rtpmap, Codec, Resampler};
use media::dtmf_detect::DtmfDetector;
use media::player::PromptPlayer;
use media::rtp::RtpPacket;
use pbx::ConferenceJoin;
use tokio::net::UdpSocket;

use super::room::{FRAME, RATE};

/// Audio queued before a participant is heard (and again after it ran dry): 40 ms.
const PREFILL: usize = FRAME * 2;
/// Audio kept queued at most: 200 ms; anything older is dropped.
const MAX_QUEUED: usize = FRAME * 10;

/// A participant's codecs and its RTP towards the phone.
pub(super) struct Member {
    pub spec: ConferenceJoin,
    pub socket: Arc<UdpSocket>,
    /// Where the phone's audio comes from: answered there (symmetric RTP, for NAT).
    pub peer: SocketAddr,
    decoder: Box<dyn Codec>,
    encoder: Box<dyn Codec>,
    /// The phone's audio rate → the room's, and back.
    upsample: Resampler,
    downsample: Resampler,
    /// Decoded audio at the room's rate waiting for the tick.
    queue: VecDeque<i16>,
    /// Whether the queue ran dry and is filling up again before playing.
    refilling: bool,
    /// Scratch buffers, reused every packet and tick.
    decoded: Vec<i16>,
    resampled: Vec<i16>,
    payload: Vec<u8>,
    packet: Vec<u8>,
    /// Keys pressed (for the PIN).
    pub dtmf: DtmfDetector,
    /// What this participant alone hears on top of the room (the PIN prompt, "you are
    /// the only person in this conference").
    pub prompts: PromptPlayer,
    ssrc: u32,
    seq: u16,
    ts: u32,
    /// RTP clock ticks per 20 ms packet.
    ts_step: u32,
    /// The caller's SRTP, when it encrypts.
    srtp: crate::relay::srtp::EndpointSrtp,
}

impl Member {
    pub fn new(spec: ConferenceJoin, socket: Arc<UdpSocket>) -> Result<Member, String> {
        let format = &spec.format;
        let decoder = by_rtpmap(&format.encoding, format.clock_rate).map_err(|e| e.to_string())?;
        let encoder = by_rtpmap(&format.encoding, format.clock_rate).map_err(|e| e.to_string())?;
        let upsample =
            Resampler::new(decoder.sample_rate(), RATE, 20).map_err(|e| e.to_string())?;
        let downsample =
            Resampler::new(RATE, encoder.sample_rate(), 20).map_err(|e| e.to_string())?;
        let ts_step = format.clock_rate / 50;
        let srtp = crate::relay::srtp::EndpointSrtp::new(spec.srtp.as_ref());
        Ok(Member {
            peer: spec.peer,
            spec,
            socket,
            decoder,
            encoder,
            upsample,
            downsample,
            queue: VecDeque::with_capacity(MAX_QUEUED + FRAME),
            refilling: true,
            decoded: Vec::with_capacity(FRAME * 3),
            resampled: Vec::with_capacity(FRAME * 3),
            payload: Vec::with_capacity(512),
            packet: Vec::with_capacity(600),
            dtmf: DtmfDetector::new(RATE),
            prompts: PromptPlayer::new(RATE),
            ssrc: rand::random(),
            seq: rand::random(),
            ts: rand::random(),
            ts_step,
            srtp,
        })
    }

    /// Takes one datagram from the phone: audio is decoded into the queue, a
    /// telephone-event goes to the key detector. Anything else is ignored.
    pub fn receive(&mut self, from: SocketAddr, datagram: &[u8]) {
        let Some(datagram) = self.srtp.open(datagram) else {
            return; // not authentic, or replayed
        };
        let Ok(packet) = RtpPacket::parse(datagram) else {
            return;
        };
        self.peer = from;
        if self
            .spec
            .dtmf
            .as_ref()
            .is_some_and(|d| d.payload_type == packet.payload_type)
        {
            self.dtmf
                .on_telephone_event(packet.timestamp, packet.payload);
            return;
        }
        if packet.payload_type != self.spec.format.payload_type {
            return;
        }
        self.decoded.clear();
        self.decoder.decode(Some(packet.payload), &mut self.decoded);
        self.resampled.clear();
        self.upsample.process(&self.decoded, &mut self.resampled);
        self.queue.extend(self.resampled.iter().copied());
        let excess = self.queue.len().saturating_sub(MAX_QUEUED);
        self.queue.drain(..excess);
    }

    /// The participant's next frame of speech at the room's rate (silence while its
    /// queue fills); the key detector hears it too, for phones that send keys as tones.
    pub fn next_frame(&mut self, out: &mut [i16]) {
        if self.refilling && self.queue.len() >= PREFILL {
            self.refilling = false;
        }
        if self.refilling || self.queue.len() < out.len() {
            self.refilling = true;
            out.fill(0);
        } else {
            let n = out.len();
            for (o, s) in out.iter_mut().zip(self.queue.drain(..n)) {
                *o = s;
            }
        }
        self.dtmf.on_audio(out);
    }

    /// Encodes `pcm` (one frame at the room's rate) in the phone's codec and sends it.
    pub fn send(&mut self, pcm: &[i16]) {
        self.resampled.clear();
        self.downsample.process(pcm, &mut self.resampled);
        if self.resampled.is_empty() {
            return;
        }
        self.payload.clear();
        self.encoder.encode(&self.resampled, &mut self.payload);
        self.packet.clear();
        RtpPacket::new(
            self.spec.format.payload_type,
            self.seq,
            self.ts,
            self.ssrc,
            &self.payload,
        )
        .write(&mut self.packet);
        self.seq = self.seq.wrapping_add(1);
        self.ts = self.ts.wrapping_add(self.ts_step);
        // A full socket buffer drops this frame; the next tick sends the next one.
        if let Some(sealed) = self.srtp.seal(&self.packet) {
            let _ = self.socket.try_send_to(sealed, self.peer);
        }
    }
}
