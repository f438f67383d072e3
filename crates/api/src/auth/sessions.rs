//! Logged-in browsers on the office network, in memory: a restart logs everyone out, which
//! is the safe direction. Each session has a random 256-bit id (the cookie) and its own
//! CSRF token; it ends after [`IDLE`] without a request, or at logout.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::rngs::OsRng;
use rand::RngCore;

use super::Principal;

/// A session nobody used for this long is over (a working day).
pub(crate) const IDLE: Duration = Duration::from_secs(8 * 60 * 60);

/// More sessions than this means someone is logging in in a loop; the oldest go first.
const MAX_SESSIONS: usize = 10_000;

struct Session {
    principal: Principal,
    csrf: String,
    last_seen: Instant,
}

#[derive(Default)]
pub(crate) struct Sessions {
    by_id: HashMap<String, Session>,
}

impl Sessions {
    /// Starts a session; returns its id and CSRF token.
    pub(crate) fn create(&mut self, principal: Principal, now: Instant) -> (String, String) {
        self.expire(now);
        if self.by_id.len() >= MAX_SESSIONS {
            if let Some(oldest) = self
                .by_id
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(id, _)| id.clone())
            {
                self.by_id.remove(&oldest);
            }
        }
        let (id, csrf) = (random_token(), random_token());
        self.by_id.insert(
            id.clone(),
            Session {
                principal,
                csrf: csrf.clone(),
                last_seen: now,
            },
        );
        (id, csrf)
    }

    /// The session `id` if it is still alive (and marks it used), with its CSRF token.
    pub(crate) fn touch(&mut self, id: &str, now: Instant) -> Option<(Principal, String)> {
        let alive = self
            .by_id
            .get(id)
            .is_some_and(|s| now.saturating_duration_since(s.last_seen) < IDLE);
        if !alive {
            self.by_id.remove(id);
            return None;
        }
        let session = self.by_id.get_mut(id)?;
        session.last_seen = now;
        Some((session.principal.clone(), session.csrf.clone()))
    }

    pub(crate) fn remove(&mut self, id: &str) {
        self.by_id.remove(id);
    }

    /// Ends every session of `principal` (its password changed or was removed).
    pub(crate) fn remove_principal(&mut self, principal: &Principal) {
        self.by_id.retain(|_, s| &s.principal != principal);
    }

    /// Ends every session of `principal` but `keep` (its user changed their password
    /// there).
    pub(crate) fn remove_principal_except(&mut self, principal: &Principal, keep: &str) {
        self.by_id
            .retain(|id, s| &s.principal != principal || id == keep);
    }

    fn expire(&mut self, now: Instant) {
        self.by_id
            .retain(|_, s| now.saturating_duration_since(s.last_seen) < IDLE);
    }
}

/// 256 random bits from the operating system, as hex.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Compares secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_lives_while_used_and_ends_after_eight_idle_hours() {
        let mut sessions = Sessions::default();
        let t0 = Instant::now();
        let (id, csrf) = sessions.create(Principal::Owner, t0);
        assert_eq!(id.len(), 64);
        assert_ne!(id, csrf);
        let later = t0 + IDLE - Duration::from_secs(1);
        assert_eq!(
            sessions.touch(&id, later).map(|(p, _)| p),
            Some(Principal::Owner)
        );
        assert!(sessions.touch(&id, later + IDLE).is_none());
        assert!(
            sessions.touch(&id, later).is_none(),
            "an expired session stays gone"
        );
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
