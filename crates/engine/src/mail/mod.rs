//! Voicemail to e-mail: runs the `mail` crate's sender next to the PBX and wakes it whenever
//! a mailbox's counts change (a message was saved), so the e-mail leaves within moments of
//! the call, never on the call's own path.

use std::path::PathBuf;

use pbx::PbxEvent;
use tokio::sync::broadcast::{self, error::RecvError};

/// Starts the sender for the database in `data_dir`, woken by `events`. It stops looking
/// for events when the PBX stops.
pub(crate) fn spawn(data_dir: PathBuf, mut events: broadcast::Receiver<PbxEvent>) {
    let outbox = mail::Outbox::spawn(data_dir);
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(PbxEvent::MessageSummary { .. }) | Err(RecvError::Lagged(_)) => outbox.wake(),
                Ok(_) => {}
                Err(RecvError::Closed) => break,
            }
        }
    });
}
