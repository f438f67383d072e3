//! Opus in-band FEC needs the packet *after* a lost one (RFC 6716 §2.1.7), but a jitter
//! buffer at its floor plays a frame as soon as its slot comes up, when the next packet
//! has usually not arrived yet. Once a loss is seen, playout therefore runs one frame
//! behind the jitter buffer: each frame is decoded a tick after it came out, when the
//! packet after it is already here if the network let it through.

/// A frame taken from the jitter buffer and not decoded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Held {
    /// Nothing to play (the buffer is filling).
    Waiting,
    /// The packet's payload, kept in a buffer reused between ticks.
    Packet(u32),
    /// Lost at this timestamp: conceal, from the next packet's FEC when it is here.
    Lost(u32),
    /// The sender paused (silence suppression).
    Silence(u32),
    /// The jitter buffer held playout back a tick to grow its delay: a frame of
    /// concealment inserted between two that follow each other.
    Stretch,
}

/// The one-frame hold: off until the first loss, then on for the rest of the call.
#[derive(Debug, Clone, Default)]
pub(super) struct Lookahead {
    on: bool,
    held: Option<Held>,
    payload: Vec<u8>,
}

impl Lookahead {
    pub(super) fn is_on(&self) -> bool {
        self.on
    }

    /// Starts holding one frame, from the next tick on.
    pub(super) fn switch_on(&mut self) {
        self.on = true;
    }

    /// Takes `current` (with its payload) and gives back the frame held since the last
    /// tick with its payload, or `None` on the first tick after switching on (the
    /// caller conceals that one).
    pub(super) fn exchange(
        &mut self,
        current: Held,
        payload: &[u8],
        out_payload: &mut Vec<u8>,
    ) -> Option<Held> {
        let previous = self.held.replace(current);
        out_payload.clear();
        out_payload.extend_from_slice(&self.payload);
        self.payload.clear();
        self.payload.extend_from_slice(payload);
        previous
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_back_one_tick_later_with_their_payloads() {
        let mut l = Lookahead::default();
        assert!(!l.is_on());
        l.switch_on();
        let mut out = Vec::new();
        assert_eq!(l.exchange(Held::Packet(960), b"a", &mut out), None);
        assert_eq!(
            l.exchange(Held::Lost(1920), b"", &mut out),
            Some(Held::Packet(960))
        );
        assert_eq!(out, b"a");
        assert_eq!(
            l.exchange(Held::Packet(2880), b"c", &mut out),
            Some(Held::Lost(1920))
        );
        assert!(out.is_empty());
    }
}
