//! Following the plan: from a destination to where the call rings, and from a dialled
//! number to the trunks it leaves by.

use std::collections::HashSet;
use std::time::Duration;

use super::number::{is_dialable, normalize_number, same_number_loosely};
use super::pattern::Pattern;
use super::{BusinessName, Destination, DialPlan, RingGroup, RingStrategy, Trunk, TrunkId};

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
    /// The business name a trunk delivers as `number`: compared after [`normalize_number`],
    /// a name bound to this trunk before one for any trunk; failing an exact match, the same
    /// number with or without a leading `+` (providers differ in sending it).
    pub fn name_for_number(&self, trunk: TrunkId, number: &str) -> Option<&BusinessName> {
        let wanted = normalize_number(number);
        if wanted.is_empty() {
            return None;
        }
        let candidates = || {
            let own = self.names.iter().filter(move |n| n.trunk == Some(trunk));
            let any = self.names.iter().filter(|n| n.trunk.is_none());
            own.chain(any)
        };
        candidates()
            .find(|n| normalize_number(&n.number) == wanted)
            .or_else(|| {
                candidates().find(|n| same_number_loosely(&normalize_number(&n.number), &wanted))
            })
    }

    pub fn trunk(&self, id: TrunkId) -> Option<&Trunk> {
        self.trunks.iter().find(|t| t.id == id)
    }

    pub fn ring_group(&self, number: &str) -> Option<&RingGroup> {
        self.ring_groups.iter().find(|g| g.number == number)
    }

    /// Follows Hours (at unix_secs) until a terminal destination; None on a cycle or a
    /// schedule that does not exist. A schedule whose hours cannot be read (a plan that
    /// skipped validation) counts as open: ringing someone beats losing the call.
    pub fn resolve(&self, dest: &Destination, unix_secs: i64) -> Option<Terminal> {
        let mut seen = HashSet::new();
        let mut dest = dest;
        while let Destination::Hours(id) = dest {
            if !seen.insert(*id) {
                return None;
            }
            let schedule = self.schedules.iter().find(|s| s.id == *id)?;
            let open = schedule.is_open(unix_secs).unwrap_or_else(|e| {
                tracing::warn!(schedule = *id, error = %e, "business hours unreadable, taken as open");
                true
            });
            dest = if open {
                &schedule.open
            } else {
                &schedule.closed
            };
        }
        Some(match dest {
            Destination::Extension(n) => Terminal::Extension(n.clone()),
            Destination::RingGroup(n) => Terminal::RingGroup(n.clone()),
            Destination::Conference(n) => Terminal::Conference(n.clone()),
            Destination::Voicemail(n) => Terminal::Voicemail(n.clone()),
            Destination::Hangup => Terminal::Hangup,
            // The loop above leaves only terminal destinations.
            Destination::Hours(_) => return None,
        })
    }

    /// Ring steps of a group: All → one step with every member flattened (nested groups
    /// expanded, de-duplicated), ring = longest member time; InOrder → one step per member
    /// (a nested group's members ring together in its step). Members that are not groups are
    /// taken as extensions; steps that would ring nobody are left out; an unknown group has
    /// no steps.
    pub fn ring_steps(&self, group: &str) -> Vec<RingStep> {
        let Some(g) = self.ring_group(group) else {
            return Vec::new();
        };
        let seconds = |s: u32| Duration::from_secs(u64::from(s));
        match g.strategy {
            RingStrategy::All => {
                let mut extensions = Vec::new();
                self.flatten(group, &mut vec![group.to_string()], &mut extensions);
                let longest = g.members.iter().map(|m| m.ring_seconds).max();
                match (extensions.is_empty(), longest) {
                    (false, Some(s)) => vec![RingStep {
                        extensions,
                        ring: seconds(s),
                    }],
                    _ => Vec::new(),
                }
            }
            RingStrategy::InOrder => g
                .members
                .iter()
                .filter_map(|m| {
                    let mut extensions = Vec::new();
                    self.expand_member(&m.number, &mut vec![group.to_string()], &mut extensions);
                    (!extensions.is_empty()).then(|| RingStep {
                        extensions,
                        ring: seconds(m.ring_seconds),
                    })
                })
                .collect(),
        }
    }

    /// Appends every extension of `group` (nested groups expanded) not already in `out`.
    /// `path` holds the groups being expanded, so a group containing itself stops there.
    fn flatten(&self, group: &str, path: &mut Vec<String>, out: &mut Vec<String>) {
        if let Some(g) = self.ring_group(group) {
            for m in &g.members {
                self.expand_member(&m.number, path, out);
            }
        }
    }

    fn expand_member(&self, number: &str, path: &mut Vec<String>, out: &mut Vec<String>) {
        if self.ring_group(number).is_some() {
            if path.iter().any(|p| p == number) {
                return;
            }
            path.push(number.to_string());
            self.flatten(number, path, out);
            path.pop();
        } else if !out.iter().any(|e| e == number) {
            out.push(number.to_string());
        }
    }

    /// Whether `extension` may call `dialled` through a trunk: it has the permission, or
    /// `dialled` is an emergency number (always allowed, whoever dials it).
    pub fn may_call_out(&self, extension: &str, dialled: &str) -> bool {
        self.outbound_allowed.iter().any(|e| e == extension) || self.is_emergency(dialled)
    }

    /// Routes for a dialled number: (trunk, number to send) in order, across matching routes.
    /// The dialled string is matched as dialled (`0044…` and `+44…` are different patterns);
    /// each matching route strips then prepends; disabled and unknown trunks are skipped, and
    /// a pair already listed is not tried twice. Only [`is_dialable`] strings go in or come
    /// out, whatever the plan says: the result becomes a Request-URI.
    ///
    /// An emergency number must never fail for want of a route: after the routes' targets,
    /// every other enabled trunk is tried with the number as dialled.
    pub fn outbound_targets(&self, dialled: &str) -> Vec<(TrunkId, String)> {
        let mut targets: Vec<(TrunkId, String)> = Vec::new();
        if !is_dialable(dialled) {
            return targets;
        }
        for route in &self.outbound_routes {
            let matched = route
                .patterns
                .iter()
                .filter_map(|p| Pattern::parse(p).ok())
                .any(|p| p.matches(dialled));
            if !matched {
                continue;
            }
            let strip = usize::try_from(route.strip).unwrap_or(usize::MAX);
            let rest: String = dialled.chars().skip(strip).collect();
            let number = format!("{}{}", route.prepend.trim(), rest);
            if !is_dialable(&number) {
                continue;
            }
            for &id in &route.trunks {
                let usable = self.trunk(id).is_some_and(|t| t.enabled);
                if usable && !targets.iter().any(|(t, n)| *t == id && *n == number) {
                    targets.push((id, number.clone()));
                }
            }
        }
        if self.is_emergency(dialled) {
            for trunk in self.trunks.iter().filter(|t| t.enabled) {
                if !targets.iter().any(|(t, _)| *t == trunk.id) {
                    targets.push((trunk.id, dialled.to_string()));
                }
            }
        }
        targets
    }

    pub(crate) fn is_emergency(&self, dialled: &str) -> bool {
        let dialled = normalize_number(dialled);
        !dialled.is_empty()
            && self
                .emergency_numbers
                .iter()
                .any(|e| normalize_number(e) == dialled)
    }
}
