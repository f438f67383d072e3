//! A mailbox's own greeting, recorded by phone (`*97`, option 5) or uploaded in the
//! pages: `greetings/<number>.wav` in the data folder, 8 kHz mono 16-bit, played to
//! callers instead of the default "The person you are calling is not available".
//!
//! The file is written under a temporary name, fsynced and renamed, so a caller never
//! hears half a greeting and a failed save keeps the old one.

use std::fs::File;
use std::path::{Path, PathBuf};

use media::audio_import::{import_audio, ImportOptions};
use media::player::Clip;
use media::wav::{write_wav, Channels};

/// Folder of greetings inside the data folder.
pub const GREETINGS_DIR: &str = "greetings";
/// Greetings are stored (and played) at G.711's rate.
const RATE: u32 = 8000;
/// The longest greeting accepted from an upload.
pub const MAX_UPLOAD_SECONDS: u32 = 120;
/// A greeting shorter than this is a mistake (a key pressed at once), not a greeting.
pub const MIN_GREETING_MS: u64 = 1000;

/// Why a greeting was not saved, in words for the owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GreetingError {
    #[error("{0}")]
    Unreadable(String),
    #[error("is shorter than one second")]
    TooShort,
    #[error("is not a mailbox number")]
    BadNumber,
    #[error("could not be saved: {0}")]
    Io(String),
}

/// Where `number`'s greeting lives; `None` for a number that could name another file
/// (mailbox numbers are digits).
pub fn greeting_path(data_dir: &Path, number: &str) -> Option<PathBuf> {
    let plain = !number.is_empty()
        && number.len() <= 32
        && number.bytes().all(|b| b.is_ascii_alphanumeric());
    plain.then(|| data_dir.join(GREETINGS_DIR).join(format!("{number}.wav")))
}

/// Whether `number` has a greeting of its own.
pub fn has_greeting(data_dir: &Path, number: &str) -> bool {
    greeting_path(data_dir, number).is_some_and(|p| p.is_file())
}

/// The owner's greeting of `number` at 8 kHz, if there is a readable one.
pub(crate) fn load_greeting(data_dir: &Path, number: &str) -> Option<Clip> {
    let path = greeting_path(data_dir, number)?;
    let bytes = std::fs::read(&path).ok()?;
    let options = ImportOptions {
        sample_rate: RATE,
        max_seconds: MAX_UPLOAD_SECONDS,
    };
    match import_audio(&bytes, Some("wav"), options) {
        Ok(clip) => Some(clip),
        Err(e) => {
            tracing::warn!(error = %e, "own greeting unreadable; playing the default");
            None
        }
    }
}

/// Converts an uploaded file (WAV, MP3, Ogg, FLAC; `extension` is a hint) and makes it
/// `number`'s greeting.
pub fn save_uploaded_greeting(
    data_dir: &Path,
    number: &str,
    data: &[u8],
    extension: Option<&str>,
) -> Result<(), GreetingError> {
    let options = ImportOptions {
        sample_rate: RATE,
        max_seconds: MAX_UPLOAD_SECONDS,
    };
    let clip = import_audio(data, extension, options)
        .map_err(|e| GreetingError::Unreadable(e.to_string()))?;
    save_greeting(data_dir, number, clip.samples())
}

/// Makes `samples` (8 kHz mono) `number`'s greeting.
pub(crate) fn save_greeting(
    data_dir: &Path,
    number: &str,
    samples: &[i16],
) -> Result<(), GreetingError> {
    let path = greeting_path(data_dir, number).ok_or(GreetingError::BadNumber)?;
    if (samples.len() as u64) * 1000 / u64::from(RATE) < MIN_GREETING_MS {
        return Err(GreetingError::TooShort);
    }
    let dir = data_dir.join(GREETINGS_DIR);
    let io = |e: std::io::Error| GreetingError::Io(e.to_string());
    std::fs::create_dir_all(&dir).map_err(io)?;
    let temp = dir.join(format!(".{number}.wav.part"));
    let written = (|| {
        let file = File::create(&temp).map_err(io)?;
        write_wav(&file, RATE, Channels::Mono, samples)
            .map_err(|e| GreetingError::Io(e.to_string()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temp, &path).map_err(io)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Goes back to the default greeting. Removing one that does not exist is not an error.
pub fn remove_greeting(data_dir: &Path, number: &str) -> Result<(), GreetingError> {
    let path = greeting_path(data_dir, number).ok_or(GreetingError::BadNumber)?;
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(GreetingError::Io(e.to_string())),
    }
}
