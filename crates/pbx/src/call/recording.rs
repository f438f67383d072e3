//! Recording a call on demand: the PBX names the file and asks the runtime to tap the
//! call's relay; the runtime decodes both directions and writes the stereo WAV.
//!
//! Names are chosen here so they are the same in tests and in the runtime: the answer
//! time's Unix seconds, then the caller's Call-ID made safe for any file system, then a
//! counter for a call recorded more than once. Paths are relative to the data folder.

use std::path::PathBuf;
use std::time::Instant;

use super::anchor::sdp_of;
use super::recording_policy::{RecordingInfo, RecordingTrigger};
use super::{CallId, Phase};
use crate::action::Action;
use crate::core::Pbx;

/// The folder (inside the data folder) recordings are written to.
pub const RECORDINGS_DIR: &str = "recordings";

/// Longest Call-ID part of a file name; Call-IDs are unbounded on the wire.
const MAX_NAME_PART: usize = 64;

/// A call's recording, if one is running, and how many it had.
#[derive(Debug, Default)]
pub(crate) struct RecordingState {
    current: Option<PathBuf>,
    made: u32,
}

/// `call_id` with everything but ASCII letters, digits, `-` and `_` replaced, so no
/// Call-ID (they come from the network) can climb out of the folder or hide the file.
fn safe_part(call_id: &str) -> String {
    call_id
        .chars()
        .take(MAX_NAME_PART)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Pbx {
    fn answered_call(&self, call_id: &str) -> Option<CallId> {
        self.calls
            .values()
            .find(|c| c.a.call_id == call_id && c.phase == Phase::Answered && c.relay.is_some())
            .map(|c| c.id)
    }

    /// Starts recording the answered call with this (caller's) Call-ID. Returns the
    /// recording's path relative to the data folder — the running one if the call is
    /// recorded already — or `None` when no answered call has that Call-ID.
    pub fn start_recording(&mut self, now: Instant, call_id: &str) -> Option<PathBuf> {
        let id = self.answered_call(call_id)?;
        self.begin_recording(now, id, call_id, RecordingTrigger::OnDemand)
    }

    /// Asks the runtime to record call `id` (whose caller's Call-ID is `call_id`), unless
    /// it is recorded already; returns the recording's path relative to the data folder.
    pub(crate) fn begin_recording(
        &mut self,
        _now: Instant,
        id: CallId,
        call_id: &str,
        trigger: RecordingTrigger,
    ) -> Option<PathBuf> {
        let unix = self.unix_now;
        let call = self.calls.get_mut(&id)?;
        if let Some(path) = &call.recording.current {
            return Some(path.clone());
        }
        let relay = call.relay?;
        call.recording.made += 1;
        let counter = match call.recording.made {
            1 => String::new(),
            n => format!("-{n}"),
        };
        let started = call.record.answered_at.unwrap_or(unix);
        let name = format!("{started}-{}{counter}.wav", safe_part(call_id));
        let path = PathBuf::from(RECORDINGS_DIR).join(name);
        call.recording.current = Some(path.clone());
        let formats = call
            .b_offer
            .as_ref()
            .and_then(|(content_type, body)| sdp_of(Some(content_type), body).ok().flatten())
            .and_then(|sdp| {
                let index = sdp.audio()?.index;
                Some(sdp.media.get(index)?.payload_formats())
            })
            .unwrap_or_default();
        let info = RecordingInfo {
            call_id: call_id.to_owned(),
            caller: call.record.caller_number.clone(),
            callee: call
                .record
                .answered_by
                .clone()
                .unwrap_or_else(|| call.record.callee.clone()),
            started_at: unix,
            trigger,
        };
        self.actions.push_back(Action::RecordStart {
            id: relay.id,
            path: path.clone(),
            formats,
            info: Box::new(info),
        });
        Some(path)
    }

    /// Stops the recording of the call with this Call-ID; returns its path, or `None`
    /// when the call is not being recorded. A call that ends stops its recording too.
    pub fn stop_recording(&mut self, _now: Instant, call_id: &str) -> Option<PathBuf> {
        let id = self.answered_call(call_id)?;
        let call = self.calls.get_mut(&id)?;
        let path = call.recording.current.take()?;
        let relay = call.relay?;
        self.actions.push_back(Action::RecordStop { id: relay.id });
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::safe_part;

    #[test]
    fn a_hostile_call_id_stays_one_plain_name() {
        let part = safe_part("../../etc/passwd\\x/.hidden\0€");
        assert!(part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(safe_part("a1b2-c3_d4@host"), "a1b2-c3_d4_host");
        assert_eq!(safe_part(&"x".repeat(500)).len(), 64);
    }
}
