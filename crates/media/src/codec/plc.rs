//! Packet loss concealment for waveform codecs: repeat the last good frame, fading it
//! out over a few lost frames, then silence. Crude next to G.711 Appendix I, but it
//! avoids the click of dropping straight to zero and the buzz of repeating forever.

/// Frame length used before any packet arrived: 20 ms at 8 kHz (RFC 3551 §4.5 default).
const DEFAULT_FRAME: usize = 160;
/// Lost frames over which the repeated frame fades to silence (60 ms at 20 ms ptime).
const FADE_FRAMES: u32 = 3;

#[derive(Debug, Clone)]
pub(super) struct Concealer {
    /// The last frame actually received.
    last: Vec<i16>,
    /// Consecutive frames concealed since then.
    lost: u32,
    /// Silence to give when nothing was received yet: one frame at the codec's rate.
    first_frame: usize,
}

impl Default for Concealer {
    fn default() -> Self {
        Self::new(DEFAULT_FRAME)
    }
}

impl Concealer {
    /// A concealer whose loss before any packet is `first_frame` samples of silence.
    pub(super) fn new(first_frame: usize) -> Self {
        Concealer {
            last: Vec::new(),
            lost: 0,
            first_frame,
        }
    }

    /// Records a decoded frame and appends it to `out`.
    pub(super) fn received(&mut self, samples: impl Iterator<Item = i16>, out: &mut Vec<i16>) {
        let start = out.len();
        out.extend(samples);
        self.last.clear();
        self.last
            .extend_from_slice(out.get(start..).unwrap_or_default());
        self.lost = 0;
    }

    /// Records a frame the codec decoded straight into its output.
    pub(super) fn remember(&mut self, frame: &[i16]) {
        self.last.clear();
        self.last.extend_from_slice(frame);
        self.lost = 0;
    }

    /// Appends one concealment frame to `out`.
    pub(super) fn conceal(&mut self, out: &mut Vec<i16>) {
        self.lost = self.lost.saturating_add(1);
        if self.last.is_empty() || self.lost > FADE_FRAMES {
            let len = if self.last.is_empty() {
                self.first_frame
            } else {
                self.last.len()
            };
            out.resize(out.len() + len, 0);
            return;
        }
        // Linear fade across the concealed frames: gain goes from (F-lost+1)/F to
        // (F-lost)/F sample by sample, so consecutive frames join without a step.
        let n = self.last.len() as i64;
        let fade = i64::from(FADE_FRAMES);
        let lost = i64::from(self.lost);
        out.extend(self.last.iter().enumerate().map(|(i, s)| {
            let numerator = (fade - lost + 1) * n - i as i64;
            (i64::from(*s) * numerator / (fade * n)) as i16
        }));
    }
}
