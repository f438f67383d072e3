//! Plays prompts and music on hold as 20 ms frames of PCM.
//!
//! A call's media loop asks for one frame per packet time; the player hands out the
//! next samples of whatever is queued (a greeting, a beep, "you have", "3", "new
//! messages") and silence once nothing is left. Music on hold loops the queue instead of
//! draining it. Clips share their samples, so a hundred callers on hold hold one copy of
//! the music.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::audio_import_resample::resample;
use crate::tone::{Tone, ToneGenerator};

/// Packet time of every stream the PBX sends (RFC 3551 §4.5: 20 ms is the default
/// packetisation for the audio codecs we offer).
pub const FRAME_MS: u32 = 20;

/// A mono clip of 16-bit PCM at a known rate; cloning shares the samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clip {
    sample_rate: u32,
    samples: Arc<[i16]>,
}

impl Clip {
    pub fn new(sample_rate: u32, samples: impl Into<Arc<[i16]>>) -> Self {
        Clip {
            sample_rate,
            samples: samples.into(),
        }
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    pub fn duration_ms(&self) -> u64 {
        if self.sample_rate == 0 {
            return 0;
        }
        self.samples.len() as u64 * 1000 / u64::from(self.sample_rate)
    }

    /// The clip at another rate (e.g. a 16 kHz prompt for an 8 kHz G.711 call). Done once
    /// when a prompt is loaded, never per frame; the same rate shares the samples.
    pub fn resampled(&self, sample_rate: u32) -> Clip {
        if sample_rate == self.sample_rate {
            return self.clone();
        }
        let input: Vec<f32> = self.samples.iter().map(|&s| f32::from(s)).collect();
        let output: Vec<i16> = resample(&input, self.sample_rate, sample_rate)
            .into_iter()
            .map(|x| x.round().clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16)
            .collect();
        Clip::new(sample_rate, output)
    }

    /// A tone of `duration_ms`, faded in and out over 5 ms so it starts and ends without
    /// a click.
    pub fn tone(tone: Tone, sample_rate: u32, duration_ms: u32) -> Clip {
        let len = (u64::from(sample_rate) * u64::from(duration_ms) / 1000) as usize;
        let mut samples = vec![0i16; len];
        ToneGenerator::new(tone, sample_rate).fill(&mut samples);
        if len == 0 {
            return Clip::new(sample_rate, samples);
        }
        let ramp = (sample_rate as usize * 5 / 1000).min(len / 2).max(1);
        for i in 0..ramp {
            let gain = i as f32 / ramp as f32;
            for index in [i, len - 1 - i] {
                if let Some(sample) = samples.get_mut(index) {
                    *sample = (f32::from(*sample) * gain) as i16;
                }
            }
        }
        Clip::new(sample_rate, samples)
    }

    /// The voicemail beep: 1 kHz for 400 ms, the signal callers know as "speak now".
    pub fn beep(sample_rate: u32) -> Clip {
        Clip::tone(Tone::continuous(1000.0), sample_rate, 400)
    }
}

/// One thing queued to play.
#[derive(Debug, Clone)]
enum Item {
    Clip(Clip),
    /// A pause of this many samples, e.g. between menu prompts.
    Silence(usize),
}

impl Item {
    fn len(&self) -> usize {
        match self {
            Item::Clip(clip) => clip.samples.len(),
            Item::Silence(len) => *len,
        }
    }
}

/// Plays queued clips one after the other, frame by frame, at one sample rate.
#[derive(Debug, Clone)]
pub struct PromptPlayer {
    sample_rate: u32,
    queue: VecDeque<Item>,
    /// Samples of the front item already played.
    position: usize,
    /// Music on hold: a finished item goes to the back of the queue instead of away.
    looping: bool,
}

impl PromptPlayer {
    /// A player that plays what is queued once, then silence.
    pub fn new(sample_rate: u32) -> Self {
        PromptPlayer {
            sample_rate,
            queue: VecDeque::new(),
            position: 0,
            looping: false,
        }
    }

    /// A player that loops `clip` for as long as frames are asked for: music on hold.
    pub fn looping(clip: Clip, sample_rate: u32) -> Self {
        let mut player = PromptPlayer::new(sample_rate);
        player.looping = true;
        player.enqueue(clip);
        player
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Samples in one 20 ms frame at this player's rate.
    pub fn frame_len(&self) -> usize {
        (self.sample_rate * FRAME_MS / 1000) as usize
    }

    /// Queues a clip after whatever is already queued, converting its rate if needed.
    pub fn enqueue(&mut self, clip: Clip) {
        let clip = clip.resampled(self.sample_rate);
        if !clip.samples.is_empty() {
            self.queue.push_back(Item::Clip(clip));
        }
    }

    /// Queues a pause.
    pub fn enqueue_silence(&mut self, duration_ms: u32) {
        let len = (u64::from(self.sample_rate) * u64::from(duration_ms) / 1000) as usize;
        if len > 0 {
            self.queue.push_back(Item::Silence(len));
        }
    }

    /// Stops at once and forgets the queue: a caller pressed a key during a menu.
    pub fn clear(&mut self) {
        self.queue.clear();
        self.position = 0;
    }

    /// Whether everything queued has been played (never true while looping something).
    pub fn is_finished(&self) -> bool {
        self.queue.is_empty()
    }

    /// Fills `out` (normally [`frame_len`](Self::frame_len) samples) with the next audio,
    /// silence where nothing is queued. Returns how many samples came from the queue, so
    /// 0 means the prompt had already ended.
    pub fn next_frame(&mut self, out: &mut [i16]) -> usize {
        let mut filled = 0;
        while filled < out.len() {
            let Some(item) = self.queue.front() else {
                break;
            };
            let remaining = item.len().saturating_sub(self.position);
            let take = remaining.min(out.len() - filled);
            let target = &mut out[filled..filled + take];
            match item {
                Item::Clip(clip) => {
                    let source = clip.samples.get(self.position..self.position + take);
                    match source {
                        Some(source) => target.copy_from_slice(source),
                        None => target.fill(0),
                    }
                }
                Item::Silence(_) => target.fill(0),
            }
            filled += take;
            self.position += take;
            if self.position >= item.len() {
                self.position = 0;
                if let Some(done) = self.queue.pop_front() {
                    if self.looping {
                        self.queue.push_back(done);
                    }
                }
            }
        }
        out[filled..].fill(0);
        filled
    }
}
