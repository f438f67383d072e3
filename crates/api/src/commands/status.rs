//! `status`: what the status bar shows.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::commands::trunks::trunk_states;
use crate::types::TrunkState;
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {}

/// Is the phone system running, and how busy is it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StatusResponse {
    /// The PBX answers; when `false` the counts are zero.
    pub running: bool,
    pub registered_phones: u32,
    pub live_calls: u32,
    pub extensions: u32,
    /// Where it takes SIP (UDP and TCP on each).
    pub sip_addresses: Vec<String>,
    /// The program's version.
    pub version: String,
    /// Each trunk's status and lines in use ("2 of 3 lines busy"); empty while the PBX is
    /// not running.
    pub trunks: Vec<TrunkState>,
}

impl Command for StatusRequest {
    const NAME: &'static str = "status";
    type Response = StatusResponse;

    async fn run(self, ctx: &Ctx) -> Result<StatusResponse, ApiError> {
        let extensions = ctx.store(|s| Ok(s.extensions()?.len())).await?;
        // A stopped PBX is a state to show, not an error: the bar says "not running".
        let status = ctx.engine.status().await.ok();
        Ok(StatusResponse {
            running: status.is_some(),
            registered_phones: count(status.map_or(0, |s| s.registered_phones)),
            live_calls: count(status.map_or(0, |s| s.live_calls)),
            extensions: count(extensions),
            sip_addresses: ctx
                .engine
                .sip_addrs()
                .iter()
                .map(ToString::to_string)
                .collect(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            trunks: trunk_states(ctx).await,
        })
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
