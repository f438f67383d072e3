//! Call records are written on their own thread and connection, in batches, so a burst of
//! short calls never waits on the disk in the signalling path.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

/// Handle to the writer thread. Dropping it writes what is queued and joins the thread.
pub(crate) struct CdrWriter {
    tx: Option<Sender<store::NewCdr>>,
    thread: Option<JoinHandle<()>>,
}

impl CdrWriter {
    pub fn spawn(data_dir: &Path) -> Result<CdrWriter, store::Error> {
        let store = store::Store::open(data_dir)?;
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("cdr-writer".into())
            .spawn(move || run(store, rx))?;
        Ok(CdrWriter {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn write(&self, cdr: store::NewCdr) {
        if let Some(tx) = &self.tx {
            if tx.send(cdr).is_err() {
                tracing::error!("call record writer has stopped; record lost");
            }
        }
    }
}

impl Drop for CdrWriter {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(mut store: store::Store, rx: Receiver<store::NewCdr>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter().take(1023));
        if let Err(e) = store.insert_cdrs(&batch) {
            tracing::error!(error = %e, count = batch.len(), "could not write call records");
        }
    }
}
