//! The softphone's call features beyond one call: blind and attended transfer, do not
//! disturb, the call history with its missed-call count, and the contacts the phone
//! screen offers to click-dial (this PBX's extensions and the people in the history).

use std::net::{IpAddr, UdpSocket};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::commands::phone::{call_not_found, state, PhoneCall, PhoneState};
use crate::phone_host::resolve;
use crate::ApiError;

/// How many calls the history shows.
const HISTORY_SHOWN: u32 = 100;

/// A number to transfer to: not empty, no spaces.
fn check_target(to: &str) -> Result<String, ApiError> {
    let to = to.trim();
    if to.is_empty() || to.chars().any(char::is_whitespace) {
        return Err(ApiError::field("to", "enter a number to transfer to"));
    }
    Ok(to.to_owned())
}

fn phone_error(id: u64, err: phone::runtime::RuntimeError, field: &'static str) -> ApiError {
    match err {
        phone::runtime::RuntimeError::Phone(phone::Error::UnknownCall) => call_not_found(id),
        phone::runtime::RuntimeError::Phone(phone::Error::BadTarget) => {
            ApiError::field("to", "not a number or SIP address")
        }
        phone::runtime::RuntimeError::Phone(phone::Error::WrongState) => ApiError::field(
            field,
            "the call must be answered (and not already transferring)",
        ),
        other => ApiError::field(field, other.to_string()),
    }
}

/// The running phone and the runtime handle of call `id`.
fn call_of(ctx: &Ctx, id: u64) -> Result<(phone::runtime::Phone, phone::ua::CallHandle), ApiError> {
    match (ctx.phone.phone(), ctx.phone.handle(id)) {
        (Some(phone), Some(call)) => Ok((phone, call)),
        _ => Err(call_not_found(id)),
    }
}

/// Blind transfer: the far end of `call` is sent to `to`; the call ends once `to`
/// answers, and stays if it does not (its `transfer` says why).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneTransferRequest {
    pub call: u64,
    pub to: String,
}

impl Command for PhoneTransferRequest {
    const NAME: &'static str = "phone_transfer";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        let to = check_target(&self.to)?;
        let (phone, call) = call_of(ctx, self.call)?;
        phone
            .transfer(call, &to)
            .await
            .map_err(|e| phone_error(self.call, e, "call"))?;
        state(ctx).await
    }
}

/// Attended transfer, first step: `call` goes on hold and `to` is called to ask first.
/// The new call names `call` in its `consult_for`.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneConsultRequest {
    pub call: u64,
    pub to: String,
}

impl Command for PhoneConsultRequest {
    const NAME: &'static str = "phone_consult";
    type Response = PhoneCall;

    async fn run(self, ctx: &Ctx) -> Result<PhoneCall, ApiError> {
        let to = check_target(&self.to)?;
        let (phone, call) = call_of(ctx, self.call)?;
        let consult = phone
            .consult(call, &to)
            .await
            .map_err(|e| phone_error(self.call, e, "call"))?;
        Ok(ctx.phone.consulted(consult, &to, self.call))
    }
}

/// Attended transfer, second step: joins the far ends of `call` and `consult`; both
/// calls then leave this phone.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneCompleteTransferRequest {
    pub call: u64,
    pub consult: u64,
}

impl Command for PhoneCompleteTransferRequest {
    const NAME: &'static str = "phone_complete_transfer";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        let (phone, call) = call_of(ctx, self.call)?;
        let Some(consult) = ctx.phone.handle(self.consult) else {
            return Err(ApiError::NotFound {
                message: format!("there is no call {}", self.consult),
                field: "consult",
            });
        };
        phone
            .complete_transfer(call, consult)
            .await
            .map_err(|e| phone_error(self.call, e, "consult"))?;
        state(ctx).await
    }
}

/// Do not disturb: while on, calls to this phone get busy and are listed as missed.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneSetDndRequest {
    pub on: bool,
}

impl Command for PhoneSetDndRequest {
    const NAME: &'static str = "phone_set_dnd";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        ctx.phone.set_dnd(self.on).await;
        state(ctx).await
    }
}

/// The person has looked at the missed calls: `missed` goes back to 0.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneMarkMissedSeenRequest {}

impl Command for PhoneMarkMissedSeenRequest {
    const NAME: &'static str = "phone_mark_missed_seen";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        ctx.store(|s| Ok(s.mark_missed_calls_seen()?)).await?;
        ctx.phone.changed();
        state(ctx).await
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    In,
    Out,
    Missed,
}

/// One call of the phone's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneHistoryCall {
    pub id: i64,
    pub kind: HistoryKind,
    pub number: String,
    pub name: Option<String>,
    /// Unix seconds.
    pub started_at: i64,
    /// Seconds talked; 0 when not answered.
    pub duration_s: i64,
    /// A missed call not looked at yet.
    pub unseen: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneHistoryRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneHistory {
    /// Newest first, the latest 100.
    pub calls: Vec<PhoneHistoryCall>,
}

impl Command for PhoneHistoryRequest {
    const NAME: &'static str = "phone_history";
    type Response = PhoneHistory;

    async fn run(self, ctx: &Ctx) -> Result<PhoneHistory, ApiError> {
        let rows = ctx.store(|s| Ok(s.phone_history(HISTORY_SHOWN)?)).await?;
        let calls = rows
            .into_iter()
            .map(|r| PhoneHistoryCall {
                id: r.id,
                kind: match r.kind {
                    store::PhoneCallKind::In => HistoryKind::In,
                    store::PhoneCallKind::Out => HistoryKind::Out,
                    store::PhoneCallKind::Missed => HistoryKind::Missed,
                },
                number: r.number,
                name: r.name,
                started_at: r.started_at,
                duration_s: r.duration_s,
                unseen: r.unseen,
            })
            .collect();
        Ok(PhoneHistory { calls })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ContactSource {
    /// An extension of this PBX (offered when the phone's account is on this PBX).
    Extension,
    /// Someone from the call history.
    History,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneContact {
    pub number: String,
    pub name: Option<String>,
    pub source: ContactSource,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneContactsRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneContacts {
    /// Extensions first (by number, without the phone's own), then the history's other
    /// numbers, most recent first.
    pub contacts: Vec<PhoneContact>,
}

impl Command for PhoneContactsRequest {
    const NAME: &'static str = "phone_contacts";
    type Response = PhoneContacts;

    async fn run(self, ctx: &Ctx) -> Result<PhoneContacts, ApiError> {
        let account = ctx.store(|s| Ok(s.phone_account()?)).await?;
        let on_this_pbx = match &account {
            // Without the PBX (phone-only) nothing listens here, so this is false.
            Some(a) => is_this_pbx(ctx, &a.server).await,
            _ => false,
        };
        let own = account.map(|a| a.user).unwrap_or_default();
        let (extensions, history) = ctx
            .store(move |s| {
                let extensions = if on_this_pbx {
                    s.extensions()?
                } else {
                    Vec::new()
                };
                Ok((extensions, s.phone_history(HISTORY_SHOWN)?))
            })
            .await?;
        let mut contacts: Vec<PhoneContact> = extensions
            .into_iter()
            .filter(|e| e.number != own)
            .map(|e| PhoneContact {
                number: e.number,
                name: Some(e.name).filter(|n| !n.is_empty()),
                source: ContactSource::Extension,
            })
            .collect();
        for call in history {
            if call.number == own || contacts.iter().any(|c| c.number == call.number) {
                continue;
            }
            contacts.push(PhoneContact {
                number: call.number,
                name: call.name,
                source: ContactSource::History,
            });
        }
        Ok(PhoneContacts { contacts })
    }
}

/// Whether `server` (host:port) is the PBX running in this program: the port is one it
/// listens on, and the address is one of this machine's (binding to it succeeds).
async fn is_this_pbx(ctx: &Ctx, server: &str) -> bool {
    let Ok(addr) = resolve(server).await else {
        return false;
    };
    // The addresses bound (a configured port 0 is known only once bound).
    let listens = ctx
        .engine
        .sip_addrs()
        .iter()
        .any(|l| l.port() == addr.port() && (l.ip().is_unspecified() || l.ip() == addr.ip()));
    listens && is_local(addr.ip())
}

fn is_local(ip: IpAddr) -> bool {
    ip.is_loopback() || UdpSocket::bind((ip, 0)).is_ok()
}
