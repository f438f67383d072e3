//! Music on hold, loaded once and shared by every relay: a mono clip kept at the two
//! rates the codecs take (8 kHz for G.711, 16 kHz for G.722 and wideband Opus), looped
//! while a party is held.
//!
//! Loading decodes and converts the file before any call needs it, so a relay never
//! touches the disk or resamples. The owner's own upload (in the data folder) wins over
//! the piece that ships with the program; without either, a soft generated chime keeps the
//! held party from thinking the call dropped.

use std::path::{Path, PathBuf};

use media::audio_import::{import_audio, ImportOptions};
use media::player::Clip;
use media::tone::Tone;

/// The file name of the owner's own music in the data folder.
pub const OWN_MUSIC: &str = "music-on-hold.wav";

/// Where the bundled piece is, relative to an assets folder.
const BUNDLED: &str = "audio/music-on-hold.wav";

/// The rates music is kept at.
const NARROW: u32 = 8000;
const WIDE: u32 = 16_000;

/// Looping audio for held parties. Cheap to clone: the samples are shared.
#[derive(Debug, Clone)]
pub struct Music {
    narrow: Clip,
    wide: Clip,
}

/// Why a music file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum MusicError {
    #[error("cannot read the music file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the music file cannot be used: {0}")]
    Audio(#[from] media::Error),
    #[error("the music holds no audio")]
    Empty,
}

impl Music {
    /// Music from mono PCM at `rate`.
    pub fn from_pcm(rate: u32, samples: &[i16]) -> Result<Music, MusicError> {
        if samples.is_empty() || rate == 0 {
            return Err(MusicError::Empty);
        }
        Ok(Music::from_clip(&Clip::new(rate, samples.to_vec())))
    }

    fn from_clip(clip: &Clip) -> Music {
        Music {
            narrow: clip.resampled(NARROW),
            wide: clip.resampled(WIDE),
        }
    }

    /// Reads an audio file in any format the upload accepts (WAV of any depth, rate and
    /// channel count, MP3, Ogg Vorbis, FLAC).
    pub fn from_file(path: &Path) -> Result<Music, MusicError> {
        let data = std::fs::read(path)?;
        let extension = path.extension().and_then(|e| e.to_str());
        let clip = import_audio(&data, extension, ImportOptions::wideband())?;
        if clip.samples().is_empty() {
            return Err(MusicError::Empty);
        }
        Ok(Music::from_clip(&clip))
    }

    /// The owner's music in `data_dir`, else the bundled piece, else [`Music::chime`].
    pub fn for_data_dir(data_dir: &Path) -> Music {
        let candidates = std::iter::once(data_dir.join(OWN_MUSIC))
            .chain(assets_dirs().into_iter().map(|dir| dir.join(BUNDLED)));
        for path in candidates {
            if !path.is_file() {
                continue;
            }
            match Music::from_file(&path) {
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

    /// A soft two-note chime with a pause: enough to tell a held call from a dropped one.
    pub fn chime() -> Music {
        let note = |frequency: f64, ms: u32| {
            let mut tone = Tone::continuous(frequency);
            tone.amplitude = 0.1;
            Clip::tone(tone, WIDE, ms)
        };
        let samples: Vec<i16> = [
            note(523.25, 400).samples(),
            note(659.25, 600).samples(),
            &vec![0i16; 2 * WIDE as usize],
        ]
        .concat();
        Music::from_clip(&Clip::new(WIDE, samples))
    }

    /// The music at `rate`: shared when it is one of the rates kept, else converted now.
    pub fn clip_at(&self, rate: u32) -> Clip {
        match rate {
            NARROW => self.narrow.clone(),
            WIDE => self.wide.clone(),
            other => self.wide.resampled(other),
        }
    }
}

/// Folders the bundled assets may be in: `SWITCHBOARD_ASSETS`, `assets/` next to the
/// program (or in `share/switchboard/`, as installed packages lay it out), then the
/// source tree's.
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

#[cfg(test)]
mod tests {
    use super::*;
    use media::tone::{detect_tone, ToneGenerator};

    #[test]
    fn music_is_kept_at_both_rates_with_its_tone() {
        let mut tone = vec![0i16; 16000];
        ToneGenerator::new(Tone::continuous(600.0), 16000).fill(&mut tone);
        let music = Music::from_pcm(16000, &tone).expect("music");
        let narrow = music.clip_at(8000);
        assert_eq!(narrow.sample_rate(), 8000);
        assert!(detect_tone(narrow.samples(), 8000, 600.0) > 0.9);
        assert!(detect_tone(music.clip_at(16000).samples(), 16000, 600.0) > 0.9);
    }

    #[test]
    fn empty_audio_is_refused_and_the_chime_is_not_empty() {
        assert!(matches!(Music::from_pcm(8000, &[]), Err(MusicError::Empty)));
        assert!(!Music::chime().clip_at(8000).samples().is_empty());
    }

    #[test]
    fn the_bundled_music_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets")
            .join(BUNDLED);
        let music = Music::from_file(&path).expect("the shipped music on hold is usable");
        assert!(music.clip_at(8000).duration_ms() > 5000);
    }
}
