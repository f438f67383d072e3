//! Keys pressed during a relayed call, reported to the call model.
//!
//! Phones send keys as RFC 4733 telephone-events inside the RTP stream. The relay
//! forwards them unchanged (the far party may be using a menu of its own) and, on the
//! way, reads the packets whose payload type the call's SDP gave telephone-event: each
//! press is reported once (its copies and end packets tie together by timestamp, see
//! [`EventReceiver`]) on a channel the core loop reads. Audio packets are not touched:
//! the check is one byte compare per packet.
//!
//! A phone that agreed to no telephone-events (a call through a trunk in in-band mode)
//! sends its keys as tones: for such a side, the G.711 audio it sends is decoded and
//! searched for them ([`InbandDetector`]); other codecs are not decoded for this.

use std::collections::HashMap;

use media::codec::{by_rtpmap, Codec};
use media::dtmf_detect::{EventReceiver, InbandDetector};
use media::rtp::RtpPacket;
use media::sdp::PayloadFormat;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::handle::Side;

/// Telephone-event payload types one call may use (RFC 4733 at 8 and 16 kHz, one per
/// side at most); more are ignored.
const MAX_TYPES: usize = 4;

/// A key pressed by the phone on `side` of relay `relay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfReport {
    /// The call model's name of the relay.
    pub relay: u64,
    pub side: Side,
    pub key: char,
}

/// What the forwarding task of one call needs to report keys.
pub(crate) struct DtmfTap {
    relay: u64,
    types: Vec<u8>,
    receivers: [EventReceiver; 2],
    /// Per side: listening for tones in the audio, for a side without events.
    inband: [Option<Inband>; 2],
    reports: UnboundedSender<DtmfReport>,
}

impl std::fmt::Debug for DtmfTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DtmfTap")
            .field("relay", &self.relay)
            .field("types", &self.types)
            .field("inband", &self.inband.each_ref().map(Option::is_some))
            .finish()
    }
}

/// Keys as tones in one side's G.711 audio.
struct Inband {
    payload_type: u8,
    codec: Box<dyn Codec>,
    detector: InbandDetector,
    /// Decoded audio of one packet, reused.
    pcm: Vec<i16>,
}

impl Inband {
    fn new(format: &PayloadFormat) -> Option<Inband> {
        let g711 = ["PCMU", "PCMA"]
            .iter()
            .any(|n| format.encoding.eq_ignore_ascii_case(n));
        if !g711 {
            return None;
        }
        let codec = by_rtpmap(&format.encoding, format.clock_rate).ok()?;
        Some(Inband {
            payload_type: format.payload_type,
            detector: InbandDetector::new(codec.sample_rate()),
            codec,
            pcm: Vec::with_capacity(320),
        })
    }

    /// The key this packet completes, if it is the side's audio and one does.
    fn packet(&mut self, payload_type: u8, data: &[u8]) -> Option<char> {
        if payload_type != self.payload_type {
            return None;
        }
        let rtp = RtpPacket::parse(data).ok()?;
        self.pcm.clear();
        self.codec.decode(Some(rtp.payload), &mut self.pcm);
        self.detector.process(&self.pcm);
        self.detector.poll_digit()
    }
}

impl DtmfTap {
    /// Reads one RTP packet the phone at index `from` (0 = A) sent.
    pub(super) fn packet(&mut self, from: usize, data: &[u8]) {
        // RFC 3550 §5.1: the payload type is the low 7 bits of the second byte.
        let Some(payload_type) = data.get(1).map(|b| b & 0x7f) else {
            return;
        };
        if !self.types.contains(&payload_type) {
            let heard = self
                .inband
                .get_mut(from)
                .and_then(Option::as_mut)
                .and_then(|inband| inband.packet(payload_type, data));
            if let Some(key) = heard {
                self.report(from, key);
            }
            return;
        }
        let Ok(rtp) = RtpPacket::parse(data) else {
            return;
        };
        let Some(receiver) = self.receivers.get_mut(from) else {
            return;
        };
        if let Some(key) = receiver.on_packet(rtp.timestamp, rtp.payload) {
            self.report(from, key);
        }
    }

    fn report(&self, from: usize, key: char) {
        let side = if from == 0 { Side::A } else { Side::B };
        // The core loop gone means the PBX is stopping: nobody to tell.
        let _ = self.reports.send(DtmfReport {
            relay: self.relay,
            side,
            key,
        });
    }

    /// Takes the payload types of a newer tap of the same relay, keeping the presses in
    /// progress (a re-INVITE may repeat or add a type).
    pub(super) fn merge(&mut self, newer: DtmfTap) {
        for (mine, theirs) in self.inband.iter_mut().zip(newer.inband) {
            // A side now described another way follows its newer description.
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        for t in newer.types {
            if !self.types.contains(&t) && self.types.len() < MAX_TYPES {
                self.types.push(t);
            }
        }
    }
}

/// The relays' side of key reporting: the payload types per relay and the channel.
#[derive(Debug)]
pub(crate) struct DtmfReports {
    tx: UnboundedSender<DtmfReport>,
    rx: UnboundedReceiver<DtmfReport>,
    types: HashMap<u64, Vec<u8>>,
    /// Per relay and side: the G.711 format a side without events sends its tones in.
    inband: HashMap<u64, [Option<PayloadFormat>; 2]>,
}

impl Default for DtmfReports {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        DtmfReports {
            tx,
            rx,
            types: HashMap::new(),
            inband: HashMap::new(),
        }
    }
}

impl DtmfReports {
    /// Adds `types` to what relay `relay` watches; returns the tap to give its running
    /// forwarding task.
    pub(crate) fn watch(&mut self, relay: u64, types: &[u8]) -> DtmfTap {
        let known = self.types.entry(relay).or_default();
        for t in types {
            if !known.contains(t) && known.len() < MAX_TYPES {
                known.push(*t);
            }
        }
        self.tap(relay)
            .unwrap_or_else(|| self.new_tap(relay, Vec::new()))
    }

    /// Listens for tones in what side `side` of relay `relay` sends in `format`; returns
    /// the tap to give its running forwarding task.
    pub(crate) fn watch_inband(
        &mut self,
        relay: u64,
        side: Side,
        format: PayloadFormat,
    ) -> DtmfTap {
        let sides = self.inband.entry(relay).or_default();
        if let Some(slot) = sides.get_mut(side.index()) {
            *slot = Some(format);
        }
        self.tap(relay)
            .unwrap_or_else(|| self.new_tap(relay, Vec::new()))
    }

    /// The tap of a relay that is told its types, for a relay that starts forwarding.
    pub(crate) fn tap(&self, relay: u64) -> Option<DtmfTap> {
        if !self.types.contains_key(&relay) && !self.inband.contains_key(&relay) {
            return None;
        }
        let types = self.types.get(&relay).cloned().unwrap_or_default();
        Some(self.new_tap(relay, types))
    }

    fn new_tap(&self, relay: u64, types: Vec<u8>) -> DtmfTap {
        DtmfTap {
            relay,
            types,
            receivers: [EventReceiver::new(), EventReceiver::new()],
            inband: match self.inband.get(&relay) {
                Some([a, b]) => [
                    a.as_ref().and_then(Inband::new),
                    b.as_ref().and_then(Inband::new),
                ],
                None => [None, None],
            },
            reports: self.tx.clone(),
        }
    }

    pub(crate) fn forget(&mut self, relay: u64) {
        self.types.remove(&relay);
        self.inband.remove(&relay);
    }

    /// The next key reported by any relay.
    pub(crate) async fn recv(&mut self) -> Option<DtmfReport> {
        self.rx.recv().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_packet(payload_type: u8, timestamp: u32, event: u8, end: bool) -> Vec<u8> {
        let duration: u16 = 160;
        let payload = [
            event,
            if end { 0x80 | 10 } else { 10 },
            (duration >> 8) as u8,
            duration as u8,
        ];
        let mut out = Vec::new();
        RtpPacket::new(payload_type, 1, timestamp, 42, &payload).write(&mut out);
        out
    }

    #[test]
    fn each_press_is_reported_once_with_its_side() {
        let mut reports = DtmfReports::default();
        let mut tap = reports.watch(7, &[101]);
        for _ in 0..3 {
            tap.packet(1, &event_packet(101, 1000, 5, false));
        }
        tap.packet(1, &event_packet(101, 1000, 5, true));
        tap.packet(0, &event_packet(101, 2000, 11, true));
        // Audio, an unknown type and garbage report nothing.
        let mut audio = Vec::new();
        RtpPacket::new(0, 2, 3000, 42, &[0xff; 160]).write(&mut audio);
        tap.packet(0, &audio);
        tap.packet(0, &event_packet(102, 4000, 1, true));
        tap.packet(0, &[0x80]);
        tap.packet(0, &[]);
        let mut got = Vec::new();
        while let Ok(r) = reports.rx.try_recv() {
            got.push(r);
        }
        assert_eq!(
            got,
            vec![
                DtmfReport {
                    relay: 7,
                    side: Side::B,
                    key: '5'
                },
                DtmfReport {
                    relay: 7,
                    side: Side::A,
                    key: '#'
                },
            ]
        );
    }

    #[test]
    fn a_newer_tap_adds_its_types() {
        let mut reports = DtmfReports::default();
        let mut tap = reports.watch(1, &[101]);
        tap.merge(reports.watch(1, &[101, 96]));
        tap.packet(0, &event_packet(96, 10, 1, true));
        assert_eq!(reports.rx.try_recv().map(|r| r.key), Ok('1'));
        assert!(reports.tap(2).is_none());
        reports.forget(1);
        assert!(reports.tap(1).is_none());
    }
}

#[cfg(test)]
mod inband_tests {
    use super::*;
    use media::codec::Pcmu;
    use media::tone::{Tone, ToneGenerator};

    fn pcmu() -> PayloadFormat {
        PayloadFormat {
            payload_type: 0,
            encoding: "PCMU".into(),
            clock_rate: 8000,
            channels: None,
            fmtp: None,
        }
    }

    /// `ms` of a key's two tones (or silence for `None`) as 20 ms PCMU packets.
    fn sound(key: Option<(f64, f64)>, ms: u32, seq: &mut u16) -> Vec<Vec<u8>> {
        let mut low = key.map(|(l, _)| ToneGenerator::new(Tone::continuous(l), 8000));
        let mut high = key.map(|(_, h)| ToneGenerator::new(Tone::continuous(h), 8000));
        let mut encoder = Pcmu::new();
        (0..ms / 20)
            .map(|_| {
                let mut a = [0i16; 160];
                let mut b = [0i16; 160];
                if let (Some(l), Some(h)) = (&mut low, &mut high) {
                    l.fill(&mut a);
                    h.fill(&mut b);
                }
                let mixed: Vec<i16> = a.iter().zip(b).map(|(x, y)| x / 2 + y / 2).collect();
                let mut payload = Vec::new();
                encoder.encode(&mixed, &mut payload);
                let mut out = Vec::new();
                RtpPacket::new(0, *seq, u32::from(*seq) * 160, 9, &payload).write(&mut out);
                *seq = seq.wrapping_add(1);
                out
            })
            .collect()
    }

    #[test]
    fn tones_in_g711_audio_of_a_side_without_events_are_keys() {
        let mut reports = DtmfReports::default();
        let mut tap = reports.watch_inband(3, Side::A, pcmu());
        let mut seq = 0;
        // 5 is 770 + 1336 Hz, # is 941 + 1477 Hz.
        for key in [Some((770.0, 1336.0)), None, Some((941.0, 1477.0)), None] {
            for packet in sound(key, 120, &mut seq) {
                tap.packet(0, &packet);
                tap.packet(1, &packet); // B is not listened to: nothing
            }
        }
        let mut got = Vec::new();
        while let Ok(r) = reports.rx.try_recv() {
            got.push((r.side, r.key));
        }
        assert_eq!(got, vec![(Side::A, '5'), (Side::A, '#')]);
    }

    #[test]
    fn only_g711_is_listened_to() {
        let opus = PayloadFormat {
            payload_type: 111,
            encoding: "opus".into(),
            clock_rate: 48000,
            channels: Some(2),
            fmtp: None,
        };
        assert!(Inband::new(&opus).is_none());
        assert!(Inband::new(&pcmu()).is_some());
    }
}
