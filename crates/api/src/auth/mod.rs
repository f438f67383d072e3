//! Who is asking. On this computer (loopback) the owner needs no login, as before. Once
//! the owner opens the admin pages to the office network, every request from another
//! address needs a session: the owner's (user name and password) or a staff member's
//! (extension number and the web password the owner gave them), and staff may run only
//! the commands of [`roles`], on their own extension.

pub(crate) mod commands;
mod lockout;
pub(crate) mod own_password;
mod password;
pub(crate) mod roles;
pub(crate) mod routes;
mod sessions;

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) use password::check_strength;
pub(crate) use sessions::same_secret;

/// The person behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// Someone at this computer: the owner, without a login.
    Local,
    /// The owner, logged in from the office network.
    Owner,
    /// A staff member, logged in with their extension's web password.
    Staff { extension: String },
}

impl Principal {
    pub(crate) fn is_owner(&self) -> bool {
        matches!(self, Principal::Local | Principal::Owner)
    }
}

/// Sessions and failed-login counts, shared by every connection.
pub(crate) struct Auth {
    sessions: Mutex<sessions::Sessions>,
    lockout: Mutex<lockout::Lockout>,
    /// Where sessions are kept across restarts (the API's own database connection).
    store: Arc<Mutex<store::Store>>,
    /// Seconds added to the clock, so tests can let eight hours pass.
    skew_s: AtomicU64,
    start: Instant,
}

impl Auth {
    pub(crate) fn new(store: Arc<Mutex<store::Store>>) -> Auth {
        Auth {
            sessions: Mutex::default(),
            lockout: Mutex::default(),
            store,
            skew_s: AtomicU64::new(0),
            start: Instant::now(),
        }
    }

    fn now(&self) -> Instant {
        let skew = Duration::from_secs(self.skew_s.load(Ordering::Relaxed));
        Instant::now().checked_add(skew).unwrap_or(self.start)
    }

    /// Wall-clock seconds, with the same skew, for the database's expiry times.
    fn unix_now(&self) -> i64 {
        let skew = i64::try_from(self.skew_s.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
        crate::command::now_unix().saturating_add(skew)
    }

    /// When a session used now ends, in Unix seconds.
    fn expiry(&self) -> i64 {
        let idle = i64::try_from(sessions::IDLE.as_secs()).unwrap_or(i64::MAX);
        self.unix_now().saturating_add(idle)
    }

    pub(crate) fn advance_clock(&self, by: Duration) {
        self.skew_s.fetch_add(by.as_secs(), Ordering::Relaxed);
    }

    /// Runs `f` on the database off the async threads. A failure is logged and answered
    /// `None`: sessions then live in memory only, as if the database had no row.
    async fn db<T, F>(&self, what: &'static str, f: F) -> Option<T>
    where
        F: FnOnce(&store::Store) -> store::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let store = Arc::clone(&self.store);
        let result = tokio::task::spawn_blocking(move || f(&lock(&store))).await;
        match result {
            Ok(Ok(value)) => Some(value),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, what, "admin sessions: database error");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, what, "admin sessions: database task failed");
                None
            }
        }
    }

    /// The live session with cookie value `id`, with its CSRF token; one started before a
    /// restart is found in the database.
    pub(crate) async fn session(&self, id: &str) -> Option<(Principal, String)> {
        let now = self.now();
        let touched = lock(&self.sessions).touch(id, now);
        let hash = token_hash(id);
        match touched {
            sessions::Touch::Alive {
                principal,
                csrf,
                persist,
            } => {
                if persist {
                    let until = self.expiry();
                    self.db("extend", move |s| s.extend_admin_session(&hash, until))
                        .await;
                }
                Some((principal, csrf))
            }
            sessions::Touch::Ended => {
                self.db("end", move |s| s.delete_admin_session(&hash)).await;
                None
            }
            sessions::Touch::Unknown => {
                let unix = self.unix_now();
                let stored = self
                    .db("look up", move |s| s.admin_session(&hash, unix))
                    .await
                    .flatten()?;
                let principal = match stored.role {
                    store::SessionRole::Owner => Principal::Owner,
                    store::SessionRole::Staff { extension } => Principal::Staff { extension },
                };
                // The row's end is pushed on as for any use.
                let (hash, until) = (token_hash(id), self.expiry());
                self.db("extend", move |s| s.extend_admin_session(&hash, until))
                    .await;
                lock(&self.sessions).adopt(id, principal.clone(), stored.csrf.clone(), now);
                Some((principal, stored.csrf))
            }
        }
    }

    pub(crate) async fn start_session(&self, principal: Principal) -> (String, String) {
        let now = self.now();
        let (id, csrf) = lock(&self.sessions).create(principal.clone(), now);
        if let Some(role) = role_of(&principal) {
            let (hash, token, until, unix) = (
                token_hash(&id),
                csrf.clone(),
                self.expiry(),
                self.unix_now(),
            );
            self.db("save", move |s| {
                s.purge_admin_sessions(unix)?;
                s.save_admin_session(&hash, &role, &token, until)
            })
            .await;
        }
        (id, csrf)
    }

    pub(crate) async fn end_session(&self, id: &str) {
        lock(&self.sessions).remove(id);
        let hash = token_hash(id);
        self.db("end", move |s| s.delete_admin_session(&hash)).await;
    }

    /// Logs `principal` out everywhere (its password changed or was removed).
    pub(crate) async fn end_sessions_of(&self, principal: &Principal) {
        lock(&self.sessions).remove_principal(principal);
        if let Some(role) = role_of(principal) {
            self.db("end all", move |s| s.delete_admin_sessions_of(&role, None))
                .await;
        }
    }

    /// Logs `principal` out everywhere but the session `keep`.
    pub(crate) async fn end_other_sessions(&self, principal: &Principal, keep: &str) {
        lock(&self.sessions).remove_principal_except(principal, keep);
        if let Some(role) = role_of(principal) {
            let keep = token_hash(keep);
            self.db("end others", move |s| {
                s.delete_admin_sessions_of(&role, Some(&keep))
            })
            .await;
        }
    }

    pub(crate) fn locked(&self, username: &str, source: IpAddr) -> bool {
        lock(&self.lockout).locked(username, source, self.now())
    }

    pub(crate) fn login_failed(&self, username: &str, source: IpAddr) {
        let now = self.now();
        lock(&self.lockout).failed(username, source, now);
    }

    pub(crate) fn login_succeeded(&self, username: &str) {
        lock(&self.lockout).succeeded(username);
    }
}

/// The database key of a session: the SHA-256 of its cookie value, so a copy of the
/// database cannot be replayed as a cookie.
fn token_hash(id: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// How a principal's sessions are stored; `None` for this computer (no session).
fn role_of(principal: &Principal) -> Option<store::SessionRole> {
    match principal {
        Principal::Local => None,
        Principal::Owner => Some(store::SessionRole::Owner),
        Principal::Staff { extension } => Some(store::SessionRole::Staff {
            extension: extension.clone(),
        }),
    }
}

/// A panic elsewhere cannot leave these maps half-changed in a harmful way.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
