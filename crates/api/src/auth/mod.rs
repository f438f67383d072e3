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
use std::sync::Mutex;
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
    /// Seconds added to the clock, so tests can let eight hours pass.
    skew_s: AtomicU64,
    start: Instant,
}

impl Auth {
    pub(crate) fn new() -> Auth {
        Auth {
            sessions: Mutex::default(),
            lockout: Mutex::default(),
            skew_s: AtomicU64::new(0),
            start: Instant::now(),
        }
    }

    fn now(&self) -> Instant {
        let skew = Duration::from_secs(self.skew_s.load(Ordering::Relaxed));
        Instant::now().checked_add(skew).unwrap_or(self.start)
    }

    pub(crate) fn advance_clock(&self, by: Duration) {
        self.skew_s.fetch_add(by.as_secs(), Ordering::Relaxed);
    }

    /// The live session with cookie value `id`, with its CSRF token.
    pub(crate) fn session(&self, id: &str) -> Option<(Principal, String)> {
        let now = self.now();
        lock(&self.sessions).touch(id, now)
    }

    pub(crate) fn start_session(&self, principal: Principal) -> (String, String) {
        let now = self.now();
        lock(&self.sessions).create(principal, now)
    }

    pub(crate) fn end_session(&self, id: &str) {
        lock(&self.sessions).remove(id);
    }

    /// Logs `principal` out everywhere (its password changed or was removed).
    pub(crate) fn end_sessions_of(&self, principal: &Principal) {
        lock(&self.sessions).remove_principal(principal);
    }

    /// Logs `principal` out everywhere but the session `keep`.
    pub(crate) fn end_other_sessions(&self, principal: &Principal, keep: &str) {
        lock(&self.sessions).remove_principal_except(principal, keep);
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

/// A panic elsewhere cannot leave these maps half-changed in a harmful way.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
