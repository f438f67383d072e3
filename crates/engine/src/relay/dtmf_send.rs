//! Keys the relay sends on its own as RFC 4733 telephone-events: a phone that signals
//! keys by SIP INFO talks to one that negotiated telephone-events, so the call model
//! turns each INFO into events towards that phone.
//!
//! The events go into the stream the relay forwards to that phone, with its SSRC and the
//! next sequence numbers (RFC 4733 §2.1: events share the audio's RTP session and
//! source); the forwarded packets after them have their sequence numbers moved on by as
//! many, see [`OutStream`]. Phones restart their jitter buffer when the SSRC changes, and
//! an event stream of its own between audio packets would make them do so for every
//! packet. Only before anything was forwarded (or while the relay transcodes, writing
//! its own stream) do the events come from a source of their own.
//!
//! Each key is one event: a first packet with the marker bit (RFC 4733 §2.5.1.1), updates
//! every 20 ms with the duration so far (§2.5.1.2), and the end packet three times
//! (§2.5.1.4).

use std::collections::VecDeque;

use media::rtp::RtpPacket;
use rand::Rng;

/// How often the end packet is sent (RFC 4733 §2.5.1.4 recommends three).
const END_COPIES: u8 = 3;
/// The packet time: the forwarding task ticks every 20 ms.
const FRAME_MS: u32 = 20;
/// Volume field of the events: -10 dBm0, what phones commonly send.
const VOLUME: u8 = 10;
/// Keys queued at most; a flood of INFOs beyond it is dropped.
const MAX_QUEUED: usize = 32;
/// Shortest and longest key press sent, in milliseconds.
const MIN_MS: u32 = 60;
const MAX_MS: u32 = 2000;

/// The event code of a key (RFC 4733 §3.2): 0-9, * = 10, # = 11, A-D = 12-15.
fn event_code(key: char) -> Option<u8> {
    match key.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        l @ 'A'..='D' => Some(l as u8 - b'A' + 12),
        _ => None,
    }
}

/// The RTP stream the relay forwards to one phone, as far as keys put into it need.
#[derive(Debug, Default)]
pub(super) struct OutStream {
    ssrc: Option<u32>,
    /// The sequence number of the last packet sent, as sent.
    last_sequence: u16,
    last_timestamp: u32,
    /// Packets put into the stream so far: added to the forwarded packets' numbers.
    offset: u16,
}

impl OutStream {
    /// A packet forwarded to the phone: noted, and renumbered after packets the relay
    /// put in. Anything shorter than an RTP header passes untouched.
    pub(super) fn forward(&mut self, packet: &mut [u8]) {
        let field = |range: std::ops::Range<usize>| -> Option<[u8; 4]> {
            let bytes = packet.get(range)?;
            let mut out = [0; 4];
            out[4 - bytes.len()..].copy_from_slice(bytes);
            Some(out)
        };
        let (Some(seq), Some(ts), Some(ssrc)) = (field(2..4), field(4..8), field(8..12)) else {
            return;
        };
        let ssrc = u32::from_be_bytes(ssrc);
        if self.ssrc != Some(ssrc) {
            // A new source numbers its packets afresh (RFC 3550 §8.2).
            self.ssrc = Some(ssrc);
            self.offset = 0;
        }
        let sequence = (u32::from_be_bytes(seq) as u16).wrapping_add(self.offset);
        if self.offset != 0 {
            if let Some(bytes) = packet.get_mut(2..4) {
                bytes.copy_from_slice(&sequence.to_be_bytes());
            }
        }
        self.last_sequence = sequence;
        self.last_timestamp = u32::from_be_bytes(ts);
    }

    /// The source and timestamp a key starting now takes, if anything was forwarded.
    fn now(&self) -> Option<(u32, u32)> {
        Some((self.ssrc?, self.last_timestamp))
    }

    /// The sequence number of one more packet put into the stream.
    fn insert(&mut self) -> u16 {
        self.last_sequence = self.last_sequence.wrapping_add(1);
        self.offset = self.offset.wrapping_add(1);
        self.last_sequence
    }
}

/// The event being sent.
#[derive(Debug, Clone, Copy)]
struct Burst {
    event: u8,
    /// RTP timestamp of the event's start, shared by all its packets.
    start: u32,
    /// The source it is sent as: the forwarded stream's, or our own.
    ssrc: u32,
    /// Whether it goes into the forwarded stream (else into a stream of our own).
    inserted: bool,
    /// Length of the press, in timestamp units.
    length: u32,
    /// Duration reached so far, in timestamp units.
    elapsed: u32,
    ends_sent: u8,
}

/// One side's stream of sent keys.
#[derive(Debug)]
pub(super) struct DtmfSender {
    payload_type: u8,
    clock_rate: u32,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    /// Keys waiting: event code and length in milliseconds.
    queue: VecDeque<(u8, u32)>,
    current: Option<Burst>,
    packet: Vec<u8>,
}

impl DtmfSender {
    pub(super) fn new(payload_type: u8, clock_rate: u32) -> DtmfSender {
        let mut rng = rand::thread_rng();
        DtmfSender {
            payload_type,
            clock_rate: clock_rate.max(1000),
            ssrc: rng.gen(),
            sequence: rng.gen(),
            timestamp: rng.gen(),
            queue: VecDeque::new(),
            current: None,
            packet: Vec::with_capacity(64),
        }
    }

    /// Whether this stream is the one for `payload_type` at `clock_rate`.
    pub(super) fn suits(&self, payload_type: u8, clock_rate: u32) -> bool {
        self.payload_type == payload_type && self.clock_rate == clock_rate.max(1000)
    }

    /// Queues a press of `key` lasting `millis`; keys that are not DTMF are ignored.
    pub(super) fn push(&mut self, key: char, millis: u32) {
        if let Some(event) = event_code(key) {
            if self.queue.len() < MAX_QUEUED {
                self.queue.push_back((event, millis.clamp(MIN_MS, MAX_MS)));
            }
        }
    }

    /// Whether nothing is being sent or waits to be.
    pub(super) fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty()
    }

    fn step(&self) -> u32 {
        self.clock_rate * FRAME_MS / 1000
    }

    /// The packet for this 20 ms tick, if a key is being sent, into `stream`.
    pub(super) fn next_packet(&mut self, stream: &mut OutStream) -> Option<&[u8]> {
        let step = self.step();
        let first = self.current.is_none();
        if first {
            let (event, millis) = self.queue.pop_front()?;
            let (ssrc, start, inserted) = match stream.now() {
                Some((ssrc, timestamp)) => (ssrc, timestamp, true),
                None => {
                    // A new event starts after the previous one: its timestamp moves on.
                    self.timestamp = self.timestamp.wrapping_add(step);
                    (self.ssrc, self.timestamp, false)
                }
            };
            self.current = Some(Burst {
                event,
                start,
                ssrc,
                inserted,
                length: (self.clock_rate / 1000).saturating_mul(millis),
                elapsed: 0,
                ends_sent: 0,
            });
        }
        let burst = self.current.as_mut()?;
        burst.elapsed = burst.elapsed.saturating_add(step).min(burst.length);
        let end = burst.elapsed >= burst.length;
        if end {
            burst.ends_sent += 1;
        }
        // The 16-bit duration saturates; MAX_MS at 48 kHz still fits.
        let duration = u16::try_from(burst.elapsed).unwrap_or(u16::MAX);
        let payload = [
            burst.event,
            if end { 0x80 | VOLUME } else { VOLUME },
            (duration >> 8) as u8,
            duration as u8,
        ];
        let Burst {
            start,
            ssrc,
            inserted,
            ..
        } = *burst;
        if burst.ends_sent >= END_COPIES {
            if !inserted {
                self.timestamp = start.wrapping_add(burst.length);
            }
            self.current = None;
        }
        let sequence = if inserted {
            stream.insert()
        } else {
            self.sequence = self.sequence.wrapping_add(1);
            self.sequence
        };
        let mut rtp = RtpPacket::new(self.payload_type, sequence, start, ssrc, &payload);
        rtp.marker = first;
        self.packet.clear();
        rtp.write(&mut self.packet);
        Some(&self.packet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use media::dtmf_detect::EventReceiver;

    #[test]
    fn a_key_is_one_event_with_three_end_packets() {
        let mut sender = DtmfSender::new(101, 8000);
        sender.push('5', 100);
        let mut packets = Vec::new();
        let mut stream = OutStream::default();
        while let Some(p) = sender.next_packet(&mut stream) {
            packets.push(p.to_vec());
        }
        assert!(sender.is_idle());
        // 100 ms in 20 ms steps: 4 updates, then the end three times.
        assert_eq!(packets.len(), 7);
        let parsed: Vec<RtpPacket> = packets
            .iter()
            .map(|p| RtpPacket::parse(p).expect("RTP"))
            .collect();
        assert!(parsed[0].marker && parsed[1..].iter().all(|p| !p.marker));
        assert!(parsed.iter().all(|p| p.timestamp == parsed[0].timestamp));
        assert!(parsed.iter().all(|p| p.payload_type == 101));
        let ends = parsed.iter().filter(|p| p.payload[1] & 0x80 != 0).count();
        assert_eq!(ends, 3);
        let last = parsed.last().expect("end");
        assert_eq!(u16::from_be_bytes([last.payload[2], last.payload[3]]), 800);
        for pair in parsed.windows(2) {
            assert_eq!(pair[1].sequence, pair[0].sequence.wrapping_add(1));
        }
    }

    #[test]
    fn keys_in_a_row_are_read_back_in_order() {
        let mut sender = DtmfSender::new(96, 16_000);
        for key in "12*#9".chars() {
            sender.push(key, 80);
        }
        sender.push('x', 80); // not a key
        let mut receiver = EventReceiver::new();
        let mut keys = String::new();
        let mut stream = OutStream::default();
        while let Some(p) = sender.next_packet(&mut stream) {
            let rtp = RtpPacket::parse(p).expect("RTP");
            if let Some(k) = receiver.on_packet(rtp.timestamp, rtp.payload) {
                keys.push(k);
            }
        }
        assert_eq!(keys, "12*#9");
        assert!(sender.suits(96, 16_000) && !sender.suits(101, 8000));
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    fn audio(sequence: u16, timestamp: u32) -> Vec<u8> {
        let mut out = Vec::new();
        RtpPacket::new(0, sequence, timestamp, 0xabcd, &[0xff; 160]).write(&mut out);
        out
    }

    #[test]
    fn keys_join_the_forwarded_stream_and_later_packets_are_renumbered() {
        let mut stream = OutStream::default();
        for (i, seq) in (100u16..103).enumerate() {
            let mut p = audio(seq, 8000 + 160 * i as u32);
            stream.forward(&mut p);
            assert_eq!(
                RtpPacket::parse(&p).unwrap().sequence,
                seq,
                "untouched so far"
            );
        }
        let mut sender = DtmfSender::new(101, 8000);
        sender.push('3', 60);
        let mut sent = Vec::new();
        while let Some(p) = sender.next_packet(&mut stream) {
            sent.push(p.to_vec());
        }
        let events: Vec<RtpPacket> = sent.iter().map(|p| RtpPacket::parse(p).unwrap()).collect();
        assert!(events
            .iter()
            .all(|e| e.ssrc == 0xabcd && e.timestamp == 8320));
        let numbers: Vec<u16> = events.iter().map(|e| e.sequence).collect();
        assert_eq!(
            numbers,
            (103..103 + events.len() as u16).collect::<Vec<_>>()
        );
        // The phone's next packet (its own number 103) follows the inserted ones.
        let mut next = audio(103, 8480);
        stream.forward(&mut next);
        let after = RtpPacket::parse(&next).unwrap();
        assert_eq!(after.sequence, 103 + events.len() as u16);
        assert_eq!(after.payload, &[0xff; 160][..], "only the number changes");
        // A new source starts afresh.
        let mut other = audio(7, 0);
        other[8] = 1;
        stream.forward(&mut other);
        assert_eq!(RtpPacket::parse(&other).unwrap().sequence, 7);
        stream.forward(&mut [0x80, 0]);
    }
}
