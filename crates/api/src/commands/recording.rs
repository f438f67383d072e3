//! Recording a live call on demand: `start_recording` and `stop_recording`.
//!
//! The PBX writes a stereo WAV (left the caller, right the callee) under the data folder's
//! `recordings/`; the file appears there, complete, once the recording stops (or the call
//! ends). Only an answered call can be recorded: a ringing one has no media yet, and is
//! refused on `call_id` (422); a call that does not exist is 404 on `call_id`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::ApiError;

/// Longest Call-ID accepted; real ones are far shorter.
const CALL_ID_MAX: usize = 256;

/// Starts recording an answered live call. Asking again while it records changes nothing
/// and answers the same path.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StartRecordingRequest {
    pub call_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StartRecordingResponse {
    /// Where the WAV will be once the recording stops (absolute).
    pub path: String,
}

impl Command for StartRecordingRequest {
    const NAME: &'static str = "start_recording";
    type Response = StartRecordingResponse;

    async fn run(self, ctx: &Ctx) -> Result<StartRecordingResponse, ApiError> {
        let call_id = checked_call_id(&self.call_id)?;
        match ctx.engine.start_recording(call_id).await? {
            Some(path) => Ok(StartRecordingResponse {
                path: path.display().to_string(),
            }),
            None => Err(not_answered(ctx, call_id).await?),
        }
    }
}

/// Stops a call's recording; answers once the file is complete and in place.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StopRecordingRequest {
    pub call_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StopRecordingResponse {
    /// The finished WAV (absolute).
    pub path: String,
}

impl Command for StopRecordingRequest {
    const NAME: &'static str = "stop_recording";
    type Response = StopRecordingResponse;

    async fn run(self, ctx: &Ctx) -> Result<StopRecordingResponse, ApiError> {
        let call_id = checked_call_id(&self.call_id)?;
        match ctx.engine.stop_recording(call_id).await? {
            Some(path) => Ok(StopRecordingResponse {
                path: path.display().to_string(),
            }),
            None => Err(not_recording(ctx, call_id).await?),
        }
    }
}

/// Why a call cannot be recorded: it is still ringing (no media yet), or there is no such
/// call (any more).
async fn not_answered(ctx: &Ctx, call_id: &str) -> Result<ApiError, ApiError> {
    Ok(match live_state(ctx, call_id).await? {
        Some(engine::LiveState::Ringing) => ApiError::field(
            "call_id",
            "this call is still ringing; it can be recorded once answered",
        ),
        // Answered, but the PBX has no media path for it (no audio was negotiated), or
        // the recording was refused (too little free disk space: an alert says so).
        Some(engine::LiveState::Answered) => ApiError::field(
            "call_id",
            "this call cannot be recorded: it has no audio, or the disk is too full (see the alert)",
        ),
        None => no_such_call(),
    })
}

/// Why a recording cannot be stopped: the call is not being recorded, or there is no such
/// call (any more; its recording was finished when it ended).
async fn not_recording(ctx: &Ctx, call_id: &str) -> Result<ApiError, ApiError> {
    Ok(match live_state(ctx, call_id).await? {
        // The engine does not tell "not recording" from "the file could not be written"
        // (its log says which); either way there is no recording to show.
        Some(_) => ApiError::field(
            "call_id",
            "this call is not being recorded, or its recording could not be saved",
        ),
        None => no_such_call(),
    })
}

async fn live_state(ctx: &Ctx, call_id: &str) -> Result<Option<engine::LiveState>, ApiError> {
    Ok(ctx
        .engine
        .live_calls()
        .await?
        .into_iter()
        .find(|c| c.call_id == call_id)
        .map(|c| c.state))
}

fn no_such_call() -> ApiError {
    ApiError::NotFound {
        message: "there is no call with this ID now; it may just have ended".to_owned(),
        field: "call_id",
    }
}

/// The trimmed Call-ID, or a field error when it is empty or absurdly long.
fn checked_call_id(call_id: &str) -> Result<&str, ApiError> {
    let call_id = call_id.trim();
    if call_id.is_empty() || call_id.len() > CALL_ID_MAX {
        return Err(ApiError::field(
            "call_id",
            format!("must be 1 to {CALL_ID_MAX} characters"),
        ));
    }
    Ok(call_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_huge_call_id_is_refused_on_its_field() {
        for bad in ["", "   ", &"x".repeat(CALL_ID_MAX + 1)] {
            match checked_call_id(bad) {
                Err(ApiError::Invalid { fields, .. }) => assert!(fields.contains_key("call_id")),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        assert_eq!(checked_call_id(" abc@host ").ok(), Some("abc@host"));
    }
}
