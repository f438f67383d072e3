//! The setup wizard's state: whether the owner finished it, and what exists so far (so a
//! re-run can start from what is there).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetSetupStateRequest {}

/// Where the office's setup stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SetupState {
    /// The wizard was finished once; the UI offers it on start until then.
    pub complete: bool,
    pub trunks: u32,
    pub business_names: u32,
    pub extensions: u32,
    pub ring_groups: u32,
    pub schedules: u32,
}

impl Command for GetSetupStateRequest {
    const NAME: &'static str = "get_setup_state";
    type Response = SetupState;

    async fn run(self, ctx: &Ctx) -> Result<SetupState, ApiError> {
        ctx.store(state).await
    }
}

/// Marks the wizard as finished.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CompleteSetupRequest {}

impl Command for CompleteSetupRequest {
    const NAME: &'static str = "complete_setup";
    type Response = SetupState;

    async fn run(self, ctx: &Ctx) -> Result<SetupState, ApiError> {
        ctx.store(|s| {
            s.set_setup_complete(true)?;
            state(s)
        })
        .await
    }
}

fn state(s: &store::Store) -> Result<SetupState, ApiError> {
    let plan = s.load_dial_plan()?;
    Ok(SetupState {
        complete: s.setup_complete()?,
        trunks: count(plan.trunks.len()),
        business_names: count(plan.names.len()),
        extensions: count(s.extensions()?.len()),
        ring_groups: count(plan.ring_groups.len()),
        schedules: count(plan.schedules.len()),
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
