//! `get_allow_list`, `set_allow_list`: addresses and networks the PBX never rate limits nor
//! blocks (the office's own network, a provider's servers), kept in the database and applied
//! to the running PBX at once. This computer's own addresses are always allowed and listed
//! apart, since the owner cannot take them off.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{now_unix, Command, Ctx};
use crate::ApiError;

const NOT_AN_ADDRESS: &str = "not an address or network";

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetAllowListRequest {}

/// Who is never blocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AllowList {
    /// The owner's entries: addresses (`203.0.113.5`, `2001:db8::1`) and networks
    /// (`192.168.1.0/24`), written the way the PBX reads them.
    pub entries: Vec<String>,
    /// This computer's own addresses (loopback and the addresses SIP listens on), always
    /// allowed.
    pub this_computer: Vec<String>,
}

impl Command for GetAllowListRequest {
    const NAME: &'static str = "get_allow_list";
    type Response = AllowList;

    async fn run(self, ctx: &Ctx) -> Result<AllowList, ApiError> {
        let entries = ctx.store(|s| Ok(s.guard_allow_list()?)).await?;
        Ok(answer(ctx, entries))
    }
}

/// Replaces the owner's list. A bad entry is refused on `entries.<index>` and nothing is
/// saved; an address that is blocked now and covered by the new list is let in at once.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetAllowListRequest {
    pub entries: Vec<String>,
}

impl Command for SetAllowListRequest {
    const NAME: &'static str = "set_allow_list";
    type Response = AllowList;

    async fn run(self, ctx: &Ctx) -> Result<AllowList, ApiError> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            if entry.trim().is_empty() {
                continue;
            }
            match pbx::guard::parse_allow_entry(entry) {
                Some(rule) => rules.push(rule),
                None => errors.push((format!("entries.{i}"), NOT_AN_ADDRESS.to_owned())),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        if rules.len() > store::ALLOW_LIST_MAX {
            return Err(ApiError::field(
                "entries",
                format!("at most {} entries", store::ALLOW_LIST_MAX),
            ));
        }
        let mut entries: Vec<String> = Vec::new();
        for rule in &rules {
            let text = rule.to_string();
            if !entries.contains(&text) {
                entries.push(text);
            }
        }
        let saved = entries.clone();
        ctx.store(move |s| Ok(s.save_guard_allow_list(&saved, now_unix())?))
            .await?;
        if ctx.engine.set_allow_list(rules).await.is_err() {
            tracing::warn!("the PBX is not running; the allow-list applies at its start");
        }
        tracing::info!(entries = entries.len(), "allow-list saved");
        Ok(answer(ctx, entries))
    }
}

fn answer(ctx: &Ctx, entries: Vec<String>) -> AllowList {
    AllowList {
        entries,
        this_computer: engine::own_addresses(ctx.engine.sip_addrs())
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}
