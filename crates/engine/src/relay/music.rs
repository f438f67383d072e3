//! Music on hold, loaded once and shared by every relay: 8 kHz mono PCM, the rate of the
//! G.711 codecs it is played in, looped while a party is held.
//!
//! Loading reads the file and converts it before any call needs it, so a relay never
//! touches the disk. The owner's own upload (in the data folder) wins over the piece that
//! ships with the program; without either, a soft generated chime keeps the held party
//! from thinking the call dropped.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use media::tone::{Tone, ToneGenerator};

/// The rate music is kept at.
pub const MUSIC_RATE: u32 = 8000;

/// Longest music kept in memory (10 minutes at 8 kHz, about 10 MB); longer files are cut.
const MAX_SAMPLES: usize = 10 * 60 * MUSIC_RATE as usize;

/// The file name of the owner's own music in the data folder.
pub const OWN_MUSIC: &str = "music-on-hold.wav";

/// Where the bundled piece may be, relative to an assets folder.
const BUNDLED: &[&str] = &["moh.wav", "music-on-hold.wav", "moh/music-on-hold.wav"];

/// Looping audio for held parties. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Music {
    samples: Arc<[i16]>,
}

/// Why a music file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum MusicError {
    #[error("cannot read the music file: {0}")]
    Wav(#[from] hound::Error),
    #[error("the music file holds no audio")]
    Empty,
}

impl Music {
    /// Music from mono PCM at `rate`, converted to [`MUSIC_RATE`].
    pub fn from_pcm(rate: u32, samples: &[i16]) -> Result<Music, MusicError> {
        let converted = resample(samples, rate, MUSIC_RATE);
        if converted.is_empty() {
            return Err(MusicError::Empty);
        }
        Ok(Music {
            samples: converted.into(),
        })
    }

    /// Reads a WAV file of any rate, channel count and sample format (channels are mixed
    /// down to mono).
    pub fn from_wav(path: &Path) -> Result<Music, MusicError> {
        let mut reader = hound::WavReader::open(path)?;
        let spec = reader.spec();
        let channels = usize::from(spec.channels.max(1));
        let limit = MAX_SAMPLES
            .saturating_mul(channels)
            .saturating_mul(spec.sample_rate.max(1) as usize)
            / MUSIC_RATE as usize;
        let interleaved: Vec<i32> = match spec.sample_format {
            hound::SampleFormat::Int => {
                // Scale any bit depth to 16 bits.
                let shift = i32::from(spec.bits_per_sample) - 16;
                reader
                    .samples::<i32>()
                    .take(limit)
                    .map(|s| s.map(|v| if shift >= 0 { v >> shift } else { v << -shift }))
                    .collect::<Result<_, _>>()?
            }
            hound::SampleFormat::Float => reader
                .samples::<f32>()
                .take(limit)
                .map(|s| s.map(|v| (v.clamp(-1.0, 1.0) * 32767.0) as i32))
                .collect::<Result<_, _>>()?,
        };
        let mono: Vec<i16> = interleaved
            .chunks(channels)
            .map(|frame| {
                let sum: i64 = frame.iter().map(|v| i64::from(*v)).sum();
                (sum / frame.len().max(1) as i64).clamp(i64::from(i16::MIN), i64::from(i16::MAX))
                    as i16
            })
            .collect();
        Music::from_pcm(spec.sample_rate, &mono)
    }

    /// The owner's music in `data_dir`, else the bundled piece, else [`Music::chime`].
    pub fn for_data_dir(data_dir: &Path) -> Music {
        let candidates = std::iter::once(data_dir.join(OWN_MUSIC)).chain(
            assets_dirs()
                .into_iter()
                .flat_map(|dir| BUNDLED.iter().map(move |name| dir.join(name))),
        );
        for path in candidates {
            if !path.is_file() {
                continue;
            }
            match Music::from_wav(&path) {
                Ok(music) => {
                    tracing::info!(path = %path.display(), "music on hold loaded");
                    return music;
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "music on hold not usable")
                }
            }
        }
        tracing::info!("no music on hold file; a generated chime plays instead");
        Music::chime()
    }

    /// A soft two-note chime with pauses: enough to tell a held call from a dropped one.
    pub fn chime() -> Music {
        let note = |frequency: f64, ms: usize| {
            let mut tone = Tone::continuous(frequency);
            tone.amplitude = 0.1;
            let mut out = vec![0i16; ms * MUSIC_RATE as usize / 1000];
            ToneGenerator::new(tone, MUSIC_RATE).fill(&mut out);
            out
        };
        let pause = |ms: usize| vec![0i16; ms * MUSIC_RATE as usize / 1000];
        let samples: Vec<i16> = [note(523.25, 400), note(659.25, 600), pause(2000)].concat();
        Music {
            samples: samples.into(),
        }
    }

    /// The samples at [`MUSIC_RATE`], never empty.
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }
}

/// Folders the bundled assets may be in: `SWITCHBOARD_ASSETS`, `assets/` next to the
/// program (or one level up, as installed packages lay it out), then the source tree's.
fn assets_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("SWITCHBOARD_ASSETS") {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        dirs.push(exe_dir.join("assets"));
        dirs.push(exe_dir.join("../share/switchboard/assets"));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets"));
    dirs
}

/// Converts mono PCM between rates by linear interpolation, averaging the input over each
/// output step when going down so that what cannot be represented does not fold back as
/// noise. Good enough for music on hold on a telephone line.
fn resample(samples: &[i16], from: u32, to: u32) -> Vec<i16> {
    if from == 0 || samples.is_empty() {
        return Vec::new();
    }
    if from == to {
        return samples.iter().take(MAX_SAMPLES).copied().collect();
    }
    let ratio = f64::from(from) / f64::from(to);
    let out_len = ((samples.len() as f64 / ratio) as usize).min(MAX_SAMPLES);
    let window = ratio.floor().max(1.0) as usize;
    (0..out_len)
        .map(|i| {
            let position = i as f64 * ratio;
            let start = position as usize;
            let value = if ratio > 1.0 {
                let end = (start + window).min(samples.len());
                let chunk = samples.get(start..end).unwrap_or_default();
                let sum: i64 = chunk.iter().map(|s| i64::from(*s)).sum();
                sum as f64 / chunk.len().max(1) as f64
            } else {
                let a = f64::from(samples.get(start).copied().unwrap_or(0));
                let b = f64::from(samples.get(start + 1).copied().unwrap_or(0));
                a + (b - a) * position.fract()
            };
            value
                .round()
                .clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use media::tone::detect_tone;

    #[test]
    fn a_16_khz_tone_keeps_its_frequency_at_8_khz() {
        let mut tone = vec![0i16; 16000];
        ToneGenerator::new(Tone::continuous(600.0), 16000).fill(&mut tone);
        let music = Music::from_pcm(16000, &tone).expect("music");
        assert_eq!(music.samples().len(), 8000);
        assert!(detect_tone(music.samples(), MUSIC_RATE, 600.0) > 0.9);
    }

    #[test]
    fn empty_audio_is_refused() {
        assert!(matches!(Music::from_pcm(8000, &[]), Err(MusicError::Empty)));
        assert!(!Music::chime().samples().is_empty());
    }
}
