//! RFC 4733 telephone-events going out: one key at a time, one packet per frame.

use std::collections::VecDeque;

use media::rtp::TelephoneEvent;

/// RFC 4733 §2.5.1.4: the end of an event is sent three times, so one lost packet does
/// not leave the far end waiting for the key to be released.
const END_REPEATS: u8 = 3;
/// Volume written in the events, in -dBm0 (RFC 4733 §2.3.4; 10 is a typical key press).
const VOLUME: u8 = 10;
/// Keys no shorter than this, so the far end's detector sees at least two packets.
const MIN_MS: u32 = 40;

/// One event packet to send: its payload and whether it starts the event (the RTP
/// marker, RFC 4733 §2.5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct EventPacket {
    pub(super) payload: [u8; 4],
    pub(super) first: bool,
}

/// The event under way.
#[derive(Debug, Clone, Copy)]
struct Active {
    event: u8,
    /// Total length in timestamp units.
    length: u32,
    /// Timestamp units covered so far.
    sent: u32,
    /// End packets sent so far.
    ends: u8,
}

/// Keys waiting to be sent and the one being sent.
#[derive(Debug, Clone, Default)]
pub(super) struct DtmfSender {
    queue: VecDeque<(u8, u32)>,
    active: Option<Active>,
}

impl DtmfSender {
    /// Queues `key` for `ms` milliseconds; false if it is not a DTMF key.
    pub(super) fn queue(&mut self, key: char, ms: u32, clock_rate: u32) -> bool {
        let Some(event) = TelephoneEvent::event_for_digit(key) else {
            return false;
        };
        let ms = u64::from(ms.max(MIN_MS));
        // RFC 4733 §2.5.2.1: the duration field has 16 bits; longer keys are capped
        // rather than split into segments.
        let units = (ms * u64::from(clock_rate) / 1000).min(u64::from(u16::MAX));
        self.queue.push_back((event, units as u32));
        true
    }

    /// True while an event is being sent or waits to be.
    pub(super) fn busy(&self) -> bool {
        self.active.is_some() || !self.queue.is_empty()
    }

    /// The packet for the next frame of `frame_units` timestamp units, or `None` when
    /// no key is being sent. The caller keeps the event's start timestamp while
    /// `first` packets begin a new one.
    pub(super) fn next_packet(&mut self, frame_units: u32) -> Option<EventPacket> {
        let mut first = false;
        if self.active.is_none() {
            let (event, length) = self.queue.pop_front()?;
            self.active = Some(Active {
                event,
                length,
                sent: 0,
                ends: 0,
            });
            first = true;
        }
        let active = self.active.as_mut()?;
        let end;
        if active.sent < active.length {
            active.sent = (active.sent + frame_units).min(active.length);
            end = active.sent >= active.length;
        } else {
            end = true;
        }
        if end {
            active.ends += 1;
        }
        let packet = TelephoneEvent {
            event: active.event,
            end,
            volume: VOLUME,
            duration: active.sent.min(u32::from(u16::MAX)) as u16,
        };
        if active.ends >= END_REPEATS {
            self.active = None;
        }
        Some(EventPacket {
            payload: packet.to_bytes(),
            first,
        })
    }
}
