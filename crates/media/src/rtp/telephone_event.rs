//! RFC 4733 §2.3 telephone-event payloads (DTMF digits as RTP events).

use crate::Error;

/// One named event report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// RFC 4733 §3.2: 0–9 digits, 10 `*`, 11 `#`, 12–15 `A`–`D`, 16 flash.
    pub event: u8,
    /// E bit: the last packets of an event carry it (sent three times, §2.5.1.4).
    pub end: bool,
    /// Power level in -dBm0, 0–63 (six bits).
    pub volume: u8,
    /// Duration so far in timestamp units (§2.5.1.2).
    pub duration: u16,
}

impl TelephoneEvent {
    /// Reads the first event of a payload; redundant trailing events are ignored.
    pub fn parse(payload: &[u8]) -> Result<Self, Error> {
        let b: &[u8; 4] = payload.first_chunk().ok_or(Error::TelephoneEventTooShort)?;
        Ok(TelephoneEvent {
            event: b[0],
            end: b[1] & 0x80 != 0,
            volume: b[1] & 0x3f,
            duration: u16::from_be_bytes([b[2], b[3]]),
        })
    }

    /// The four-octet payload; the R bit is written as zero (§2.3).
    pub fn to_bytes(&self) -> [u8; 4] {
        let [d0, d1] = self.duration.to_be_bytes();
        [
            self.event,
            u8::from(self.end) << 7 | (self.volume & 0x3f),
            d0,
            d1,
        ]
    }

    /// The DTMF key this event stands for, if it is one (§3.2).
    pub fn digit(&self) -> Option<char> {
        Some(match self.event {
            0..=9 => char::from(b'0' + self.event),
            10 => '*',
            11 => '#',
            12..=15 => char::from(b'A' + self.event - 12),
            _ => return None,
        })
    }

    /// The event code of a DTMF key (case-insensitive letters), if it is one.
    pub fn event_for_digit(digit: char) -> Option<u8> {
        Some(match digit.to_ascii_uppercase() {
            d @ '0'..='9' => d as u8 - b'0',
            '*' => 10,
            '#' => 11,
            d @ 'A'..='D' => d as u8 - b'A' + 12,
            _ => return None,
        })
    }
}
