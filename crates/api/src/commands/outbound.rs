//! Outbound calls: the routes that send dialled numbers out through trunks, and which
//! extensions may use them (emergency numbers are always allowed).

use pbx::dialplan::normalize_number;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::events::Event;
use crate::plan::OutboundRoute;
use crate::plan_check::{check, extension_numbers, list, Elsewhere};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListOutboundRoutesRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListOutboundRoutesResponse {
    /// In priority order: the first route whose pattern matches is used.
    pub routes: Vec<OutboundRoute>,
    /// Always allowed out, whatever an extension's permission.
    pub emergency_numbers: Vec<String>,
    /// The extensions allowed to call out.
    pub outbound_allowed: Vec<String>,
    /// What even an allowed extension may not dial, how many calls at once, and when.
    pub toll_limits: TollLimits,
    /// The saved limits could not be read: every call out but to an emergency number is
    /// refused until limits are saved again (`toll_limits` then shows none).
    pub toll_limits_unreadable: bool,
}

/// Toll-fraud limits on calls out (emergency numbers pass them all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TollLimits {
    /// Dial patterns a number must match to leave (`+44.`, `0[1-9].`); every other number
    /// is refused. Empty: any number a route takes.
    pub allowed_destinations: Vec<String>,
    /// Calls out at once across the office; 0 for no limit.
    pub max_outbound_calls: u32,
    /// Calls out at once from one extension; 0 for no limit.
    pub max_outbound_per_extension: u32,
    /// The id of a business-hours schedule: while it is closed, calls out are refused.
    #[ts(type = "number | null")]
    pub after_hours_schedule: Option<i64>,
}

impl From<pbx::dialplan::TollLimits> for TollLimits {
    fn from(l: pbx::dialplan::TollLimits) -> Self {
        TollLimits {
            allowed_destinations: l.allowed_destinations,
            max_outbound_calls: l.max_outbound_calls,
            max_outbound_per_extension: l.max_outbound_per_extension,
            after_hours_schedule: l.after_hours_schedule,
        }
    }
}

impl From<TollLimits> for pbx::dialplan::TollLimits {
    fn from(l: TollLimits) -> Self {
        pbx::dialplan::TollLimits {
            allowed_destinations: l
                .allowed_destinations
                .iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
            max_outbound_calls: l.max_outbound_calls,
            max_outbound_per_extension: l.max_outbound_per_extension,
            after_hours_schedule: l.after_hours_schedule,
            unreadable: false,
        }
    }
}

impl Command for ListOutboundRoutesRequest {
    const NAME: &'static str = "list_outbound_routes";
    type Response = ListOutboundRoutesResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListOutboundRoutesResponse, ApiError> {
        let plan = ctx.store(|s| Ok(s.load_dial_plan()?)).await?;
        Ok(ListOutboundRoutesResponse {
            routes: plan.outbound_routes.into_iter().map(Into::into).collect(),
            emergency_numbers: plan.emergency_numbers,
            outbound_allowed: plan.outbound_allowed,
            toll_limits_unreadable: plan.toll_limits.unreadable,
            toll_limits: plan.toll_limits.into(),
        })
    }
}

/// Replaces every outbound route with `routes`, in this order, and the emergency numbers
/// and toll limits when given. Problems are named by position: `routes.1.patterns.0`,
/// `emergency_numbers.0`.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveOutboundRoutesRequest {
    pub routes: Vec<OutboundRoute>,
    /// Numbers every extension may always call (`112`, `999`); kept as they are when left
    /// out. At least one.
    #[serde(default)]
    #[ts(optional)]
    pub emergency_numbers: Option<Vec<String>>,
    /// The limits on calls out; kept as they are when left out. Problems are named
    /// `toll_limits.allowed_destinations.0`, `toll_limits.after_hours_schedule`.
    #[serde(default)]
    #[ts(optional)]
    pub toll_limits: Option<TollLimits>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SaveOutboundRoutesResponse {
    /// As saved, with their ids.
    pub routes: Vec<OutboundRoute>,
    pub emergency_numbers: Vec<String>,
    pub toll_limits: TollLimits,
}

impl Command for SaveOutboundRoutesRequest {
    const NAME: &'static str = "save_outbound_routes";
    type Response = SaveOutboundRoutesResponse;

    async fn run(self, ctx: &Ctx) -> Result<SaveOutboundRoutesResponse, ApiError> {
        let routes: Vec<pbx::dialplan::OutboundRoute> =
            self.routes.into_iter().map(Into::into).collect();
        let emergency: Option<Vec<String>> = self
            .emergency_numbers
            .map(|numbers| numbers.iter().map(|n| normalize_number(n)).collect());
        let limits: Option<pbx::dialplan::TollLimits> = self.toll_limits.map(Into::into);
        let saved = ctx
            .store(move |s| {
                let before = s.load_dial_plan()?;
                let mut after = before.clone();
                after.outbound_routes = routes.clone();
                if let Some(numbers) = &emergency {
                    if numbers.is_empty() {
                        return Err(ApiError::field(
                            "emergency_numbers",
                            "needs at least one number, so every phone can call for help",
                        ));
                    }
                    after.emergency_numbers = numbers.clone();
                }
                if let Some(limits) = &limits {
                    after.toll_limits = limits.clone();
                }
                let exts = extension_numbers(s)?;
                let routes_map = list("outbound_routes", "routes");
                let numbers_map = list("emergency_numbers", "emergency_numbers");
                let limits_map = list("toll_limits", "toll_limits");
                let map = |p: &str| {
                    routes_map(p)
                        .or_else(|| numbers_map(p))
                        .or_else(|| limits_map(p))
                };
                check(&before, &after, &exts, &map, &Elsewhere::on("routes"))?;
                // Both were checked together above; the numbers are one row, so saving
                // them first cannot leave the routes half-saved.
                if let Some(numbers) = &emergency {
                    s.set_emergency_numbers(numbers)?;
                }
                if let Some(limits) = &limits {
                    s.set_toll_limits(limits)?;
                }
                s.save_outbound_routes(&routes)?;
                Ok(s.load_dial_plan()?)
            })
            .await?;
        ctx.dial_plan_changed("outbound_routes".to_owned()).await;
        Ok(SaveOutboundRoutesResponse {
            routes: saved.outbound_routes.into_iter().map(Into::into).collect(),
            emergency_numbers: saved.emergency_numbers,
            toll_limits: saved.toll_limits.into(),
        })
    }
}

/// Lets an extension call out through the trunks, or stops it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetOutboundPermissionRequest {
    pub number: String,
    pub allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SetOutboundPermissionResponse {
    pub number: String,
    pub allowed: bool,
}

impl Command for SetOutboundPermissionRequest {
    const NAME: &'static str = "set_outbound_permission";
    type Response = SetOutboundPermissionResponse;

    async fn run(self, ctx: &Ctx) -> Result<SetOutboundPermissionResponse, ApiError> {
        let number = self.number.trim().to_owned();
        let allowed = self.allowed;
        let saved = number.clone();
        ctx.store(move |s| {
            if s.extension(&saved)?.is_none() {
                return Err(store::Error::ExtensionNotFound(saved).into());
            }
            Ok(s.set_outbound_allowed(&saved, allowed)?)
        })
        .await?;
        // The permission is part of the dial plan: in force before the answer.
        ctx.dial_plan_changed("outbound_routes".to_owned()).await;
        ctx.publish(Event::ExtensionsChanged {
            number: number.clone(),
        });
        Ok(SetOutboundPermissionResponse { number, allowed })
    }
}
