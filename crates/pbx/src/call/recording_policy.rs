//! Always-on recording: extensions, ring groups and business names whose calls are all
//! recorded from the moment they are answered, without anyone pressing anything.
//!
//! The PBX decides at answer time, from what it knows of the call: the business name it
//! came in on, the ring group it was dialled to (directly or through the business name's
//! destination), the extension that answered and the extension that called. The first
//! match names the trigger, which the runtime keeps with the recording so the list can say
//! why a call was recorded.

use std::collections::HashSet;
use std::time::Instant;

use super::{Call, CallId};
use crate::core::Pbx;
use crate::dialplan::Terminal;

/// Which extensions, ring groups and business names have every answered call recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlwaysRecord {
    /// Extension numbers: calls they answer or make.
    pub extensions: HashSet<String>,
    /// Ring group numbers: calls dialled to the group (or reaching it from a business name).
    pub ring_groups: HashSet<String>,
    /// Business names (`sales.acme`): calls from the provider on that name.
    pub business_names: HashSet<String>,
}

/// Why a call is being recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordingTrigger {
    /// Someone asked (the pages' Record button, or a feature code).
    OnDemand,
    Extension(String),
    RingGroup(String),
    BusinessName(String),
}

/// What the runtime keeps with a recording, for the recordings list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingInfo {
    /// The caller's Call-ID (the call record's).
    pub call_id: String,
    /// The caller's number: the left channel.
    pub caller: String,
    /// Who answered (else the number dialled): the right channel.
    pub callee: String,
    /// When the recording started, Unix seconds.
    pub started_at: u64,
    pub trigger: RecordingTrigger,
}

impl Pbx {
    /// Replaces the always-on recording flags (after the owner changed one).
    pub fn set_always_record(&mut self, always: AlwaysRecord) {
        self.always_record = always;
    }

    /// Starts recording a call just answered when something it touches has always-on
    /// recording.
    pub(crate) fn record_if_always(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let Some(trigger) = self.always_trigger(call) else {
            return;
        };
        let call_id = call.a.call_id.clone();
        tracing::debug!(?trigger, "call recorded by always-on recording");
        self.begin_recording(now, id, &call_id, trigger);
    }

    /// The first always-on flag the call matches: business name, then ring group, then
    /// the answering extension, then the calling one.
    fn always_trigger(&self, call: &Call) -> Option<RecordingTrigger> {
        let always = &self.always_record;
        if let Some(name) = &call.record.business_name {
            if always.business_names.contains(name) {
                return Some(RecordingTrigger::BusinessName(name.clone()));
            }
        }
        if let Some(group) = self
            .ring_groups_of(call)
            .into_iter()
            .find(|g| always.ring_groups.contains(g))
        {
            return Some(RecordingTrigger::RingGroup(group));
        }
        [&call.record.answered_by, &call.caller_extension]
            .into_iter()
            .flatten()
            .find(|e| always.extensions.contains(*e))
            .map(|e| RecordingTrigger::Extension(e.clone()))
    }

    /// The ring groups a call was sent to: the number dialled when it is a group's, and
    /// the group a business name leads to (through business hours, as now).
    fn ring_groups_of(&self, call: &Call) -> Vec<String> {
        let mut groups = Vec::new();
        if self.plan.ring_group(&call.record.callee).is_some() {
            groups.push(call.record.callee.clone());
        }
        let unix = i64::try_from(self.unix_now).unwrap_or(i64::MAX);
        let by_name = call
            .record
            .business_name
            .as_ref()
            .and_then(|name| self.plan.names.iter().find(|n| &n.name == name))
            .and_then(|n| self.plan.resolve(&n.destination, unix));
        if let Some(Terminal::RingGroup(group)) = by_name {
            groups.push(group);
        }
        groups
    }
}
