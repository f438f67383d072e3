//! Keys pressed during a relayed call, reported to the call model.
//!
//! Phones send keys as RFC 4733 telephone-events inside the RTP stream. The relay
//! forwards them unchanged (the far party may be using a menu of its own) and, on the
//! way, reads the packets whose payload type the call's SDP gave telephone-event: each
//! press is reported once (its copies and end packets tie together by timestamp, see
//! [`EventReceiver`]) on a channel the core loop reads. Audio packets are not touched:
//! the check is one byte compare per packet.

use std::collections::HashMap;

use media::dtmf_detect::EventReceiver;
use media::rtp::RtpPacket;
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
#[derive(Debug)]
pub(crate) struct DtmfTap {
    relay: u64,
    types: Vec<u8>,
    receivers: [EventReceiver; 2],
    reports: UnboundedSender<DtmfReport>,
}

impl DtmfTap {
    /// Reads one RTP packet the phone at index `from` (0 = A) sent.
    pub(super) fn packet(&mut self, from: usize, data: &[u8]) {
        // RFC 3550 §5.1: the payload type is the low 7 bits of the second byte.
        let Some(payload_type) = data.get(1).map(|b| b & 0x7f) else {
            return;
        };
        if !self.types.contains(&payload_type) {
            return;
        }
        let Ok(rtp) = RtpPacket::parse(data) else {
            return;
        };
        let Some(receiver) = self.receivers.get_mut(from) else {
            return;
        };
        if let Some(key) = receiver.on_packet(rtp.timestamp, rtp.payload) {
            let side = if from == 0 { Side::A } else { Side::B };
            // The core loop gone means the PBX is stopping: nobody to tell.
            let _ = self.reports.send(DtmfReport {
                relay: self.relay,
                side,
                key,
            });
        }
    }

    /// Takes the payload types of a newer tap of the same relay, keeping the presses in
    /// progress (a re-INVITE may repeat or add a type).
    pub(super) fn merge(&mut self, newer: DtmfTap) {
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
}

impl Default for DtmfReports {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        DtmfReports {
            tx,
            rx,
            types: HashMap::new(),
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

    /// The tap of a relay that is told its types, for a relay that starts forwarding.
    pub(crate) fn tap(&self, relay: u64) -> Option<DtmfTap> {
        let types = self.types.get(&relay)?.clone();
        Some(self.new_tap(relay, types))
    }

    fn new_tap(&self, relay: u64, types: Vec<u8>) -> DtmfTap {
        DtmfTap {
            relay,
            types,
            receivers: [EventReceiver::new(), EventReceiver::new()],
            reports: self.tx.clone(),
        }
    }

    pub(crate) fn forget(&mut self, relay: u64) {
        self.types.remove(&relay);
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
