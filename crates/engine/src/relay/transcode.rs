//! Transcoding inside the forwarding task, for calls whose two phones share no codec.
//!
//! Each direction decodes what one phone sends and encodes it for the other as a stream
//! of its own: RFC 3550 §5.1 asks a source that changes the payload (a translator that
//! transcodes) for its own sequence numbers and timestamps at the new clock, so the
//! headers are rewritten rather than copied. RFC 4733 telephone-events go through with
//! their payload type mapped and their timestamp and duration moved to the new clock.

use media::rtp::RtpPacket;
use media::sdp::PayloadFormat;
use media::transcode::Transcoder;
use rand::Rng;

/// What the call model asked to transcode between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscodeSpec {
    /// The codec phone A sends and receives, with its payload type.
    pub a: PayloadFormat,
    /// The codec phone B sends and receives.
    pub b: PayloadFormat,
    /// RFC 4733 telephone-event payload types on each side; events are relayed only when
    /// both have one.
    pub a_events: Option<u8>,
    pub b_events: Option<u8>,
}

/// Both directions of one call's transcoding, indexed by the side that sends.
pub(super) struct Transcoding {
    pub(super) directions: [Conversion; 2],
}

impl Transcoding {
    /// Sets up the codecs for both directions (done before the forwarding task gets it:
    /// creating an Opus encoder is not for the per-packet path).
    pub(super) fn new(spec: &TranscodeSpec) -> Result<Transcoding, media::Error> {
        let events = match (spec.a_events, spec.b_events) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        Ok(Transcoding {
            directions: [
                Conversion::new(&spec.a, &spec.b, events)?,
                Conversion::new(&spec.b, &spec.a, events.map(|(a, b)| (b, a)))?,
            ],
        })
    }
}

/// One direction: packets of one codec in, packets of the other out.
pub(super) struct Conversion {
    transcoder: Transcoder,
    in_type: u8,
    out_type: u8,
    /// Telephone-event payload types (in, out).
    events: Option<(u8, u8)>,
    in_clock: u32,
    out_clock: u32,
    /// Our own stream's header fields (RFC 3550 §5.1: random initial values).
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    marker: bool,
    /// The sender's SSRC: a new one is a new stream whose sequence starts afresh.
    source: Option<u32>,
    /// The event being relayed: its timestamp in the sender's stream and in ours
    /// (RFC 4733 §2.5.1.2: every packet of an event carries the timestamp of its start).
    event: Option<(u32, u32)>,
    payload: Vec<u8>,
    packet: Vec<u8>,
}

impl Conversion {
    fn new(
        from: &PayloadFormat,
        to: &PayloadFormat,
        events: Option<(u8, u8)>,
    ) -> Result<Conversion, media::Error> {
        let transcoder =
            Transcoder::new(&from.encoding, from.clock_rate, &to.encoding, to.clock_rate)?;
        let mut rng = rand::thread_rng();
        Ok(Conversion {
            transcoder,
            in_type: from.payload_type,
            out_type: to.payload_type,
            events,
            in_clock: from.clock_rate.max(1),
            out_clock: to.clock_rate,
            ssrc: rng.gen(),
            sequence: rng.gen(),
            timestamp: rng.gen(),
            marker: true,
            source: None,
            event: None,
            payload: Vec::with_capacity(1500),
            packet: Vec::with_capacity(1500),
        })
    }

    /// The SSRC and RTP clock rate of the stream this direction writes.
    pub(super) fn source(&self) -> (u32, u32) {
        (self.ssrc, self.out_clock)
    }

    /// Converts one received RTP packet and hands every packet to send to `send` (none
    /// while a frame is still incomplete, several when a packet carried more than one).
    /// Packets that do not parse, and payload types other than the call's codec and
    /// events (comfort noise, a codec not agreed), are dropped.
    pub(super) fn convert(&mut self, datagram: &[u8], mut send: impl FnMut(&[u8])) {
        let Ok(rtp) = RtpPacket::parse(datagram) else {
            return;
        };
        if self.source != Some(rtp.ssrc) {
            self.source = Some(rtp.ssrc);
            self.transcoder.restart();
        }
        if let Some((in_events, out_events)) = self.events {
            if rtp.payload_type == in_events {
                return send(self.event_packet(&rtp, out_events));
            }
        }
        if rtp.payload_type != self.in_type {
            return;
        }
        self.transcoder.push(rtp.sequence, rtp.payload);
        loop {
            self.payload.clear();
            if !self.transcoder.poll_payload(&mut self.payload) {
                break;
            }
            let mut out = RtpPacket::new(
                self.out_type,
                self.sequence,
                self.timestamp,
                self.ssrc,
                &self.payload,
            );
            out.marker = self.marker;
            self.packet.clear();
            out.write(&mut self.packet);
            self.marker = false;
            self.sequence = self.sequence.wrapping_add(1);
            self.timestamp = self
                .timestamp
                .wrapping_add(self.transcoder.timestamp_step());
            send(&self.packet);
        }
    }

    /// The event packet in our stream: same event, mapped payload type, our sequence
    /// number, and the event's start and duration at our clock (RFC 4733 §2.5.1.3).
    fn event_packet(&mut self, rtp: &RtpPacket<'_>, out_type: u8) -> &[u8] {
        let start = match self.event {
            Some((source, ours)) if source == rtp.timestamp => ours,
            _ => {
                self.event = Some((rtp.timestamp, self.timestamp));
                self.timestamp
            }
        };
        self.payload.clear();
        self.payload.extend_from_slice(rtp.payload);
        if let (Some(flags), Some(high), Some(low)) = (
            self.payload.get(1),
            self.payload.get(2),
            self.payload.get(3),
        ) {
            let end = flags & 0x80 != 0;
            let duration = u64::from(u16::from_be_bytes([*high, *low]));
            let scaled = duration * u64::from(self.out_clock) / u64::from(self.in_clock);
            let scaled = u16::try_from(scaled).unwrap_or(u16::MAX);
            self.payload[2..4].copy_from_slice(&scaled.to_be_bytes());
            // The event took the stream's time from its start: audio after it goes on
            // from its end, not from where the audio stopped (RFC 4733 §2.5.1.3).
            let after = start.wrapping_add(u32::from(scaled));
            if end && (after.wrapping_sub(self.timestamp) as i32) > 0 {
                self.timestamp = after;
            }
        }
        let mut out = RtpPacket::new(out_type, self.sequence, start, self.ssrc, &self.payload);
        out.marker = rtp.marker;
        self.packet.clear();
        out.write(&mut self.packet);
        self.sequence = self.sequence.wrapping_add(1);
        &self.packet
    }
}
