//! The PBX's guard against attacks from the network: per-source rate limits and automatic
//! bans. Sans-IO like the rest of the crate: the runtime asks [`Guard::admit`] before it
//! hands a message to the PBX, tells it how each authentication went, and keeps its
//! sockets' block list in step with [`Guard::poll_event`].
//!
//! A source (an IP address, whatever its port) is banned after `max_failures` failed
//! authentications within `failure_window`, or when it keeps sending faster than its rate
//! limit. Bans live in memory, end after `ban_for` and double for repeat offenders. An
//! address from which a device authenticated within `trusted_for` is never banned (the
//! office's own NAT address must not lock the staff out when one phone has a stale
//! password): it is only rate limited. Addresses on the allow-list are neither.

mod bans;
mod bucket;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

pub use bans::{Ban, BanReason};

use bans::BanBook;
use bucket::TokenBucket;

use crate::dialplan::AddressRule;

/// Limits; [`GuardConfig::default`] holds the documented defaults.
#[derive(Debug, Clone)]
pub struct GuardConfig {
    /// Failed authentications within `failure_window` that get a source banned.
    pub max_failures: usize,
    pub failure_window: Duration,
    /// The first ban's length; each later ban of the same source doubles it.
    pub ban_for: Duration,
    /// How long strikes are remembered for doubling after the last ban.
    pub remember_strikes: Duration,
    /// How long after a successful authentication an address is never banned.
    pub trusted_for: Duration,
    /// Messages a second a source may send on average …
    pub rate: f64,
    /// … and at once, after a quiet spell.
    pub burst: f64,
    /// Messages over the rate limit within `flood_window` that count as a flood.
    pub flood_drops: u32,
    pub flood_window: Duration,
    /// Never limited nor banned, whatever the owner's list says (this machine's own
    /// addresses).
    pub allow: Vec<AddressRule>,
}

impl Default for GuardConfig {
    fn default() -> Self {
        GuardConfig {
            max_failures: 10,
            failure_window: Duration::from_secs(600),
            ban_for: Duration::from_secs(3600),
            remember_strikes: Duration::from_secs(7 * 24 * 3600),
            trusted_for: Duration::from_secs(24 * 3600),
            // A phone sends a handful of messages a second at most; a busy office's
            // shared NAT address, or a test rig placing fifty calls at once, a few
            // hundred in a burst.
            rate: 200.0,
            burst: 400.0,
            flood_drops: 1000,
            flood_window: Duration::from_secs(10),
            allow: Vec::new(),
        }
    }
}

/// Reads one entry of the owner's allow-list: an address (`203.0.113.5`, `2001:db8::1`,
/// `[2001:db8::1]`) or a network (`192.168.1.0/24`, `2001:db8::/32`). A port or a host name
/// is refused: the guard judges sources by address alone, and never looks names up.
pub fn parse_allow_entry(entry: &str) -> Option<AddressRule> {
    let t = entry.trim();
    let bare = t
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(t);
    let is_address = bare.parse::<IpAddr>().is_ok();
    let is_network = t
        .split_once('/')
        .is_some_and(|(ip, _)| ip.parse::<IpAddr>().is_ok());
    if !is_address && !is_network {
        return None;
    }
    if is_address {
        return bare.parse::<IpAddr>().ok().map(AddressRule::from);
    }
    t.parse().ok()
}

/// What to do with a message from a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Accept,
    /// Banned or over its rate limit: drop it unread.
    Drop,
}

/// What the runtime should know about (to update its sockets' block list, to tell the UI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardEvent {
    Banned(Ban),
    /// A ban ended (expired, lifted by hand, or the address was allowed).
    Lifted(IpAddr),
}

/// How often sources that have gone quiet are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Sources tracked at most: a flood from spoofed addresses must not fill memory. Beyond
/// this, new sources are admitted without a bucket until the next sweep.
const MAX_SOURCES: usize = 100_000;

#[derive(Debug)]
struct SourceState {
    bucket: TokenBucket,
    /// Times of recent failed authentications, oldest first, at most `max_failures`.
    failures: VecDeque<Instant>,
    /// Messages dropped for the rate limit since `drops_since`.
    drops: u32,
    drops_since: Instant,
}

pub struct Guard {
    config: GuardConfig,
    bans: BanBook,
    sources: HashMap<IpAddr, SourceState>,
    /// Last successful authentication per address.
    trusted: HashMap<IpAddr, Instant>,
    /// The owner's allow-list (their office networks, a provider's addresses), on top of
    /// `config.allow`.
    owner_allow: Vec<AddressRule>,
    events: VecDeque<GuardEvent>,
    next_sweep: Instant,
}

impl Guard {
    pub fn new(now: Instant, config: GuardConfig) -> Self {
        Guard {
            config,
            bans: BanBook::default(),
            sources: HashMap::new(),
            trusted: HashMap::new(),
            owner_allow: Vec::new(),
            events: VecDeque::new(),
            next_sweep: now + SWEEP_EVERY,
        }
    }

    pub fn config(&self) -> &GuardConfig {
        &self.config
    }

    /// Replaces the owner's allow-list (the configured `allow` rules stay); a banned
    /// address it now covers is let in at once.
    pub fn set_allow_list(&mut self, allow: Vec<AddressRule>) {
        self.owner_allow = allow;
        let now_allowed: Vec<IpAddr> = self
            .bans
            .list_all()
            .into_iter()
            .filter(|a| self.is_allowed(*a))
            .collect();
        for address in now_allowed {
            if self.bans.lift(address) {
                self.events.push_back(GuardEvent::Lifted(address));
            }
        }
    }

    /// Whether a message from `source` may be read; counts it against the rate limit.
    pub fn admit(&mut self, now: Instant, source: IpAddr) -> Admission {
        if self.is_allowed(source) {
            return Admission::Accept;
        }
        if self.bans.is_banned(now, source) {
            return Admission::Drop;
        }
        let (rate, burst) = (self.config.rate, self.config.burst);
        if !self.sources.contains_key(&source) && self.sources.len() >= MAX_SOURCES {
            return Admission::Accept;
        }
        let state = self.sources.entry(source).or_insert_with(|| SourceState {
            bucket: TokenBucket::full(now, burst),
            failures: VecDeque::new(),
            drops: 0,
            drops_since: now,
        });
        if state.bucket.take(now, rate, burst) {
            return Admission::Accept;
        }
        if now.saturating_duration_since(state.drops_since) >= self.config.flood_window {
            state.drops = 0;
            state.drops_since = now;
        }
        state.drops = state.drops.saturating_add(1);
        if state.drops >= self.config.flood_drops && !self.is_trusted(now, source) {
            self.ban(now, source, BanReason::Flood);
        }
        Admission::Drop
    }

    /// A request from `source` carried credentials that did not check out (RFC 3261
    /// §22.2), for a known or unknown user alike.
    pub fn auth_failed(&mut self, now: Instant, source: IpAddr) {
        if self.is_allowed(source) || self.bans.is_banned(now, source) {
            return;
        }
        let (max, window, burst) = (
            self.config.max_failures,
            self.config.failure_window,
            self.config.burst,
        );
        if !self.sources.contains_key(&source) && self.sources.len() >= MAX_SOURCES {
            self.sweep(now);
        }
        let state = self.sources.entry(source).or_insert_with(|| SourceState {
            bucket: TokenBucket::full(now, burst),
            failures: VecDeque::new(),
            drops: 0,
            drops_since: now,
        });
        while state
            .failures
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            state.failures.pop_front();
        }
        state.failures.push_back(now);
        while state.failures.len() > max {
            state.failures.pop_front();
        }
        if state.failures.len() >= max && !self.is_trusted(now, source) {
            self.ban(now, source, BanReason::FailedLogins);
        }
    }

    /// A device authenticated from `source`: the address is trusted for `trusted_for`.
    pub fn auth_succeeded(&mut self, now: Instant, source: IpAddr) {
        self.trusted.insert(source, now);
        if let Some(state) = self.sources.get_mut(&source) {
            state.failures.clear();
        }
    }

    pub fn is_banned(&self, now: Instant, source: IpAddr) -> bool {
        self.bans.is_banned(now, source)
    }

    /// The bans in force, soonest to end first.
    pub fn bans(&self, now: Instant) -> Vec<Ban> {
        self.bans.list(now)
    }

    /// Lifts a ban by hand (the owner knows the address); false when it was not banned.
    pub fn lift(&mut self, address: IpAddr) -> bool {
        if let Some(state) = self.sources.get_mut(&address) {
            state.failures.clear();
            state.drops = 0;
        }
        let lifted = self.bans.lift(address);
        if lifted {
            self.events.push_back(GuardEvent::Lifted(address));
        }
        lifted
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        Some(
            self.bans
                .next_expiry()
                .map_or(self.next_sweep, |t| t.min(self.next_sweep)),
        )
    }

    /// Ends expired bans and forgets quiet sources.
    pub fn handle_timeout(&mut self, now: Instant) {
        for address in self.bans.expire(now, self.config.remember_strikes) {
            self.events.push_back(GuardEvent::Lifted(address));
        }
        if now >= self.next_sweep {
            self.sweep(now);
        }
    }

    pub fn poll_event(&mut self) -> Option<GuardEvent> {
        self.events.pop_front()
    }

    fn sweep(&mut self, now: Instant) {
        self.next_sweep = now + SWEEP_EVERY;
        let c = &self.config;
        self.sources.retain(|_, s| {
            let failures_recent = s
                .failures
                .back()
                .is_some_and(|t| now.saturating_duration_since(*t) < c.failure_window);
            failures_recent || !s.bucket.is_full(now, c.rate, c.burst)
        });
        let trusted_for = c.trusted_for;
        self.trusted
            .retain(|_, at| now.saturating_duration_since(*at) < trusted_for);
    }

    fn ban(&mut self, now: Instant, source: IpAddr, reason: BanReason) {
        let ban = self.bans.ban(now, source, reason, self.config.ban_for);
        if let Some(state) = self.sources.get_mut(&source) {
            state.failures.clear();
            state.drops = 0;
        }
        self.events.push_back(GuardEvent::Banned(ban));
    }

    fn is_allowed(&self, source: IpAddr) -> bool {
        let probe = SocketAddr::new(source, 0);
        self.config
            .allow
            .iter()
            .chain(&self.owner_allow)
            .any(|rule| rule.matches(probe))
    }

    fn is_trusted(&self, now: Instant, source: IpAddr) -> bool {
        self.trusted
            .get(&source)
            .is_some_and(|at| now.saturating_duration_since(*at) < self.config.trusted_for)
    }
}
