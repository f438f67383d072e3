//! DTMF keys from a call's incoming media, whichever way the phone sends them.
//!
//! Phones send keys as RFC 4733 telephone-events when both sides offered them, else as
//! tones in the audio; some send both. [`DtmfDetector`] listens to both and reports each
//! key once: from the first telephone-event on, the sender is known to use them and the
//! audio is no longer searched for tones.

mod events;
mod inband;

use std::collections::VecDeque;

pub use events::EventReceiver;
pub use inband::InbandDetector;

/// How long after a key heard in the audio a telephone-event for the same key is taken
/// as the same press (a phone sending both starts them together).
const SAME_PRESS_MS: u64 = 500;

/// Keys from one direction of a call: telephone-events and in-band tones, once each.
#[derive(Debug, Clone)]
pub struct DtmfDetector {
    sample_rate: u32,
    inband: InbandDetector,
    events: EventReceiver,
    /// Set by the first telephone-event: in-band detection stops for the rest of the
    /// stream so a phone that sends both does not give every key twice.
    events_seen: bool,
    /// Audio samples processed so far: the detector's only notion of time.
    samples: u64,
    /// The last key heard in the audio and the sample count when it was.
    last_inband: Option<(char, u64)>,
    digits: VecDeque<char>,
}

impl DtmfDetector {
    /// A detector whose audio is mono PCM at `sample_rate` Hz.
    pub fn new(sample_rate: u32) -> Self {
        DtmfDetector {
            sample_rate: sample_rate.clamp(4000, 192_000),
            inband: InbandDetector::new(sample_rate),
            events: EventReceiver::new(),
            events_seen: false,
            samples: 0,
            last_inband: None,
            digits: VecDeque::with_capacity(8),
        }
    }

    /// Takes the next decoded audio of the stream (concealed frames included, so the
    /// sample count keeps time).
    pub fn on_audio(&mut self, pcm: &[i16]) {
        self.samples = self.samples.saturating_add(pcm.len() as u64);
        if self.events_seen {
            return;
        }
        self.inband.process(pcm);
        while let Some(key) = self.inband.poll_digit() {
            self.last_inband = Some((key, self.samples));
            self.digits.push_back(key);
        }
    }

    /// Takes a telephone-event packet (RTP timestamp and payload) of the stream.
    pub fn on_telephone_event(&mut self, timestamp: u32, payload: &[u8]) {
        let Some(key) = self.events.on_packet(timestamp, payload) else {
            return;
        };
        if !self.events_seen {
            self.events_seen = true;
            self.inband.reset();
            let window = SAME_PRESS_MS * u64::from(self.sample_rate) / 1000;
            if let Some((heard, at)) = self.last_inband {
                if heard == key && self.samples.saturating_sub(at) <= window {
                    return;
                }
            }
        }
        self.digits.push_back(key);
    }

    /// The next key pressed, oldest first.
    pub fn poll_digit(&mut self) -> Option<char> {
        self.digits.pop_front()
    }
}
