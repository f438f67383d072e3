//! The ban book: which sources are banned until when, and how often each has offended
//! (a repeat offender's ban doubles each time, so a scanner that comes back after its ban
//! expires is shut out for longer).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Why a source was banned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanReason {
    /// Too many failed authentications within the window.
    FailedLogins,
    /// More requests than the rate limit allows, for long enough.
    Flood,
}

impl BanReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BanReason::FailedLogins => "failed_logins",
            BanReason::Flood => "flood",
        }
    }
}

/// One ban in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    pub address: IpAddr,
    pub reason: BanReason,
    pub since: Instant,
    pub until: Instant,
    /// How many times this source has been banned (1 for the first).
    pub strikes: u32,
}

#[derive(Debug, Default)]
pub(super) struct BanBook {
    bans: HashMap<IpAddr, Ban>,
    /// Bans so far per source, kept after a ban ends so the next one is longer; forgotten
    /// after `remember` without offending.
    strikes: HashMap<IpAddr, (u32, Instant)>,
}

/// The longest ban, whatever the strikes: doubling must not overflow, and a month is as
/// good as for ever for a scanner.
const MAX_BAN: Duration = Duration::from_secs(30 * 24 * 3600);

impl BanBook {
    pub fn is_banned(&self, now: Instant, address: IpAddr) -> bool {
        self.bans.get(&address).is_some_and(|b| b.until > now)
    }

    /// Bans `address` for `base`, doubled for each earlier strike.
    pub fn ban(&mut self, now: Instant, address: IpAddr, reason: BanReason, base: Duration) -> Ban {
        let strikes = self.strikes.get(&address).map_or(0, |s| s.0) + 1;
        let factor = 1u32.checked_shl(strikes - 1).unwrap_or(u32::MAX);
        let length = base.checked_mul(factor).unwrap_or(MAX_BAN).min(MAX_BAN);
        let ban = Ban {
            address,
            reason,
            since: now,
            until: now + length,
            strikes,
        };
        self.strikes.insert(address, (strikes, now));
        self.bans.insert(address, ban.clone());
        ban
    }

    /// Lifts a ban by hand; the owner forgives the strikes too.
    pub fn lift(&mut self, address: IpAddr) -> bool {
        self.strikes.remove(&address);
        self.bans.remove(&address).is_some()
    }

    /// Every banned address, ended or not.
    pub fn list_all(&self) -> Vec<IpAddr> {
        self.bans.keys().copied().collect()
    }

    /// The bans in force, soonest to end first.
    pub fn list(&self, now: Instant) -> Vec<Ban> {
        let mut list: Vec<Ban> = self
            .bans
            .values()
            .filter(|b| b.until > now)
            .cloned()
            .collect();
        list.sort_by_key(|b| (b.until, b.address));
        list
    }

    /// Drops ended bans (returned, so the runtime can say so) and strikes older than
    /// `remember`.
    pub fn expire(&mut self, now: Instant, remember: Duration) -> Vec<IpAddr> {
        let ended: Vec<IpAddr> = self
            .bans
            .values()
            .filter(|b| b.until <= now)
            .map(|b| b.address)
            .collect();
        for address in &ended {
            self.bans.remove(address);
        }
        self.strikes
            .retain(|_, (_, at)| now.saturating_duration_since(*at) < remember);
        ended
    }

    pub fn next_expiry(&self) -> Option<Instant> {
        self.bans.values().map(|b| b.until).min()
    }
}
