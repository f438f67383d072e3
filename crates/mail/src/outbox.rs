//! The sender: a background task that e-mails what the outbox holds, one message at a time,
//! and records each result in the outbox row (sent with the server's answer, to be retried
//! with the reason, or given up). It never runs on the call path: saving a message only
//! inserts a row (by a database trigger), and this task finds it when woken or at its next
//! look.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use store::{MailSettings, OutboxEntry, Store};
use tokio::sync::Notify;

use crate::{retry_delay, voicemail_email, SendError, VoicemailDetails};

/// Folder of voicemail messages inside the data folder (where the recorder writes them).
const VOICEMAIL_DIR: &str = "voicemail";

/// Longest wait between two looks at the outbox, for rows queued by another process (the
/// command line) or settings switched on without a wake-up.
const POLL: Duration = Duration::from_secs(10);

/// Handle on the running sender.
#[derive(Clone)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    /// Starts the sender on the current tokio runtime, reading the database in `data_dir`.
    pub fn spawn(data_dir: PathBuf) -> Outbox {
        let wake = Arc::new(Notify::new());
        tokio::spawn(run(data_dir, Arc::clone(&wake)));
        Outbox { wake }
    }

    /// Look at the outbox now: a message was saved or the settings changed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

type Db = Arc<Mutex<Store>>;

/// Runs `f` on the database on a blocking thread (a write waits for an fsync).
async fn db<T: Send + 'static>(
    db: &Db,
    f: impl FnOnce(&Store) -> store::Result<T> + Send + 'static,
) -> store::Result<T> {
    let db = Arc::clone(db);
    tokio::task::spawn_blocking(move || f(&db.lock().unwrap_or_else(PoisonError::into_inner)))
        .await
        .unwrap_or_else(|e| Err(store::Error::WriterFailed(format!("mail task: {e}"))))
}

async fn run(data_dir: PathBuf, wake: Arc<Notify>) {
    let store = loop {
        let dir = data_dir.clone();
        match tokio::task::spawn_blocking(move || Store::open(&dir)).await {
            Ok(Ok(s)) => break Arc::new(Mutex::new(s)),
            Ok(Err(e)) => tracing::error!(error = %e, "voicemail e-mail: database not opened"),
            Err(e) => tracing::error!(error = %e, "voicemail e-mail: database not opened"),
        }
        tokio::time::sleep(POLL).await;
    };
    loop {
        let wait = match pass(&store, &data_dir).await {
            Ok(wait) => wait,
            Err(e) => {
                tracing::warn!(error = %e, "voicemail e-mail: outbox not read");
                POLL
            }
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Sends what is due; returns how long to wait before the next look.
async fn pass(store: &Db, data_dir: &Path) -> store::Result<Duration> {
    let now = unix_now();
    let (settings, due) = db(store, move |s| Ok((s.mail_settings()?, s.due_mail(now)?))).await?;
    if settings.enabled {
        for entry in due {
            deliver(store, data_dir, &settings, entry).await?;
        }
    }
    let next = db(store, |s| s.next_mail_attempt()).await?;
    let now = unix_now();
    Ok(match next {
        Some(at) if settings.enabled => {
            Duration::from_secs(u64::try_from(at.saturating_sub(now)).unwrap_or(0)).min(POLL)
        }
        _ => POLL,
    })
}

/// One attempt at one e-mail, and its result recorded.
async fn deliver(
    store: &Db,
    data_dir: &Path,
    settings: &MailSettings,
    entry: OutboxEntry,
) -> store::Result<()> {
    let id = entry.message_id;
    let mailbox = entry.mailbox.clone();
    let message = db(store, move |s| {
        Ok(s.voicemail_messages(Some(&mailbox))?
            .into_iter()
            .find(|m| m.id == id))
    })
    .await?;
    let result = match message {
        None => Err(SendError::permanent(
            "The message was deleted before it could be e-mailed.",
            format!("voicemail message {id} is gone"),
        )),
        Some(m) => {
            let path = data_dir.join(VOICEMAIL_DIR).join(&m.file);
            match read_wav(&path, &m.file).await {
                Err(e) => Err(e),
                Ok(wav) => {
                    let details = VoicemailDetails {
                        mailbox: m.mailbox.clone(),
                        caller_number: m.caller_number.clone(),
                        caller_name: m.caller_name.clone(),
                        business_name: m.business_name.clone(),
                        received_at: m.received_at,
                        duration_ms: m.duration_ms,
                    };
                    match voicemail_email(&settings.from, &entry.address, &details, wav) {
                        Ok(email) => crate::send(settings, email).await.map(|r| (r, path)),
                        Err(e) => Err(e),
                    }
                }
            }
        }
    };
    let now = unix_now();
    match result {
        Ok((reply, path)) => {
            tracing::info!(message = id, %reply, "voicemail e-mailed");
            let reply = reply.0;
            let delete = entry.delete_after_sending;
            db(store, move |s| {
                s.mail_sent(id, &reply, now)?;
                if delete {
                    s.delete_voicemail(id)?;
                }
                Ok(())
            })
            .await?;
            if delete {
                // The row is gone; the file goes after it (a file without a row is only
                // disk space, cleaned up on start).
                if let Err(e) = tokio::fs::remove_file(&path).await {
                    tracing::warn!(error = %e, "an e-mailed voicemail's file could not be removed");
                }
            }
        }
        Err(e) => {
            // The log gets the summary only: the server's words may quote the addresses,
            // which are personal data; the outbox row (shown to the owner) keeps them.
            let attempts = entry.attempts.saturating_add(1);
            let retry_at = if e.permanent {
                None
            } else {
                retry_delay(attempts)
                    .map(|d| now.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)))
            };
            match retry_at {
                Some(at) => {
                    tracing::warn!(message = id, attempts, error = %e.summary, retry_in_s = at - now, "voicemail e-mail failed; will retry")
                }
                None => {
                    tracing::error!(message = id, attempts, error = %e.summary, "voicemail e-mail given up")
                }
            }
            let text = e.to_string();
            db(store, move |s| s.mail_failed(id, &text, retry_at, now)).await?;
        }
    }
    Ok(())
}

async fn read_wav(path: &Path, name: &str) -> Result<Vec<u8>, SendError> {
    // The store names files inside `voicemail/` without a folder; anything else is refused.
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(SendError::permanent(
            "The message's recording cannot be found.",
            format!("unexpected file name {name:?}"),
        ));
    }
    tokio::fs::read(path).await.map_err(|e| SendError {
        summary: "The message's recording could not be read.".to_owned(),
        detail: e.to_string(),
        permanent: e.kind() == std::io::ErrorKind::NotFound,
    })
}
