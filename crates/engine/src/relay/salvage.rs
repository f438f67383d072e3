//! Recordings a crash (or a power cut) left under their temporary name.
//!
//! A recording is written as `.<name>.part` and renamed to `<name>` only when complete, so
//! a `.part` file at start-up belongs to a call that never finished recording. The writer
//! makes the file's header valid every few seconds, so such a file usually holds the call
//! up to shortly before the crash: if it reads as a WAV with audio it is kept under its
//! final name; anything else (cut in the header, empty) is removed.

use std::fs;
use std::path::{Path, PathBuf};

/// What [`salvage_recordings`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Salvaged {
    /// Recordings kept, under their final names.
    pub kept: Vec<PathBuf>,
    /// Leftovers removed because they held no usable audio.
    pub removed: Vec<PathBuf>,
}

/// The final name of a leftover temporary file, if `name` is one.
fn final_name(name: &str) -> Option<&str> {
    name.strip_prefix('.')?
        .strip_suffix(".part")
        .filter(|n| !n.is_empty())
}

fn usable(path: &Path) -> bool {
    hound::WavReader::open(path).is_ok_and(|r| r.duration() > 0)
}

/// Salvages or removes the leftovers in `dir` (a missing folder has none). Never
/// overwrites a complete recording.
pub fn salvage_recordings(dir: &Path) -> Salvaged {
    let mut salvaged = Salvaged::default();
    let Ok(entries) = fs::read_dir(dir) else {
        return salvaged;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(target) = name.to_str().and_then(final_name) else {
            continue;
        };
        let leftover = entry.path();
        let target = dir.join(target);
        let outcome = if usable(&leftover) && !target.exists() {
            fs::rename(&leftover, &target).map(|()| salvaged.kept.push(target))
        } else {
            fs::remove_file(&leftover).map(|()| salvaged.removed.push(leftover.clone()))
        };
        if let Err(e) = outcome {
            tracing::warn!(path = %leftover.display(), error = %e, "recording leftover not cleared");
        }
    }
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    salvaged
}

#[cfg(test)]
mod tests {
    use super::final_name;

    #[test]
    fn only_hidden_part_files_are_leftovers() {
        assert_eq!(final_name(".call.wav.part"), Some("call.wav"));
        assert_eq!(final_name("call.wav"), None);
        assert_eq!(final_name("call.wav.part"), None);
        assert_eq!(final_name("..part"), None);
    }
}
