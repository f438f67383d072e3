//! Recording a relayed call: the forwarding task copies each accepted RTP packet into a
//! bounded queue; a writer thread decodes, aligns and writes them (see `record_writer`).
//!
//! The forwarding path never waits on the disk: copying a packet is a fixed-size move
//! into a queue allocated up front, and when the writer falls behind (a slow or full
//! disk) packets are dropped and counted rather than holding up the call's audio.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Instant;

use media::rtp::RtpPacket;
use media::sdp::PayloadFormat;
use tokio::sync::watch;

use super::record_writer;

/// Largest payload kept: 60 ms of G.711. Longer packets are dropped and counted.
pub(super) const MAX_PAYLOAD: usize = 480;

/// Packets the queue holds: about 2.5 s of both directions at 20 ms.
const QUEUE: usize = 256;

/// One RTP packet as received from one side.
pub(super) struct Tapped {
    /// 0 for the caller (A, left channel), 1 for the callee (B, right channel).
    pub side: usize,
    pub arrival: Instant,
    pub ssrc: u32,
    pub timestamp: u32,
    pub payload_type: u8,
    pub len: usize,
    pub payload: [u8; MAX_PAYLOAD],
}

/// Why a recording failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("recording file: {0}")]
    Io(#[from] std::io::Error),
    #[error("recording: {0}")]
    Media(#[from] media::Error),
    #[error("the recording writer stopped unexpectedly")]
    Lost,
    /// The writer failed (its error, as text: the outcome is shared by every waiter).
    #[error("{0}")]
    Failed(String),
}

/// How a recording ended: `None` while it is being written.
type Outcome = Option<Result<PathBuf, String>>;

/// The forwarding task's end: hands packets to the writer.
pub(super) struct Tap {
    queue: SyncSender<Tapped>,
    dropped: Arc<AtomicU64>,
}

impl Tap {
    /// Queues an RTP packet from `side`; false once the writer is gone (it failed), so
    /// the caller can stop tapping.
    pub(super) fn packet(&self, side: usize, arrival: Instant, datagram: &[u8]) -> bool {
        let Ok(rtp) = RtpPacket::parse(datagram) else {
            return true; // not RTP: nothing to record
        };
        let len = rtp.payload.len();
        let mut tapped = Tapped {
            side,
            arrival,
            ssrc: rtp.ssrc,
            timestamp: rtp.timestamp,
            payload_type: rtp.payload_type,
            len,
            payload: [0; MAX_PAYLOAD],
        };
        let Some(slot) = tapped.payload.get_mut(..len) else {
            self.dropped.fetch_add(1, Relaxed);
            return true;
        };
        slot.copy_from_slice(rtp.payload);
        match self.queue.try_send(tapped) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }
}

/// A recording in progress, as the engine holds it. Clones wait for the same end (the
/// one who stopped it, and the keeper that lists it).
#[derive(Debug, Clone)]
pub struct Recording {
    path: PathBuf,
    dropped: Arc<AtomicU64>,
    finished: watch::Receiver<Outcome>,
}

impl Recording {
    /// Where the file will be once the recording has finished.
    pub fn path(&self) -> &PathBuf {
        &self.path
    }

    /// Whether the writer is still at work: false once the file is in place or the
    /// recording failed (a full disk, say).
    pub fn is_running(&self) -> bool {
        self.finished.borrow().is_none()
    }

    /// Packets left out because the writer fell behind (or was too large to keep).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }

    /// Waits until the file is complete, synced and in place (after
    /// [`super::RelayHandle::stop_recording`] or the relay's end).
    pub async fn finished(mut self) -> Result<PathBuf, RecordError> {
        match self.finished.wait_for(Option::is_some).await {
            Ok(outcome) => match &*outcome {
                Some(Ok(path)) => Ok(path.clone()),
                Some(Err(why)) => Err(RecordError::Failed(why.clone())),
                None => Err(RecordError::Lost),
            },
            Err(_) => Err(RecordError::Lost),
        }
    }
}

/// Starts the writer thread for a recording to `path`.
pub(super) fn start(
    path: PathBuf,
    formats: &[PayloadFormat],
) -> Result<(Tap, Recording), RecordError> {
    let codecs: Vec<(u8, String, u32)> = formats
        .iter()
        .map(|f| (f.payload_type, f.encoding.clone(), f.clock_rate))
        .collect();
    let dropped = Arc::new(AtomicU64::new(0));
    let lost = Arc::clone(&dropped);
    let (queue, packets) = mpsc::sync_channel(QUEUE);
    let (done, finished) = watch::channel(None);
    let target = path.clone();
    let started = Instant::now();
    std::thread::Builder::new()
        .name("recording".into())
        .spawn(move || {
            let result = record_writer::run(packets, &target, started, &codecs).map(|()| target);
            match &result {
                Err(e) => tracing::error!(error = %e, "recording failed"),
                Ok(path) => {
                    let lost = lost.load(Relaxed);
                    if lost > 0 {
                        tracing::warn!(path = %path.display(), lost, "recording finished without packets the writer could not keep up with");
                    }
                }
            }
            let _ = done.send(Some(result.map_err(|e| e.to_string())));
        })?;
    Ok((
        Tap {
            queue,
            dropped: Arc::clone(&dropped),
        },
        Recording {
            path,
            dropped,
            finished,
        },
    ))
}
