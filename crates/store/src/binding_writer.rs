//! Saves registration changes on a background thread, many per transaction.
//!
//! Every authenticated REGISTER changes a binding, and with `synchronous=FULL` each commit costs
//! an fsync. Callers only queue the change (no blocking, fine from async code); the thread
//! takes everything queued so far and commits it in one transaction. While a commit is on its
//! way to disk, new changes pile up and go into the next one, so the batch size adapts to the
//! load without adding delay when the PBX is idle.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::bindings::{self, Binding};
use crate::{Error, Result};

/// Most changes committed in one transaction, so one commit stays short even after a burst.
const MAX_BATCH: usize = 1024;

/// A queued change to the bindings table.
enum Change {
    Upsert(Binding),
    Remove { extension: String, key: String },
    RemoveAll { extension: String },
    PurgeExpired { now_unix: i64 },
}

enum Message {
    Change(Change),
    /// Commit everything queued before this message, then answer.
    Flush(Sender<Result<(), String>>),
}

/// Handle to the writer thread. Dropping it commits what is queued and stops the thread.
pub struct BindingWriter {
    tx: Option<Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl BindingWriter {
    pub(crate) fn spawn(conn: Connection) -> Result<BindingWriter> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("binding-writer".into())
            .spawn(move || run(conn, rx))?;
        Ok(BindingWriter {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queues an insert-or-replace of the binding (keyed by extension and [`Binding::key`]).
    /// A later change to the same binding in the same batch replaces it, so quick refreshes
    /// cost one row write.
    pub fn upsert(&self, binding: Binding) -> Result<()> {
        self.send(Message::Change(Change::Upsert(binding)))
    }

    /// Queues the removal of one binding (REGISTER with `expires=0` for that contact).
    pub fn remove(&self, extension: &str, key: &str) -> Result<()> {
        self.send(Message::Change(Change::Remove {
            extension: extension.to_owned(),
            key: key.to_owned(),
        }))
    }

    /// Queues the removal of every binding of an extension (`Contact: *`).
    pub fn remove_all(&self, extension: &str) -> Result<()> {
        self.send(Message::Change(Change::RemoveAll {
            extension: extension.to_owned(),
        }))
    }

    /// Queues the deletion of bindings expired at or before `now_unix`.
    pub fn purge_expired(&self, now_unix: i64) -> Result<()> {
        self.send(Message::Change(Change::PurgeExpired { now_unix }))
    }

    /// Blocks until everything queued before this call is committed to disk. Reports a batch
    /// that failed since the previous flush. Call it at shutdown (from async code, through
    /// `spawn_blocking`).
    pub fn flush(&self) -> Result<()> {
        let (ack_tx, ack_rx) = mpsc::channel();
        self.send(Message::Flush(ack_tx))?;
        match ack_rx.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error::WriterFailed(e)),
            Err(_) => Err(Error::WriterStopped),
        }
    }

    fn send(&self, message: Message) -> Result<()> {
        self.tx
            .as_ref()
            .and_then(|tx| tx.send(message).ok())
            .ok_or(Error::WriterStopped)
    }
}

impl Drop for BindingWriter {
    fn drop(&mut self) {
        // Closing the channel lets the thread drain the queue, commit and return.
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("registration writer thread panicked");
            }
        }
    }
}

/// The writer thread: wait for a change, take whatever else is already queued, commit.
fn run(mut conn: Connection, rx: Receiver<Message>) {
    // A failed commit since the last flush, reported to the next flush.
    let mut failure: Option<String> = None;
    while let Ok(first) = rx.recv() {
        let mut batch = Batch::default();
        let mut acks = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Change(change) => batch.push(change),
                Message::Flush(ack) => acks.push(ack),
            }
            next = if batch.len() < MAX_BATCH {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !batch.is_empty() {
            let len = batch.len();
            if let Err(e) = batch.commit(&mut conn) {
                // The changes are lost; the registrar still has them in memory and phones
                // refresh, so the next batch repairs the table.
                tracing::error!(error = %e, changes = len, "saving registrations failed");
                failure = Some(e.to_string());
            }
        }
        // Every flush in this round was queued before the commit above, so it is answered now.
        if !acks.is_empty() {
            let result = failure.take().map_or(Ok(()), Err);
            for ack in acks {
                let _ = ack.send(result.clone());
            }
        }
    }
}

/// Changes in queue order, with repeated upserts of one binding folded into the last.
#[derive(Default)]
struct Batch {
    changes: Vec<Change>,
    /// Index in `changes` of the pending upsert per (extension, key), while no later change
    /// touches that binding; a new upsert then replaces it in place with the same result.
    pending_upsert: HashMap<(String, String), usize>,
}

impl Batch {
    fn len(&self) -> usize {
        self.changes.len()
    }

    fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    fn push(&mut self, change: Change) {
        match &change {
            Change::Upsert(b) => {
                let id = (b.extension.clone(), b.key().to_owned());
                if let Some(slot) = self
                    .pending_upsert
                    .get(&id)
                    .and_then(|&i| self.changes.get_mut(i))
                {
                    *slot = change;
                    return;
                }
                self.pending_upsert.insert(id, self.changes.len());
            }
            Change::Remove { extension, key } => {
                self.pending_upsert
                    .remove(&(extension.clone(), key.clone()));
            }
            Change::RemoveAll { extension } => {
                self.pending_upsert.retain(|(e, _), _| e != extension);
            }
            Change::PurgeExpired { .. } => self.pending_upsert.clear(),
        }
        self.changes.push(change);
    }

    fn commit(self, conn: &mut Connection) -> Result<()> {
        let tx = conn.transaction()?;
        for change in &self.changes {
            match change {
                Change::Upsert(b) => bindings::upsert(&tx, b)?,
                Change::Remove { extension, key } => bindings::remove(&tx, extension, key)?,
                Change::RemoveAll { extension } => bindings::remove_all(&tx, extension)?,
                Change::PurgeExpired { now_unix } => {
                    bindings::purge_expired(&tx, *now_unix)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}
