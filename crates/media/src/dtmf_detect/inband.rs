//! DTMF digits heard in the audio itself (ITU-T Q.23 frequencies, Q.24 detection).
//!
//! Audio is cut into blocks of about 13 ms (105 samples at 8 kHz: the classic length at
//! which the eight Goertzel bins fall close to each other's nulls). A block names a key
//! when one row and one column tone stand out: both loud enough, together holding most
//! of the block's energy (speech and music spread theirs), each clearly above the other
//! tones of its group, and within the allowed twist. A key is reported once after two
//! consecutive blocks (a 40 ms tone always spans two whole blocks) and can be reported
//! again only after two blocks without it, so a short drop-out does not repeat it.

use std::collections::VecDeque;

use crate::tone::detect_tone;

const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
const COLUMNS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];

/// Block length at 8 kHz; other rates scale it to the same duration.
const BLOCK_AT_8K: u32 = 105;
/// Consecutive blocks that make a key, and blocks without it that end it.
const BLOCKS_ON: u32 = 2;
const BLOCKS_OFF: u32 = 2;
/// Share of the block's energy the row and column tones must hold together.
const PURITY: f64 = 0.7;
/// Another tone of the same group may have at most this share of the strongest's.
const NEIGHBOUR: f64 = 0.25;
/// Twist limits as power ratios: the column tone may be up to 8 dB above the row tone
/// (normal twist, line loss rises with frequency) and the row tone up to 4 dB above the
/// column tone (reverse twist).
const NORMAL_TWIST: f64 = 6.31;
const REVERSE_TWIST: f64 = 2.51;
/// Quietest tone accepted: peak amplitude about 500, some -33 dBm0 in G.711 terms.
const MIN_TONE_POWER: f64 = 500.0 * 500.0 / 2.0;

/// Listens to one direction of audio for DTMF keys.
#[derive(Debug, Clone)]
pub struct InbandDetector {
    sample_rate: u32,
    block_len: usize,
    /// Samples of the block being filled; never longer than `block_len`.
    block: Vec<i16>,
    /// The key the last blocks named, and how many blocks in a row.
    run: (Option<char>, u32),
    /// The key already reported and still sounding, and blocks since it was last heard.
    active: Option<(char, u32)>,
    digits: VecDeque<char>,
}

impl InbandDetector {
    /// A detector for mono PCM at `sample_rate` Hz (8000 or 16000 in practice). Rates
    /// outside 4–192 kHz, which no telephone audio has, are treated as the nearest limit
    /// so a nonsense rate from a peer's SDP cannot ask for a huge block.
    pub fn new(sample_rate: u32) -> Self {
        let sample_rate = sample_rate.clamp(4000, 192_000);
        let block_len = (u64::from(sample_rate) * u64::from(BLOCK_AT_8K) / 8000).max(1) as usize;
        InbandDetector {
            sample_rate,
            block_len,
            block: Vec::with_capacity(block_len),
            run: (None, 0),
            active: None,
            digits: VecDeque::with_capacity(8),
        }
    }

    /// Takes the next samples, of any length.
    pub fn process(&mut self, pcm: &[i16]) {
        let mut rest = pcm;
        while !rest.is_empty() {
            let room = self.block_len - self.block.len();
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.block.extend_from_slice(now);
            rest = later;
            if self.block.len() == self.block_len {
                let key = classify(&self.block, self.sample_rate);
                self.block.clear();
                self.step(key);
            }
        }
    }

    /// The next key detected, oldest first.
    pub fn poll_digit(&mut self) -> Option<char> {
        self.digits.pop_front()
    }

    /// Forgets any partly heard key.
    pub fn reset(&mut self) {
        self.block.clear();
        self.run = (None, 0);
        self.active = None;
        self.digits.clear();
    }

    fn step(&mut self, key: Option<char>) {
        self.run = if self.run.0 == key {
            (key, self.run.1.saturating_add(1))
        } else {
            (key, 1)
        };
        if let Some((active, silent)) = self.active.as_mut() {
            *silent = if key == Some(*active) { 0 } else { *silent + 1 };
            if *silent >= BLOCKS_OFF {
                self.active = None;
            }
        }
        if let (Some(key), true) = (self.run.0, self.run.1 >= BLOCKS_ON) {
            if self.active.is_none() {
                self.active = Some((key, 0));
                self.digits.push_back(key);
            }
        }
    }
}

/// The key one block's tones name, if they name one.
fn classify(block: &[i16], sample_rate: u32) -> Option<char> {
    let mean_square =
        block.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / block.len().max(1) as f64;
    if mean_square < 2.0 * MIN_TONE_POWER {
        return None;
    }
    let rows = ROWS.map(|f| detect_tone(block, sample_rate, f));
    let columns = COLUMNS.map(|f| detect_tone(block, sample_rate, f));
    let (row, row_share) = strongest(&rows)?;
    let (column, column_share) = strongest(&columns)?;

    let tone_power = |share: f64| share * mean_square;
    let loud =
        tone_power(row_share) >= MIN_TONE_POWER && tone_power(column_share) >= MIN_TONE_POWER;
    let pure = row_share + column_share >= PURITY;
    let twist_ok =
        column_share <= row_share * NORMAL_TWIST && row_share <= column_share * REVERSE_TWIST;
    if !(loud && pure && twist_ok) {
        return None;
    }
    KEYS.get(row)?.get(column).copied()
}

/// The index and share of the strongest tone of a group, if it stands clear of the others.
fn strongest(shares: &[f64; 4]) -> Option<(usize, f64)> {
    let (index, best) = shares
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let clear = shares
        .iter()
        .enumerate()
        .all(|(i, s)| i == index || *s <= best * NEIGHBOUR);
    clear.then_some((index, best))
}
