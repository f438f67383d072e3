//! A call's media between the user agent and the audio devices, sans-IO: PCM frames
//! from the microphone become RTP packets, RTP packets from the network go through an
//! adaptive jitter buffer and come out as PCM frames for the speaker, with loss
//! concealment and RFC 4733 keys both ways.
//!
//! The caller owns the socket and the clock: it calls [`CallMedia::send_frame`] and
//! [`CallMedia::next_frame`] every 20 ms with `now`, and [`CallMedia::receive_rtp`] with
//! each datagram as it arrives.
//!
//! Hold: while held nothing is sent at all (RFC 3264 §8.4: a sendonly/inactive stream
//! carries no RTP from the holding side); timestamps keep advancing so the stream
//! resumes in time, and the first packet after it carries the marker. Mute: frames are
//! still sent, coded from silence, so the far end's jitter buffer and NAT bindings stay
//! alive.

mod dtmf_send;
mod fec;
mod lookahead;
mod offer;
mod pacing;
mod playout;
mod quality;
mod rtcp;
mod shrink;
mod spec;
mod srtp;

use std::time::{Duration, Instant};

use media::codec::{by_rtpmap, Codec, Opus, OpusConfig};
use media::dtmf_detect::DtmfDetector;
use media::jitter::{JitterBuffer, JitterConfig};
use media::rtp::{is_rtcp, RtpPacket};
use media::sdp::Direction;

use dtmf_send::DtmfSender;
use fec::RecentPayloads;
use lookahead::Lookahead;
pub use offer::{default_offer, describe, parse_offer, DEFAULT_VOICE_CODECS};
pub use pacing::{Pacer, POLL};
pub use rtcp::{CallQuality, RtcpSession, MAX_LOSS_HINT};
use shrink::Shrinker;
pub use spec::CodecSpec;
pub use srtp::{SrtpKeys, SrtpMode, SrtpStreams};

/// Audio per packet and per tick.
const FRAME: Duration = Duration::from_millis(20);

/// The softphone's Opus: wideband speech (16 kHz audio) in VoIP mode, complexity 5,
/// in-band FEC for a 10 % loss hint (RFC 6716 §2.1.7: each packet carries a coarse copy
/// of the frame before), at 40 kbit/s. The FEC copy takes its bits from the frame
/// itself: at 24 kbit/s speech through two softphones scored a PESQ of about 3.75 with
/// nothing lost (baresip's sender: 4.5) and under 3.0 with 10 % lost; at 40 kbit/s
/// 4.1–4.4 and 3.2–3.9 (BENCHMARKS.md).
const OPUS: OpusConfig = OpusConfig {
    sample_rate: 16_000,
    complexity: 5,
    bitrate: 40_000,
    inband_fec: true,
    expected_loss_percent: 10,
};

/// How far behind the caller's tick the playout clock may fall: a tick served later
/// than this means the device really stopped (or the machine slept), not a busy loop.
const MAX_TICK_SLIP: Duration = Duration::from_millis(120);

/// Counters for a call-quality display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallMediaStats {
    pub packets_sent: u64,
    pub packets_received: u64,
    /// Packets the far end sent that never arrived.
    pub lost: u64,
    /// Packets that arrived after their frame was played.
    pub late: u64,
    /// RFC 3550 §6.4.1 interarrival jitter.
    pub jitter: Duration,
    /// Frames played from concealment (or rebuilt from FEC) instead of a packet.
    pub concealed_frames: u64,
    /// Of those, frames rebuilt from the next packet's in-band FEC.
    pub fec_recovered: u64,
    /// Packets that came after the jitter buffer gave their frame up but before it
    /// was decoded (possible while playout runs a frame behind), played as they are.
    pub late_played: u64,
    /// The jitter buffer's current target delay.
    pub target_delay: Duration,
    /// Frames the jitter buffer dropped to bring its delay down: each is a jump
    /// in what is heard.
    pub discarded: u64,
    /// Audio played out faster (quiet frames dropped, frames shortened by a pitch
    /// period) to win back delay gathered after the speaker ran dry.
    pub won_back: Duration,
}

/// One call's media stream, both directions.
pub struct CallMedia {
    codec: Box<dyn Codec>,
    payload_type: u8,
    telephone_event: Option<u8>,
    clock_rate: u32,
    frame_samples: usize,
    frame_units: u32,
    ssrc: u32,
    sequence: u16,
    /// Timestamp of the next frame sent.
    timestamp: u32,
    /// The next packet sent starts a talkspurt (RFC 3551 §4.1: marker bit).
    marker: bool,
    /// Start timestamp of the telephone-event being sent.
    event_timestamp: u32,
    dtmf_out: DtmfSender,
    muted: bool,
    /// We hold the call.
    held: bool,
    /// The far end's direction lets it receive (not sendonly or inactive).
    remote_receives: bool,
    jitter: JitterBuffer,
    recent: RecentPayloads,
    /// Timestamp of the frame taken from the jitter buffer last, to name a lost one.
    popped_timestamp: Option<u32>,
    /// When the frame taken last is due to play: one frame later per tick, so a tick
    /// served late by a busy machine does not make the jitter buffer think its delay
    /// grew (it would drop a frame, then hold one: two jumps in what is heard).
    playout_clock: Option<Instant>,
    /// Opus: playout one frame behind the jitter buffer once a loss was seen, so the
    /// next packet's FEC can rebuild a lost frame.
    lookahead: Lookahead,
    /// Wins back delay the speaker side gathered (see `shrink.rs`).
    shrinker: Shrinker,
    /// The payload of the frame taken this tick, and of the one held since the last.
    popped_payload: Vec<u8>,
    held_payload: Vec<u8>,
    dtmf_in: DtmfDetector,
    silence: Vec<i16>,
    pcm: Vec<i16>,
    encoded: Vec<u8>,
    stats: CallMediaStats,
    /// Telephone-event packets received.
    events_received: u64,
    /// RTCP, once the caller enabled it ([`CallMedia::enable_rtcp`]).
    rtcp: Option<RtcpSession>,
    /// The loss hint the encoder runs with now (RFC 3550 reports set it).
    loss_hint: u8,
}

impl std::fmt::Debug for CallMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallMedia")
            .field("codec", &self.codec.name())
            .field("payload_type", &self.payload_type)
            .field("ssrc", &self.ssrc)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl CallMedia {
    /// Media for the agreed format; fails for a codec this build cannot code.
    pub fn new(spec: &CodecSpec) -> Result<Self, media::Error> {
        // RFC 7587 §7: Opus is always signalled with a 48 kHz clock.
        let codec: Box<dyn Codec> =
            if spec.encoding.eq_ignore_ascii_case("opus") && spec.clock_rate == 48_000 {
                Box::new(Opus::with_config(OPUS)?)
            } else {
                by_rtpmap(&spec.encoding, spec.clock_rate)?
            };
        let clock_rate = codec.clock_rate();
        let frame_samples = (codec.sample_rate() / 50) as usize;
        let mut seed = spec.ssrc_seed;
        let ssrc = splitmix(&mut seed) as u32;
        let sequence = splitmix(&mut seed) as u16;
        let timestamp = splitmix(&mut seed) as u32;
        Ok(CallMedia {
            codec,
            payload_type: spec.payload_type & 0x7f,
            telephone_event: spec.telephone_event,
            clock_rate,
            frame_samples,
            frame_units: clock_rate / 50,
            ssrc,
            sequence,
            timestamp,
            marker: true,
            event_timestamp: timestamp,
            dtmf_out: DtmfSender::default(),
            muted: false,
            held: false,
            remote_receives: true,
            jitter: JitterBuffer::new(JitterConfig::new(clock_rate)),
            recent: RecentPayloads::default(),
            popped_timestamp: None,
            playout_clock: None,
            lookahead: Lookahead::default(),
            shrinker: Shrinker::new(frame_samples as u32 * 50, frame_samples),
            popped_payload: Vec::with_capacity(1500),
            held_payload: Vec::with_capacity(1500),
            dtmf_in: DtmfDetector::new(frame_samples as u32 * 50),
            silence: vec![0; frame_samples],
            pcm: Vec::with_capacity(frame_samples * 2),
            encoded: Vec::with_capacity(1500),
            stats: CallMediaStats::default(),
            events_received: 0,
            rtcp: None,
            loss_hint: OPUS.expected_loss_percent,
        })
    }

    /// Rate of the PCM in and out (the codec's audio rate, e.g. 16 kHz for G.722).
    pub fn sample_rate(&self) -> u32 {
        self.frame_samples as u32 * 50
    }

    /// Samples in one 20 ms frame.
    pub fn frame_samples(&self) -> usize {
        self.frame_samples
    }

    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    /// Holds (or resumes) the call from our side: nothing is sent while held.
    pub fn set_held(&mut self, held: bool) {
        let was = self.sending();
        self.held = held;
        self.note_resume(was);
    }

    /// Applies the direction the far end's description states (its point of view):
    /// RFC 3264 §6.1: when it is sendonly or inactive it does not want our media, so
    /// none is sent, as while held.
    pub fn set_remote_direction(&mut self, direction: Direction) {
        let was = self.sending();
        self.remote_receives = matches!(direction, Direction::SendRecv | Direction::RecvOnly);
        self.note_resume(was);
    }

    /// Whether `send_frame` sends anything at the moment.
    pub fn sending(&self) -> bool {
        !self.held && self.remote_receives
    }

    fn note_resume(&mut self, was_sending: bool) {
        if !was_sending && self.sending() {
            // RFC 3551 §4.1: the first packet after a pause in sending carries the marker.
            self.marker = true;
        }
    }

    /// Queues a key to be sent as RFC 4733 events for `ms` milliseconds; false when the
    /// far end did not agree to telephone-events or `key` is not a DTMF key.
    pub fn send_dtmf(&mut self, key: char, ms: u32) -> bool {
        self.telephone_event.is_some() && self.dtmf_out.queue(key, ms, self.clock_rate)
    }

    /// The RTP packets for the 20 ms of microphone audio in `pcm` (shorter frames are
    /// padded with silence, longer ones cut): none while held, a telephone-event
    /// instead of audio while a key is being sent. RTP timestamps count frames, not
    /// `now`: the capture clock paces the stream (RFC 3550 §5.1 sampling instant).
    pub fn send_frame(&mut self, now: Instant, pcm: &[i16]) -> Vec<Vec<u8>> {
        let timestamp = self.timestamp;
        self.timestamp = self.timestamp.wrapping_add(self.frame_units);
        if !self.sending() {
            return Vec::new();
        }
        if let (Some(pt), true) = (self.telephone_event, self.dtmf_out.busy()) {
            if let Some(event) = self.dtmf_out.next_packet(self.frame_units) {
                if event.first {
                    self.event_timestamp = timestamp;
                }
                // RFC 4733 §2.5.1.1: every packet of an event carries its start
                // timestamp; the first one sets the marker.
                let packet =
                    self.packet(now, pt, self.event_timestamp, event.first, &event.payload);
                return vec![packet];
            }
        }
        self.pcm.clear();
        if self.muted {
            self.pcm.extend_from_slice(&self.silence);
        } else {
            self.pcm
                .extend_from_slice(pcm.get(..self.frame_samples).unwrap_or(pcm));
            self.pcm.resize(self.frame_samples, 0);
        }
        let mut encoded = std::mem::take(&mut self.encoded);
        encoded.clear();
        self.codec.encode(&self.pcm, &mut encoded);
        let marker = std::mem::replace(&mut self.marker, false);
        let packet = self.packet(now, self.payload_type, timestamp, marker, &encoded);
        self.encoded = encoded;
        vec![packet]
    }

    fn packet(
        &mut self,
        now: Instant,
        pt: u8,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Vec<u8> {
        if let Some(rtcp) = self.rtcp.as_mut() {
            rtcp.on_sent(now, timestamp, payload.len());
        }
        let mut rtp = RtpPacket::new(pt, self.sequence, timestamp, self.ssrc, payload);
        rtp.marker = marker;
        self.sequence = self.sequence.wrapping_add(1);
        self.stats.packets_sent += 1;
        let mut out = Vec::with_capacity(rtp.header_len() + payload.len());
        rtp.write(&mut out);
        out
    }

    /// Takes a datagram that arrived at `now` on the call's RTP port. RTCP there (RFC
    /// 5761 multiplexing, or a far end that sends it to where our RTP comes from) goes
    /// to [`CallMedia::receive_rtcp`]; unknown payload types and malformed packets are
    /// ignored.
    pub fn receive_rtp(&mut self, now: Instant, datagram: &[u8]) {
        if is_rtcp(datagram) {
            self.receive_rtcp(now, datagram);
            return;
        }
        let Ok(packet) = RtpPacket::parse(datagram) else {
            return;
        };
        let ours = Some(packet.payload_type) == self.telephone_event
            || packet.payload_type == self.payload_type;
        if let (true, Some(rtcp)) = (ours, self.rtcp.as_mut()) {
            rtcp.on_received(now, packet.ssrc, packet.sequence, packet.timestamp);
        }
        if Some(packet.payload_type) == self.telephone_event {
            self.stats.packets_received += 1;
            self.events_received += 1;
            self.dtmf_in
                .on_telephone_event(packet.timestamp, packet.payload);
        } else if packet.payload_type == self.payload_type {
            self.stats.packets_received += 1;
            self.recent.remember(packet.timestamp, packet.payload);
            self.shrinker.arrived(packet.timestamp, now);
            self.jitter.push(now, &packet);
        }
    }

    /// The next key the far end pressed (RFC 4733 events, each press once).
    pub fn poll_key(&mut self) -> Option<char> {
        self.dtmf_in.poll_digit()
    }

    pub fn stats(&self) -> CallMediaStats {
        let jitter = self.jitter.stats();
        CallMediaStats {
            // Telephone-events share the audio's sequence numbers but bypass the jitter
            // buffer, which counts them as missing: they were received.
            lost: jitter.lost.saturating_sub(self.events_received),
            late: jitter.late,
            jitter: Duration::from_micros(
                u64::from(jitter.jitter) * 1_000_000 / u64::from(self.clock_rate.max(1)),
            ),
            target_delay: self.jitter.target_delay(),
            discarded: jitter.discarded,
            won_back: self.shrinker.removed(),
            ..self.stats
        }
    }

    /// Audio per packet.
    pub fn frame(&self) -> Duration {
        FRAME
    }
}

/// SplitMix64: spreads a seed into independent-looking starting values.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
