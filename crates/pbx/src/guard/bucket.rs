//! A token bucket: `rate` tokens a second, at most `burst` saved up. Each request takes
//! one; a request that finds none is over the limit.

use std::time::Instant;

#[derive(Debug, Clone)]
pub(super) struct TokenBucket {
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket: a new source may send a burst at once (a phone registering all its
    /// lines and subscribing to a few lamps at start).
    pub fn full(now: Instant, burst: f64) -> Self {
        TokenBucket {
            tokens: burst,
            last: now,
        }
    }

    /// Takes a token if there is one.
    pub fn take(&mut self, now: Instant, rate: f64, burst: f64) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now.max(self.last);
        self.tokens = (self.tokens + elapsed * rate).min(burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// True once the bucket has refilled completely: the source has been quiet long
    /// enough that forgetting it changes nothing.
    pub fn is_full(&self, now: Instant, rate: f64, burst: f64) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens + elapsed * rate >= burst
    }
}
