//! Stateless nonces and the nonce-count replay window.
//!
//! A nonce is `hex(issued_ms ‖ seq ‖ HMAC-SHA256(secret, issued_ms ‖ seq ‖ realm)[..16])`.
//! The server can tell its own nonces and their age from the value alone, so issuing a
//! challenge stores nothing: a flood of unauthenticated REGISTERs costs no memory.
//! The sequence number makes every nonce unique, so two clients challenged in the same
//! millisecond never share a nonce-count space. The only state is the highest `nc`
//! seen per nonce, recorded after a request has proved knowledge of the secret.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

const STAMP_LEN: usize = 16;
const MAC_LEN: usize = 16;
const NONCE_HEX_LEN: usize = 2 * (STAMP_LEN + MAC_LEN);

/// Issues and recognises nonces.
pub(crate) struct NonceMint {
    /// Keyed once; cloned per nonce because the key schedule is the costly part.
    mac: Hmac<Sha256>,
    /// Nonce times count from here; the secret is per process, so the epoch can be too.
    epoch: Instant,
    next_seq: u64,
    lifetime: Duration,
}

/// What a nonce turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonceState {
    /// Not issued by this process (forged, corrupted or from before a restart).
    Foreign,
    /// Ours, but older than the configured lifetime (→ `stale=true`, RFC 7616 §3.3).
    Expired,
    /// Ours and current; `seq` identifies it in the replay window.
    Fresh { seq: u64 },
}

impl NonceMint {
    pub(crate) fn new(now: Instant, secret: &[u8; 32], lifetime: Duration) -> Self {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        let mac = match Hmac::<Sha256>::new_from_slice(secret) {
            Ok(mac) => mac,
            Err(_) => unreachable!("hmac accepts any key length"),
        };
        NonceMint {
            mac,
            epoch: now,
            next_seq: 0,
            lifetime,
        }
    }

    pub(crate) fn issue(&mut self, now: Instant, realm: &str) -> String {
        let issued_ms = self.millis(now);
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let mut raw = [0u8; STAMP_LEN + MAC_LEN];
        raw[..8].copy_from_slice(&issued_ms.to_be_bytes());
        raw[8..16].copy_from_slice(&seq.to_be_bytes());
        let tag = self.tag(&raw[..STAMP_LEN], realm);
        raw[STAMP_LEN..].copy_from_slice(&tag);
        hex::encode(raw)
    }

    pub(crate) fn check(&self, now: Instant, realm: &str, nonce: &str) -> NonceState {
        if nonce.len() != NONCE_HEX_LEN {
            return NonceState::Foreign;
        }
        let mut raw = [0u8; STAMP_LEN + MAC_LEN];
        if hex::decode_to_slice(nonce, &mut raw).is_err() {
            return NonceState::Foreign;
        }
        let (stamp, tag) = raw.split_at(STAMP_LEN);
        let expected = self.tag(stamp, realm);
        if !super::hash::constant_time_eq(&expected, tag) {
            return NonceState::Foreign;
        }
        let mut ms = [0u8; 8];
        let mut seq = [0u8; 8];
        ms.copy_from_slice(&stamp[..8]);
        seq.copy_from_slice(&stamp[8..]);
        let issued_ms = u64::from_be_bytes(ms);
        if self.expired(now, issued_ms) {
            return NonceState::Expired;
        }
        NonceState::Fresh {
            seq: u64::from_be_bytes(seq),
        }
    }

    /// Milliseconds since the epoch, the clock nonces are stamped with.
    pub(crate) fn millis(&self, now: Instant) -> u64 {
        let ms = now.saturating_duration_since(self.epoch).as_millis();
        u64::try_from(ms).unwrap_or(u64::MAX)
    }

    fn expired(&self, now: Instant, issued_ms: u64) -> bool {
        let lifetime_ms = u64::try_from(self.lifetime.as_millis()).unwrap_or(u64::MAX);
        self.millis(now) >= issued_ms.saturating_add(lifetime_ms)
    }

    pub(crate) fn lifetime(&self) -> Duration {
        self.lifetime
    }

    fn tag(&self, stamp: &[u8], realm: &str) -> [u8; MAC_LEN] {
        let mut mac = self.mac.clone();
        mac.update(stamp);
        mac.update(realm.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; MAC_LEN];
        tag.copy_from_slice(&full[..MAC_LEN]);
        tag
    }
}

/// The highest nonce-count seen per nonce (RFC 7616 §3.4: the server "SHOULD" reject a
/// repeated nc). Bounded: when full, the oldest entries are forgotten and every nonce
/// at or below the forgotten sequence number counts as stale from then on, so
/// forgetting can never let a replay through — it only forces a fresh challenge.
pub(crate) struct ReplayWindow {
    highest: HashMap<u64, u32>,
    /// Insertion order with the time of first use, for pruning and eviction.
    order: VecDeque<(u64, u64)>,
    /// Nonces with `seq <= floor` that are not in `highest` are no longer accepted.
    floor: Option<u64>,
    capacity: usize,
}

/// Why the window refused a nonce-count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Replayed;

impl ReplayWindow {
    pub(crate) fn new(capacity: usize) -> Self {
        ReplayWindow {
            highest: HashMap::new(),
            order: VecDeque::new(),
            floor: None,
            capacity: capacity.max(1),
        }
    }

    /// Records `nc` for nonce `seq` if it is higher than any seen before.
    /// `now_ms` and `lifetime_ms` drop entries whose nonces have expired anyway.
    pub(crate) fn record(
        &mut self,
        now_ms: u64,
        lifetime_ms: u64,
        seq: u64,
        nc: u32,
    ) -> Result<(), Replayed> {
        self.prune(now_ms, lifetime_ms);
        if let Some(highest) = self.highest.get_mut(&seq) {
            if nc <= *highest {
                return Err(Replayed);
            }
            *highest = nc;
            return Ok(());
        }
        if self.floor.is_some_and(|floor| seq <= floor) {
            return Err(Replayed);
        }
        while self.highest.len() >= self.capacity {
            let Some((old, _)) = self.order.pop_front() else {
                break;
            };
            self.highest.remove(&old);
            self.floor = Some(self.floor.map_or(old, |f| f.max(old)));
        }
        self.highest.insert(seq, nc);
        self.order.push_back((seq, now_ms));
        Ok(())
    }

    /// Entries first used a full lifetime ago belong to nonces that have expired
    /// (a nonce is used after it is issued), so they can go without raising the floor.
    fn prune(&mut self, now_ms: u64, lifetime_ms: u64) {
        while let Some(&(seq, first_ms)) = self.order.front() {
            if now_ms < first_ms.saturating_add(lifetime_ms) {
                break;
            }
            self.order.pop_front();
            self.highest.remove(&seq);
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.highest.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_round_trips_and_expires() {
        let t0 = Instant::now();
        let mut mint = NonceMint::new(t0, &[7; 32], Duration::from_secs(30));
        let nonce = mint.issue(t0, "office");
        assert!(matches!(
            mint.check(t0, "office", &nonce),
            NonceState::Fresh { seq: 0 }
        ));
        assert_eq!(mint.check(t0, "other", &nonce), NonceState::Foreign);
        assert_eq!(
            mint.check(t0 + Duration::from_secs(30), "office", &nonce),
            NonceState::Expired
        );
        let mut forged = nonce.clone().into_bytes();
        forged[0] = if forged[0] == b'0' { b'1' } else { b'0' };
        let forged = String::from_utf8(forged).unwrap_or_default();
        assert_eq!(mint.check(t0, "office", &forged), NonceState::Foreign);
    }

    #[test]
    fn window_rejects_repeats_and_forgets_safely() {
        let mut w = ReplayWindow::new(2);
        assert_eq!(w.record(0, 1000, 1, 1), Ok(()));
        assert_eq!(w.record(0, 1000, 1, 1), Err(Replayed));
        assert_eq!(w.record(0, 1000, 1, 2), Ok(()));
        assert_eq!(w.record(0, 1000, 2, 1), Ok(()));
        assert_eq!(w.record(0, 1000, 3, 1), Ok(()));
        assert_eq!(w.len(), 2);
        // Nonce 1 was evicted: it must not start over at nc=1.
        assert_eq!(w.record(0, 1000, 1, 3), Err(Replayed));
        // Expired entries are pruned by time.
        assert_eq!(w.record(2000, 1000, 4, 1), Ok(()));
        assert_eq!(w.len(), 1);
    }
}
