//! Following the plan: from a destination to where the call rings, and from a dialled
//! number to the trunks it leaves by.

use std::time::Duration;

use super::{BusinessName, Destination, DialPlan, RingGroup, Trunk, TrunkId};

/// One step of ringing a group: these extensions ring together for `ring`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingStep {
    pub extensions: Vec<String>,
    pub ring: Duration,
}

/// Where a call ends up once business hours have been followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terminal {
    Extension(String),
    RingGroup(String),
    Conference(String),
    Voicemail(String),
    Hangup,
}

impl DialPlan {
    /// The business name a trunk delivers as `number`.
    pub fn name_for_number(&self, trunk: TrunkId, number: &str) -> Option<&BusinessName> {
        let _ = (trunk, number);
        None
    }

    pub fn trunk(&self, id: TrunkId) -> Option<&Trunk> {
        self.trunks.iter().find(|t| t.id == id)
    }

    pub fn ring_group(&self, number: &str) -> Option<&RingGroup> {
        self.ring_groups.iter().find(|g| g.number == number)
    }

    /// Follows Hours (at unix_secs) until a terminal destination; None on a cycle.
    pub fn resolve(&self, dest: &Destination, unix_secs: i64) -> Option<Terminal> {
        let _ = unix_secs;
        match dest {
            Destination::Extension(n) => Some(Terminal::Extension(n.clone())),
            Destination::RingGroup(n) => Some(Terminal::RingGroup(n.clone())),
            Destination::Conference(n) => Some(Terminal::Conference(n.clone())),
            Destination::Voicemail(n) => Some(Terminal::Voicemail(n.clone())),
            Destination::Hours(_) => None,
            Destination::Hangup => Some(Terminal::Hangup),
        }
    }

    /// Ring steps of a group: All → one step with every member flattened (nested groups
    /// expanded, de-duplicated), ring = longest member time; InOrder → one step per member.
    pub fn ring_steps(&self, group: &str) -> Vec<RingStep> {
        let _ = group;
        Vec::new()
    }

    /// Whether `extension` may call `dialled` through a trunk: permission, or an emergency number.
    pub fn may_call_out(&self, extension: &str, dialled: &str) -> bool {
        self.outbound_allowed.iter().any(|e| e == extension)
            || self.emergency_numbers.iter().any(|e| e == dialled)
    }

    /// Routes for a dialled number: (trunk, number to send) in order, across matching routes.
    pub fn outbound_targets(&self, dialled: &str) -> Vec<(TrunkId, String)> {
        let _ = dialled;
        Vec::new()
    }
}
