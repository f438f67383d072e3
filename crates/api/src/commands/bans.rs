//! `list_bans`, `lift_ban`: the addresses the PBX has blocked for guessing passwords or
//! flooding it, and letting one back in (the owner's own address after a phone was set up
//! with a wrong password, say).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListBansRequest {}

/// One blocked address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Ban {
    pub address: String,
    /// `failed_logins` (ten wrong passwords within ten minutes) or `flood` (far more
    /// requests than any phone sends).
    pub reason: String,
    /// How many times it has been blocked; each block lasts twice as long as the last.
    pub strikes: u32,
    /// Seconds until the block ends on its own.
    pub remaining_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListBansResponse {
    pub bans: Vec<Ban>,
}

impl Command for ListBansRequest {
    const NAME: &'static str = "list_bans";
    type Response = ListBansResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListBansResponse, ApiError> {
        let bans = ctx
            .engine
            .bans()
            .await?
            .into_iter()
            .map(|b| Ban {
                address: b.address.to_string(),
                reason: b.reason.to_owned(),
                strikes: b.strikes,
                remaining_secs: b.remaining_secs,
            })
            .collect();
        Ok(ListBansResponse { bans })
    }
}

/// Lets a blocked address in again at once.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct LiftBanRequest {
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LiftBanResponse {}

impl Command for LiftBanRequest {
    const NAME: &'static str = "lift_ban";
    type Response = LiftBanResponse;

    async fn run(self, ctx: &Ctx) -> Result<LiftBanResponse, ApiError> {
        let address: IpAddr = self
            .address
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| ApiError::field("address", "is not an IP address"))?;
        if ctx.engine.lift_ban(address).await? {
            Ok(LiftBanResponse {})
        } else {
            Err(ApiError::NotFound {
                message: "this address is not blocked; its block may just have ended".to_owned(),
                field: "address",
            })
        }
    }
}
