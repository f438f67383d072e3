//! Stops password guessing at the login form: after [`MAX_FAILURES`] failed logins for one
//! user name, or from one address, within [`LOCK`], further attempts are refused for
//! [`LOCK`] — even with the right password, so a guesser learns nothing while locked.
//! Unknown user names count like known ones, so the lock does not reveal which exist.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

pub(crate) const MAX_FAILURES: u32 = 5;
pub(crate) const LOCK: Duration = Duration::from_secs(15 * 60);

/// Keeps the tables bounded under a flood of distinct names or addresses.
const MAX_ENTRIES: usize = 50_000;

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    /// The first failure of the current run; the run is forgotten [`LOCK`] after its last.
    last: Instant,
}

#[derive(Default)]
pub(crate) struct Lockout {
    accounts: HashMap<String, Failures>,
    sources: HashMap<IpAddr, Failures>,
}

impl Lockout {
    /// Whether a login for `username` from `source` is refused right now.
    pub(crate) fn locked(&self, username: &str, source: IpAddr, now: Instant) -> bool {
        is_locked(self.accounts.get(&account_key(username)), now)
            || is_locked(self.sources.get(&source), now)
    }

    pub(crate) fn failed(&mut self, username: &str, source: IpAddr, now: Instant) {
        if self.accounts.len() + self.sources.len() > MAX_ENTRIES {
            self.accounts.retain(|_, f| !stale(f, now));
            self.sources.retain(|_, f| !stale(f, now));
        }
        bump(
            self.accounts
                .entry(account_key(username))
                .or_insert(fresh(now)),
            now,
        );
        bump(self.sources.entry(source).or_insert(fresh(now)), now);
    }

    /// A successful login clears the account's count (not the address's: one right
    /// password must not reset a guesser working through several names).
    pub(crate) fn succeeded(&mut self, username: &str) {
        self.accounts.remove(&account_key(username));
    }
}

fn account_key(username: &str) -> String {
    username.trim().to_lowercase()
}

fn fresh(now: Instant) -> Failures {
    Failures {
        count: 0,
        last: now,
    }
}

fn stale(f: &Failures, now: Instant) -> bool {
    now.saturating_duration_since(f.last) >= LOCK
}

fn bump(f: &mut Failures, now: Instant) {
    if stale(f, now) {
        f.count = 0;
    }
    f.count = f.count.saturating_add(1);
    f.last = now;
}

fn is_locked(f: Option<&Failures>, now: Instant) -> bool {
    f.is_some_and(|f| f.count >= MAX_FAILURES && !stale(f, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 10));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 11));

    #[test]
    fn five_failures_lock_the_account_and_the_source_for_fifteen_minutes() {
        let mut l = Lockout::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            l.failed("owner", A, t0);
        }
        assert!(!l.locked("owner", A, t0));
        l.failed("owner", A, t0);
        assert!(l.locked("owner", A, t0));
        assert!(
            l.locked("OWNER", B, t0),
            "the account is locked from anywhere"
        );
        assert!(l.locked("201", A, t0), "the source is locked for any name");
        assert!(!l.locked("201", B, t0));
        assert!(!l.locked("owner", A, t0 + LOCK));
    }

    #[test]
    fn failures_spread_over_names_still_lock_the_source() {
        let mut l = Lockout::default();
        let t0 = Instant::now();
        for name in ["a", "b", "c", "d", "e"] {
            l.failed(name, A, t0);
        }
        assert!(l.locked("f", A, t0));
    }
}
