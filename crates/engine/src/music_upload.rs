//! The owner's own music on hold: an upload in any common format (WAV of any depth, rate
//! and channels, MP3, Ogg Vorbis, FLAC) is converted once to 16 kHz mono WAV and kept in
//! the data folder as [`OWN_MUSIC`], where [`crate::relay::Music::for_data_dir`] finds
//! it; [`crate::EngineHandle::reload_music_on_hold`] puts it in use for calls held from
//! then on. Written to a temporary file, synced and renamed, so a crash leaves the old
//! music or the new, never half of one.

use std::fs::File;
use std::path::{Path, PathBuf};

use media::audio_import::{import_audio, ImportOptions};
use media::wav::{write_wav, Channels};

pub use crate::relay::OWN_MUSIC;

/// Shortest music accepted: anything shorter loops so fast it sounds like a fault.
const MIN_SECONDS: usize = 2;

/// Why an upload was refused or not saved.
#[derive(Debug, thiserror::Error)]
pub enum MusicUploadError {
    /// The file is not audio the import understands (the reason says why).
    #[error("cannot be used as music: {0}")]
    Unreadable(String),
    #[error("is too short: music on hold must last at least {MIN_SECONDS} seconds")]
    TooShort,
    /// The data folder could not be written.
    #[error("could not be saved: {0}")]
    Io(String),
}

/// The owner's music file, when there is one.
pub fn uploaded_music(data_dir: &Path) -> Option<PathBuf> {
    let path = data_dir.join(OWN_MUSIC);
    path.is_file().then_some(path)
}

/// Converts and saves `data` (the whole file; `extension` is a hint) as the owner's music.
pub fn save_uploaded_music(
    data_dir: &Path,
    data: &[u8],
    extension: Option<&str>,
) -> Result<(), MusicUploadError> {
    let options = ImportOptions::wideband();
    let clip = import_audio(data, extension, options)
        .map_err(|e| MusicUploadError::Unreadable(e.to_string()))?;
    let rate = options.sample_rate as usize;
    if clip.samples().len() < MIN_SECONDS * rate {
        return Err(MusicUploadError::TooShort);
    }
    let io = |e: std::io::Error| MusicUploadError::Io(e.to_string());
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let path = data_dir.join(OWN_MUSIC);
    let temp = data_dir.join(format!(".{OWN_MUSIC}.part"));
    let written = (|| {
        let file = File::create(&temp).map_err(io)?;
        write_wav(&file, options.sample_rate, Channels::Mono, clip.samples())
            .map_err(|e| MusicUploadError::Io(e.to_string()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temp, &path).map_err(io)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    // The rename is durable once the folder itself is synced.
    if let Ok(dir) = File::open(data_dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Removes the owner's music: the bundled piece plays again. False when there was none.
pub fn remove_uploaded_music(data_dir: &Path) -> std::io::Result<bool> {
    match std::fs::remove_file(data_dir.join(OWN_MUSIC)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}
