//! Trunks: list them with their live state, save one, remove one.
//!
//! A change is checked as part of the whole dial plan (`DialPlan::validate`) and saved only
//! when the plan stays valid; the PBX notices the saved change by itself (it watches the
//! database) and registers, re-registers or unregisters the trunk.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::plan::Trunk;
use crate::plan_check::{check, extension_numbers, item, Elsewhere};
use crate::types::TrunkState;
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListTrunksRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListTrunksResponse {
    /// In the order they were created.
    pub trunks: Vec<TrunkWithState>,
}

/// A trunk's saved configuration and what it is doing now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TrunkWithState {
    pub trunk: Trunk,
    /// `null` while the PBX is not running, or for a moment after the trunk was saved.
    pub state: Option<TrunkState>,
}

impl Command for ListTrunksRequest {
    const NAME: &'static str = "list_trunks";
    type Response = ListTrunksResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListTrunksResponse, ApiError> {
        let saved = ctx.store(|s| Ok(s.trunks()?)).await?;
        let mut states = trunk_states(ctx).await;
        let trunks = saved
            .into_iter()
            .map(|t| {
                let state = states
                    .iter()
                    .position(|s| s.id == t.id)
                    .map(|i| states.swap_remove(i));
                TrunkWithState {
                    trunk: t.into(),
                    state,
                }
            })
            .collect();
        Ok(ListTrunksResponse { trunks })
    }
}

/// Every trunk's live state; none while the PBX is stopped (a state to show, not an error).
pub(crate) async fn trunk_states(ctx: &Ctx) -> Vec<TrunkState> {
    ctx.engine
        .trunk_states()
        .await
        .map(|states| states.into_iter().map(TrunkState::from).collect())
        .unwrap_or_default()
}

/// `save_trunk`'s request is the trunk itself: `id` 0 adds a new one, any other id replaces
/// that trunk. A registration trunk's password may be left out to keep the saved one.
impl Command for Trunk {
    const NAME: &'static str = "save_trunk";
    type Response = SaveTrunkResponse;

    async fn run(self, ctx: &Ctx) -> Result<SaveTrunkResponse, ApiError> {
        let trunk = ctx
            .store(move |s| {
                let before = s.load_dial_plan()?;
                let saved = if self.id == 0 {
                    None
                } else {
                    Some(s.trunk(self.id)?.ok_or_else(|| no_trunk(self.id))?)
                };
                let mut trunk = self.into_model(saved.as_ref());
                if let pbx::dialplan::TrunkAuth::Registration { contact_user, .. } = &mut trunk.auth
                {
                    if contact_user.is_empty() {
                        *contact_user = store::generate_contact_user();
                    }
                }
                let mut after = before.clone();
                let index = match after.trunks.iter().position(|t| t.id == trunk.id) {
                    Some(i) if trunk.id != 0 => {
                        after.trunks[i] = trunk.clone();
                        i
                    }
                    _ => {
                        after.trunks.push(trunk.clone());
                        after.trunks.len() - 1
                    }
                };
                let exts = extension_numbers(s)?;
                check(&before, &after, &exts, &item("trunks", index), &ELSEWHERE)?;
                let id = s.save_trunk(&trunk)?;
                s.trunk(id)?.ok_or_else(|| no_trunk(id))
            })
            .await?;
        ctx.dial_plan_changed("trunks".to_owned()).await;
        Ok(SaveTrunkResponse {
            trunk: trunk.into(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SaveTrunkResponse {
    /// As saved, with its id (and a generated contact user when it had none).
    pub trunk: Trunk,
}

/// Removes a trunk; refused while a business name, a route or a destination still uses it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveTrunkRequest {
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoveTrunkResponse {}

impl Command for RemoveTrunkRequest {
    const NAME: &'static str = "remove_trunk";
    type Response = RemoveTrunkResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoveTrunkResponse, ApiError> {
        let id = self.id;
        ctx.store(move |s| {
            let before = s.load_dial_plan()?;
            if before.trunk(id).is_none() {
                return Err(no_trunk(id));
            }
            let mut after = before.clone();
            after.trunks.retain(|t| t.id != id);
            let exts = extension_numbers(s)?;
            check(
                &before,
                &after,
                &exts,
                &|_: &str| None,
                &Elsewhere::on("id"),
            )?;
            s.remove_trunk(id)
                .map_err(|e| ApiError::from_store(e, "id"))
        })
        .await?;
        ctx.dial_plan_changed("trunks".to_owned()).await;
        Ok(RemoveTrunkResponse {})
    }
}

/// Another trunk with the same contact user is this one's problem too.
const ELSEWHERE: Elsewhere = Elsewhere {
    default: "name",
    fields: &["auth.contact_user"],
};

fn no_trunk(id: i64) -> ApiError {
    ApiError::NotFound {
        message: format!("there is no trunk {id}"),
        field: "id",
    }
}
