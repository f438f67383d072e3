//! The RTP relay: media of every call is anchored at the PBX, which forwards it socket to
//! socket between the two phones, latching to each phone's real source address.
//!
//! Allocation is synchronous so the call model can write the port into SDP at once;
//! forwarding runs as one tokio task per call that reads every socket of the call with a
//! reused buffer and sends with a plain non-blocking syscall, so the per-packet path neither
//! allocates nor takes a lock.
//!
//! The same task plays music on hold to a held party (a 20 ms paced RTP stream of its own,
//! from music loaded in memory) and copies packets to a recording's writer thread through a
//! bounded queue, so neither ever waits on the disk.

mod dtmf;
mod dtmf_send;
mod forward;
mod handle;
mod music;
mod playback;
mod pool;
mod record;
mod record_keeper;
mod record_policy;
mod record_writer;
mod rtcp_ends;
mod salvage;
mod socket;
pub(crate) mod srtp;
mod transcode;

use std::io;

pub use dtmf::DtmfReport;
pub(crate) use dtmf::DtmfReports;
pub use handle::{Flow, KeyPress, RelayHandle, RelayStats, Side};
pub use music::{Music, MusicError, OWN_MUSIC};
pub use playback::{AnnounceSpec, PlaySpec};
pub use pool::{RelayOptions, RelayPool, RelayPorts};
pub use record::{RecordError, Recording};
pub use record_keeper::{free_mb, remove_listed_file, RecordKeeper};
pub use record_policy::sync_always_record;
pub use salvage::{salvage_recordings, Salvaged};
pub use srtp::SrtpSpec;
pub use transcode::TranscodeSpec;

/// Why a relay could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// Every port of the configured range is in use (or failed to bind).
    #[error("no free rtp port")]
    Exhausted,
    /// `start` was called outside a tokio runtime.
    #[error("no tokio runtime")]
    NoRuntime,
    #[error("relay socket: {0}")]
    Io(#[from] io::Error),
}
