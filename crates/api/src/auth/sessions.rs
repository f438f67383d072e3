//! Logged-in browsers on the office network, in memory; [`super::Auth`] also keeps each one
//! in the database (hashed), so a restart does not log everyone out, and a session this
//! map does not know is looked up there. Each session has a random 256-bit id (the cookie)
//! and its own CSRF token; it ends after [`IDLE`] without a request, or at logout.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::rngs::OsRng;
use rand::RngCore;

use super::Principal;

/// A session nobody used for this long is over (a working day).
pub(crate) const IDLE: Duration = Duration::from_secs(8 * 60 * 60);

/// More sessions than this means someone is logging in in a loop; the oldest go first.
const MAX_SESSIONS: usize = 10_000;

/// How often a used session's end is pushed on in the database: not on every request.
pub(crate) const PERSIST_EVERY: Duration = Duration::from_secs(60);

struct Session {
    principal: Principal,
    csrf: String,
    last_seen: Instant,
    /// When its end was last written to the database.
    persisted: Instant,
}

/// What [`Sessions::touch`] found.
pub(crate) enum Touch {
    /// Alive; `persist` when its end should be pushed on in the database.
    Alive {
        principal: Principal,
        csrf: String,
        persist: bool,
    },
    /// It was here and has now ended (idle too long): it is gone from the database too.
    Ended,
    /// Not known here (a restart since, or never existed): the database may know it.
    Unknown,
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
                persisted: now,
            },
        );
        (id, csrf)
    }

    /// Takes in a session found in the database, as used just now.
    pub(crate) fn adopt(&mut self, id: &str, principal: Principal, csrf: String, now: Instant) {
        self.by_id.insert(
            id.to_owned(),
            Session {
                principal,
                csrf,
                last_seen: now,
                persisted: now,
            },
        );
    }

    /// The session `id` if it is still alive (and marks it used), with its CSRF token.
    pub(crate) fn touch(&mut self, id: &str, now: Instant) -> Touch {
        let Some(session) = self.by_id.get_mut(id) else {
            return Touch::Unknown;
        };
        if now.saturating_duration_since(session.last_seen) >= IDLE {
            self.by_id.remove(id);
            return Touch::Ended;
        }
        session.last_seen = now;
        let persist = now.saturating_duration_since(session.persisted) >= PERSIST_EVERY;
        if persist {
            session.persisted = now;
        }
        Touch::Alive {
            principal: session.principal.clone(),
            csrf: session.csrf.clone(),
            persist,
        }
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
        assert!(matches!(
            sessions.touch(&id, later),
            Touch::Alive {
                principal: Principal::Owner,
                persist: true,
                ..
            }
        ));
        assert!(matches!(
            sessions.touch(&id, later + Duration::from_secs(1)),
            Touch::Alive { persist: false, .. }
        ));
        assert!(matches!(
            sessions.touch(&id, later + IDLE + Duration::from_secs(1)),
            Touch::Ended
        ));
        assert!(
            matches!(sessions.touch(&id, later), Touch::Unknown),
            "an expired session stays gone from memory"
        );
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
