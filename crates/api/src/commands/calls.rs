//! Phones and calls: who is registered, the calls going on now, hanging one up, and the
//! call history.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::types::{Device, Direction, Outcome};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListRegistrationsRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListRegistrationsResponse {
    pub registrations: Vec<Device>,
}

impl Command for ListRegistrationsRequest {
    const NAME: &'static str = "list_registrations";
    type Response = ListRegistrationsResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListRegistrationsResponse, ApiError> {
        let registrations = ctx
            .engine
            .registrations()
            .await?
            .into_iter()
            .map(Device::from)
            .collect();
        Ok(ListRegistrationsResponse { registrations })
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListLiveCallsRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListLiveCallsResponse {
    /// Oldest first.
    pub calls: Vec<LiveCall>,
}

/// A call ringing or in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LiveCall {
    /// Names the call in events, in `hang_up` and in the history.
    pub call_id: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    /// The number dialled.
    pub callee: String,
    pub answered_by: Option<String>,
    pub state: LiveState,
    /// Unix seconds.
    pub started_at: u64,
    pub answered_at: Option<u64>,
    /// The business name dialled (`sales.acme`), for calls from a trunk.
    pub business_name: Option<String>,
    /// The trunk's name, for calls in or out by a trunk.
    pub trunk: Option<String>,
    pub direction: Direction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LiveState {
    Ringing,
    Answered,
}

impl From<engine::LiveCall> for LiveCall {
    fn from(c: engine::LiveCall) -> LiveCall {
        LiveCall {
            call_id: c.call_id,
            caller_number: c.caller_number,
            caller_name: c.caller_name,
            callee: c.callee,
            answered_by: c.answered_by,
            state: match c.state {
                engine::LiveState::Ringing => LiveState::Ringing,
                engine::LiveState::Answered => LiveState::Answered,
            },
            started_at: c.started_at,
            answered_at: c.answered_at,
            business_name: c.business_name,
            trunk: c.trunk,
            direction: c.direction.into(),
        }
    }
}

impl Command for ListLiveCallsRequest {
    const NAME: &'static str = "list_live_calls";
    type Response = ListLiveCallsResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListLiveCallsResponse, ApiError> {
        let calls = ctx
            .engine
            .live_calls()
            .await?
            .into_iter()
            .map(LiveCall::from)
            .collect();
        Ok(ListLiveCallsResponse { calls })
    }
}

/// Ends a live call for everyone in it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HangUpRequest {
    pub call_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HangUpResponse {}

/// Longest Call-ID accepted; real ones are far shorter.
const CALL_ID_MAX: usize = 256;

impl Command for HangUpRequest {
    const NAME: &'static str = "hang_up";
    type Response = HangUpResponse;

    async fn run(self, ctx: &Ctx) -> Result<HangUpResponse, ApiError> {
        let call_id = self.call_id.trim();
        if call_id.is_empty() || call_id.len() > CALL_ID_MAX {
            return Err(ApiError::field(
                "call_id",
                format!("must be 1 to {CALL_ID_MAX} characters"),
            ));
        }
        if ctx.engine.hang_up(call_id).await? {
            Ok(HangUpResponse {})
        } else {
            Err(ApiError::NotFound {
                message: "there is no call with this ID now; it may just have ended".to_owned(),
                field: "call_id",
            })
        }
    }
}

/// Finished calls, newest first.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CallHistoryRequest {
    /// Only calls this number made, was called on, or answered. Empty means all.
    #[ts(optional)]
    pub number: Option<String>,
    #[ts(optional)]
    pub outcome: Option<Outcome>,
    #[ts(optional)]
    pub direction: Option<Direction>,
    /// Only calls in or out by the trunk with this name.
    #[ts(optional)]
    pub trunk: Option<String>,
    /// Only calls to this business name (`sales.acme`).
    #[ts(optional)]
    pub business_name: Option<String>,
    /// `true`: only calls that found every line busy; `false`: only the others.
    #[ts(optional)]
    pub lines_busy: Option<bool>,
    /// 1 to 1000; 100 when absent.
    #[ts(optional)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallHistoryResponse {
    pub calls: Vec<CallRecord>,
}

/// A finished call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CallRecord {
    pub id: i64,
    pub call_id: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    pub callee: String,
    pub answered_by: Option<String>,
    /// Unix seconds.
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: i64,
    /// Talk time in seconds; 0 when unanswered.
    pub duration_s: i64,
    pub outcome: Outcome,
    pub hangup_by: HangupBy,
    /// For the expert: the SIP status that ended it ("486 Busy Here").
    pub reason: Option<String>,
    /// The business name dialled (`sales.acme`), for calls from a trunk.
    pub business_name: Option<String>,
    /// The trunk's name, for calls in or out by a trunk.
    pub trunk: Option<String>,
    pub direction: Direction,
    /// Every line of the trunk was busy when the call came in, so it went to the
    /// overflow destination: a sign the office needs more lines.
    pub lines_busy: bool,
}

impl From<store::Cdr> for CallRecord {
    fn from(c: store::Cdr) -> CallRecord {
        CallRecord {
            id: c.id,
            call_id: c.call_id,
            caller_number: c.caller_number,
            caller_name: c.caller_name,
            callee: c.callee,
            answered_by: c.answered_by,
            started_at: c.started_at,
            answered_at: c.answered_at,
            ended_at: c.ended_at,
            duration_s: c.duration_s,
            outcome: c.outcome.into(),
            hangup_by: match c.hangup_by {
                store::HangupBy::Caller => HangupBy::Caller,
                store::HangupBy::Callee => HangupBy::Callee,
                store::HangupBy::System => HangupBy::System,
            },
            reason: c.reason,
            business_name: c.business_name,
            trunk: c.trunk,
            direction: c.direction.into(),
            lines_busy: c.lines_busy,
        }
    }
}

/// Who ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HangupBy {
    Caller,
    Callee,
    /// The phone system: nobody answered in time, a failure, a shutdown, or `hang_up`.
    System,
}

const HISTORY_LIMIT_MAX: u32 = 1000;
const HISTORY_LIMIT_DEFAULT: u32 = 100;
/// Longest number filter: extensions have at most 10 digits, outside numbers (E.164) 15
/// plus a `+`; a little room for dial prefixes.
const NUMBER_FILTER_MAX: usize = 32;

impl Command for CallHistoryRequest {
    const NAME: &'static str = "call_history";
    type Response = CallHistoryResponse;

    async fn run(self, ctx: &Ctx) -> Result<CallHistoryResponse, ApiError> {
        let mut errors = Vec::new();
        let number = self
            .number
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if let Some(n) = &number {
            let dialable = n.chars().all(|c| c.is_ascii_digit() || "+*#".contains(c));
            if !dialable || n.len() > NUMBER_FILTER_MAX {
                errors.push((
                    "number".to_owned(),
                    format!("must be up to {NUMBER_FILTER_MAX} digits (and + * #)"),
                ));
            }
        }
        let limit = self.limit.unwrap_or(HISTORY_LIMIT_DEFAULT);
        if !(1..=HISTORY_LIMIT_MAX).contains(&limit) {
            errors.push((
                "limit".to_owned(),
                format!("must be 1 to {HISTORY_LIMIT_MAX}"),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        let filter = store::CdrFilter {
            number,
            outcome: self.outcome.map(Into::into),
            direction: self.direction.map(Into::into),
            trunk: self
                .trunk
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            business_name: self
                .business_name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            lines_busy: self.lines_busy,
            limit,
        };
        let calls = ctx.store(move |s| Ok(s.list_cdrs(&filter)?)).await?;
        Ok(CallHistoryResponse {
            calls: calls.into_iter().map(CallRecord::from).collect(),
        })
    }
}
