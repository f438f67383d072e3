//! What a caller lane is asked to do, and what it counts.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use crate::histogram::Histogram;
use crate::media::MediaHandle;

/// How new calls are started.
#[derive(Debug, Clone, Copy)]
pub enum Pacing {
    /// Calls per second from this lane.
    Rate(f64),
    /// Calls in progress at once in this lane.
    Window(usize),
}

/// How long an answered call lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    For(Duration),
    /// Until the orchestrator says [`Control::HangUp`].
    UntilHangUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    /// Hang up every answered call and start no more.
    HangUp,
}

/// What a lane is asked to do.
#[derive(Clone)]
pub struct CallPlan {
    pub pacing: Pacing,
    pub hold: Hold,
    /// No call starts at or after this instant.
    pub stop_at: Option<Instant>,
    pub max_calls: Option<u64>,
    pub timeout: Duration,
    /// Offer SDP (the PBX then anchors media at its relay); false sends bodiless INVITEs.
    pub sdp: bool,
    /// Media sockets for the calls' audio; `None` offers SDP but sends no RTP.
    pub media: Option<Vec<MediaHandle>>,
}

/// Counts the orchestrator watches while calls are being set up.
#[derive(Debug, Default)]
pub struct Progress {
    pub answered: AtomicU64,
    pub failed: AtomicU64,
}

#[derive(Debug, Clone, Default)]
pub struct CallStats {
    pub started: u64,
    pub answered: u64,
    /// Calls whose BYE got a 2xx.
    pub completed: u64,
    /// 401s to INVITEs without credentials (a phone's first call).
    pub challenged: u64,
    pub stale: u64,
    pub rejected: u64,
    /// Final non-2xx responses to INVITE (other than challenges), by status.
    pub invite_failed: BTreeMap<u16, u64>,
    pub invite_timeouts: u64,
    pub bye_failed: BTreeMap<u16, u64>,
    pub bye_timeouts: u64,
    /// The PBX hung up an answered call on its own.
    pub remote_hangups: u64,
    pub retransmits: u64,
    /// First INVITE to 200, challenge round trip included.
    pub setup: Histogram,
}

impl CallStats {
    pub fn merge(&mut self, o: &CallStats) {
        self.started += o.started;
        self.answered += o.answered;
        self.completed += o.completed;
        self.challenged += o.challenged;
        self.stale += o.stale;
        self.rejected += o.rejected;
        for (s, n) in &o.invite_failed {
            *self.invite_failed.entry(*s).or_default() += n;
        }
        for (s, n) in &o.bye_failed {
            *self.bye_failed.entry(*s).or_default() += n;
        }
        self.invite_timeouts += o.invite_timeouts;
        self.bye_timeouts += o.bye_timeouts;
        self.remote_hangups += o.remote_hangups;
        self.retransmits += o.retransmits;
        self.setup.merge(&o.setup);
    }

    pub fn failures(&self) -> u64 {
        self.rejected
            + self.invite_failed.values().sum::<u64>()
            + self.invite_timeouts
            + self.bye_failed.values().sum::<u64>()
            + self.bye_timeouts
            + self.remote_hangups
    }
}
