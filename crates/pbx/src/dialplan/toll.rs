//! Toll-fraud limits: what an extension that may call out may still not do.
//!
//! A stolen extension password is spent on premium-rate and far-away numbers, many calls at
//! once, at night. Permission alone does not stop that, so calls out are also held to a list
//! of allowed destinations, a number of simultaneous calls (for the whole office and for each
//! extension) and, optionally, the office's business hours. Emergency numbers pass every limit.

use serde::{Deserialize, Serialize};

use super::pattern::Pattern;
use super::DialPlan;

/// The owner's limits on calls out through trunks. The default limits nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TollLimits {
    /// Dial patterns (as in outbound routes: `0[1-9].`, `+44.`, `00XXX.`) a dialled number
    /// must match to leave; every other number is refused. Empty: every number a route takes.
    pub allowed_destinations: Vec<String>,
    /// Calls out at once across the office; 0 for no limit.
    pub max_outbound_calls: u32,
    /// Calls out at once from one extension; 0 for no limit.
    pub max_outbound_per_extension: u32,
    /// The id of a schedule: while it is closed, calls out are refused. `None`: any time.
    pub after_hours_schedule: Option<i64>,
    /// The saved limits could not be read (a damaged row, a newer version's shape): every
    /// call out but to an emergency number is refused until the owner saves limits again,
    /// since letting calls out unlimited is what toll fraud needs. Never saved itself.
    #[serde(skip)]
    pub unreadable: bool,
}

impl TollLimits {
    /// What the PBX holds to when the saved limits cannot be read: no call out at all.
    pub fn unreadable() -> Self {
        TollLimits {
            unreadable: true,
            ..TollLimits::default()
        }
    }
}

/// Why a call out was refused by the limits: the reason phrase of the 403 and the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TollRefusal {
    /// The dialled number matches no allowed destination.
    Destination,
    /// The office already has its maximum of calls out.
    OfficeLimit,
    /// The extension already has its maximum of calls out.
    ExtensionLimit,
    /// The after-hours schedule is closed.
    AfterHours,
    /// The saved limits cannot be read, so nothing but emergency numbers leaves.
    LimitsUnreadable,
}

impl TollRefusal {
    /// The reason phrase the caller's phone shows with the 403 (RFC 3261 §21.4.4: the
    /// server understood the request and refuses it; the phrase says why).
    pub fn reason(self) -> &'static str {
        match self {
            TollRefusal::Destination => "Destination Not Allowed",
            TollRefusal::OfficeLimit => "Too Many Outside Calls",
            TollRefusal::ExtensionLimit => "Too Many Outside Calls From This Extension",
            TollRefusal::AfterHours => "Outside Calls Closed After Hours",
            TollRefusal::LimitsUnreadable => "Outside Calls Blocked",
        }
    }
}

/// Calls out in progress when a new one is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboundInUse {
    /// Across the office.
    pub office: u32,
    /// From the extension asking.
    pub extension: u32,
}

impl DialPlan {
    /// Whether `dialled` may leave now under the toll limits, given the calls out already in
    /// progress and the wall clock (Unix seconds, for the after-hours schedule). Emergency
    /// numbers always may. A schedule that no longer exists or cannot be read blocks nothing:
    /// the plan's validation reports it to the owner.
    pub fn toll_check(
        &self,
        dialled: &str,
        in_use: OutboundInUse,
        unix_secs: i64,
    ) -> Result<(), TollRefusal> {
        if self.is_emergency(dialled) {
            return Ok(());
        }
        let limits = &self.toll_limits;
        // Fail closed: limits that cannot be read limit everything.
        if limits.unreadable {
            return Err(TollRefusal::LimitsUnreadable);
        }
        if !limits.allowed_destinations.is_empty()
            && !limits
                .allowed_destinations
                .iter()
                .filter_map(|p| Pattern::parse(p).ok())
                .any(|p| p.matches(dialled))
        {
            return Err(TollRefusal::Destination);
        }
        if let Some(id) = limits.after_hours_schedule {
            let open = self
                .schedules
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.is_open(unix_secs));
            if let Some(Ok(false)) = open {
                return Err(TollRefusal::AfterHours);
            }
        }
        if limits.max_outbound_per_extension > 0
            && in_use.extension >= limits.max_outbound_per_extension
        {
            return Err(TollRefusal::ExtensionLimit);
        }
        if limits.max_outbound_calls > 0 && in_use.office >= limits.max_outbound_calls {
            return Err(TollRefusal::OfficeLimit);
        }
        Ok(())
    }
}

impl DialPlan {
    /// Problems with the toll limits, by field (`toll_limits.allowed_destinations.0`).
    pub(super) fn check_toll_limits(&self, issues: &mut super::validate::Issues) {
        let limits = &self.toll_limits;
        for (i, pattern) in limits.allowed_destinations.iter().enumerate() {
            if Pattern::parse(pattern).is_err() {
                let message = format!(
                    "{pattern} is not a dial pattern (digits, + * #, X Z N, [1-5], and . or ! at the end)"
                );
                issues.add(format!("toll_limits.allowed_destinations.{i}"), message);
            }
        }
        if let Some(id) = limits.after_hours_schedule {
            if !self.schedules.iter().any(|s| s.id == id) {
                let message = "That schedule does not exist".to_string();
                issues.add("toll_limits.after_hours_schedule".into(), message);
            }
        }
    }
}
