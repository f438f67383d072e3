//! Writes a voicemail message on its own thread, so the packet path never touches the
//! disk: audio arrives through a bounded channel (a full channel drops the frame rather
//! than stall the RTP task).
//!
//! The file is written under a temporary name (`.<name>.part`), fsynced and renamed, and
//! the folder fsynced, before the store row is inserted: a crash leaves either a leftover
//! temporary file (removed on start, see [`super::leftovers`]) or a complete message with
//! its row, never a row without its file.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use media::wav::{Channels, WavStreamWriter};
use store::NewVoicemail;

/// Frames queued before the RTP task starts dropping them (2 s of 20 ms frames).
const QUEUE_FRAMES: usize = 100;

/// Messages shorter than this are not kept: the caller hung up at the beep.
const MIN_MESSAGE_MS: u64 = 500;

enum Msg {
    Audio(Vec<i16>),
    Finish(Box<NewVoicemail>),
}

/// What became of a message.
#[derive(Debug)]
pub(crate) enum Saved {
    /// Saved with this id; the mailbox now has these counts.
    Stored {
        mailbox: String,
        new: u32,
        old: u32,
    },
    /// Too short to keep, or the caller left before the beep.
    Discarded,
    Failed(String),
}

/// The sending side, held by the RTP task.
pub(crate) struct MessageWriter {
    tx: SyncSender<Msg>,
    thread: Option<JoinHandle<Saved>>,
    /// Frames dropped because the disk fell behind.
    pub dropped: u64,
}

impl MessageWriter {
    /// Starts the thread writing `<dir>/<name>` at `sample_rate` mono.
    pub fn start(data_dir: PathBuf, dir: PathBuf, name: String, sample_rate: u32) -> Self {
        let (tx, rx) = sync_channel(QUEUE_FRAMES);
        let thread = std::thread::Builder::new()
            .name("voicemail-writer".to_owned())
            .spawn(move || write_message(&data_dir, &dir, &name, sample_rate, rx))
            .map_err(|e| tracing::warn!(error = %e, "voicemail writer not started"))
            .ok();
        MessageWriter {
            tx,
            thread,
            dropped: 0,
        }
    }

    /// Hands one frame over without blocking.
    pub fn push(&mut self, pcm: Vec<i16>) {
        match self.tx.try_send(Msg::Audio(pcm)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => self.dropped += 1,
        }
    }

    /// Ends the message; the thread finishes the file and inserts the row. Blocking: call
    /// it from a blocking task.
    pub fn finish(mut self, meta: NewVoicemail) -> Saved {
        // The channel is bounded: this waits for the thread to catch up, off the packet path.
        let sent = self.tx.send(Msg::Finish(Box::new(meta))).is_ok();
        drop(self.tx);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(saved)) if sent => saved,
            Some(Ok(_)) | None => Saved::Failed("voicemail writer stopped".to_owned()),
            Some(Err(_)) => Saved::Failed("voicemail writer panicked".to_owned()),
        }
    }
}

/// The temporary name of `name` while it is being written.
pub(crate) fn temp_name(name: &str) -> String {
    format!(".{name}.part")
}

fn write_message(
    data_dir: &Path,
    dir: &Path,
    name: &str,
    sample_rate: u32,
    rx: Receiver<Msg>,
) -> Saved {
    let temp = dir.join(temp_name(name));
    let result = (|| -> Result<Option<NewVoicemail>, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let file = File::create(&temp).map_err(|e| e.to_string())?;
        let mut wav =
            WavStreamWriter::new(file, sample_rate, Channels::Mono).map_err(|e| e.to_string())?;
        let mut meta = None;
        for msg in rx.iter() {
            match msg {
                Msg::Audio(pcm) => wav.write(&pcm).map_err(|e| e.to_string())?,
                Msg::Finish(m) => {
                    meta = Some(*m);
                    break;
                }
            }
        }
        let duration_ms = wav.duration_ms();
        wav.finalize().map_err(|e| e.to_string())?;
        let Some(mut meta) = meta else {
            return Ok(None);
        };
        if duration_ms < MIN_MESSAGE_MS {
            return Ok(None);
        }
        meta.duration_ms = duration_ms;
        // Durable before it is visible: data, then the name, then the row.
        File::open(&temp)
            .and_then(|f| f.sync_all())
            .map_err(|e| e.to_string())?;
        std::fs::rename(&temp, dir.join(name)).map_err(|e| e.to_string())?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(Some(meta))
    })();
    let meta = match result {
        Ok(Some(meta)) => meta,
        Ok(None) => {
            let _ = std::fs::remove_file(&temp);
            return Saved::Discarded;
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Saved::Failed(e);
        }
    };
    match insert_row(data_dir, &meta) {
        Ok((new, old)) => Saved::Stored {
            mailbox: meta.mailbox,
            new,
            old,
        },
        Err(e) => {
            // No row: the file is an orphan nobody lists; remove it so it does not linger.
            let _ = std::fs::remove_file(dir.join(name));
            Saved::Failed(e.to_string())
        }
    }
}

fn insert_row(data_dir: &Path, meta: &NewVoicemail) -> store::Result<(u32, u32)> {
    let store = store::Store::open(data_dir)?;
    store.insert_voicemail(meta)?;
    Ok(store
        .mailboxes()?
        .into_iter()
        .find(|m| m.number == meta.mailbox)
        .map(|m| (m.new_count, m.saved_count))
        .unwrap_or((0, 0)))
}
