//! Digits from RFC 4733 telephone-event packets, each reported once.
//!
//! A sender repeats every event many times: updates while the key is held (§2.5.1.2),
//! the end packet three times (§2.5.1.4), and overlong presses as several segments
//! (§2.5.1.5). What ties the copies together is the event's RTP timestamp, the instant
//! the key went down, shared by every packet of the event (§2.5.1.3).

use crate::rtp::TelephoneEvent;

/// A segment this long (in timestamp units) can only end because the 16-bit duration
/// field filled up, so a following segment of the same key is the same press. Half the
/// field leaves room for lost packets near the end of the segment.
const LONG_SEGMENT: u16 = 0x8000;

/// How far past the full 16-bit duration the next segment may start (timestamp units).
const SEGMENT_SLACK: u32 = 0x1000;

/// The event being received.
#[derive(Debug, Clone, Copy)]
struct Current {
    timestamp: u32,
    event: u8,
    /// Longest duration reported for this event (segment).
    duration: u16,
    ended: bool,
}

/// Turns a stream of telephone-event payloads into key presses.
#[derive(Debug, Clone, Default)]
pub struct EventReceiver {
    current: Option<Current>,
}

impl EventReceiver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one telephone-event packet's timestamp and payload; returns the key if this
    /// packet is the first seen of a new press. Malformed payloads and non-DTMF events
    /// (e.g. flash) give `None`.
    pub fn on_packet(&mut self, timestamp: u32, payload: &[u8]) -> Option<char> {
        let event = TelephoneEvent::parse(payload).ok()?;
        if let Some(current) = self.current.as_mut() {
            let since = timestamp.wrapping_sub(current.timestamp);
            if since == 0 && current.event == event.event {
                // §2.5.1.3: another report of the same press (update or end).
                current.duration = current.duration.max(event.duration);
                current.ended |= event.end;
                return None;
            }
            if (since as i32) < 0 {
                // A delayed packet of an earlier press.
                return None;
            }
            let continues = current.event == event.event
                && !current.ended
                && current.duration >= LONG_SEGMENT
                && since >= u32::from(current.duration)
                && since <= 0x1_0000 + SEGMENT_SLACK;
            if continues {
                // §2.5.1.5: the next segment of a press longer than the duration field.
                *current = Current {
                    timestamp,
                    event: event.event,
                    duration: event.duration,
                    ended: event.end,
                };
                return None;
            }
        }
        self.current = Some(Current {
            timestamp,
            event: event.event,
            duration: event.duration,
            ended: event.end,
        });
        event.digit()
    }
}
