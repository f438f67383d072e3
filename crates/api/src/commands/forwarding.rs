//! Do-not-disturb and call forwarding per extension (the Extensions page), and the list
//! of feature codes a phone can dial (the Feature codes page).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::events::Event;
use crate::ApiError;

/// One extension's do-not-disturb and forwarding. Targets are an extension, a ring group
/// or an outside number (digits, optionally starting with `+`), which leaves through the
/// outbound routes when the extension may call out.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CallForwarding {
    pub number: String,
    /// Calls are refused as busy (or go to voicemail when the mailbox is on).
    pub dnd: bool,
    /// Every call goes here instead.
    pub forward_always: Option<String>,
    /// Calls while the extension is on a call go here.
    pub forward_busy: Option<String>,
    /// Calls not answered within `no_answer_seconds` go here.
    pub forward_no_answer: Option<String>,
    /// 5 to 120.
    pub no_answer_seconds: u32,
}

impl From<store::CallForwarding> for CallForwarding {
    fn from(f: store::CallForwarding) -> Self {
        CallForwarding {
            number: f.number,
            dnd: f.dnd,
            forward_always: f.always,
            forward_busy: f.busy,
            forward_no_answer: f.no_answer,
            no_answer_seconds: f.no_answer_seconds,
        }
    }
}

/// A blank field means "off".
fn target(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Every extension's settings, ordered by number (all off for one never changed).
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListCallForwardingRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListCallForwardingResponse {
    pub extensions: Vec<CallForwarding>,
}

impl Command for ListCallForwardingRequest {
    const NAME: &'static str = "list_call_forwarding";
    type Response = ListCallForwardingResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListCallForwardingResponse, ApiError> {
        let extensions = ctx
            .store(|s| {
                let mut all = Vec::new();
                for extension in s.extensions()? {
                    all.push(s.call_forwarding(&extension.number)?.into());
                }
                Ok(all)
            })
            .await?;
        Ok(ListCallForwardingResponse { extensions })
    }
}

/// Saves one extension's settings whole; in force for the next call.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveCallForwardingRequest {
    pub forwarding: CallForwarding,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SaveCallForwardingResponse {
    pub forwarding: CallForwarding,
}

impl Command for SaveCallForwardingRequest {
    const NAME: &'static str = "save_call_forwarding";
    type Response = SaveCallForwardingResponse;

    async fn run(self, ctx: &Ctx) -> Result<SaveCallForwardingResponse, ApiError> {
        let f = self.forwarding;
        let row = store::CallForwarding {
            number: f.number.trim().to_owned(),
            dnd: f.dnd,
            always: target(f.forward_always),
            busy: target(f.forward_busy),
            no_answer: target(f.forward_no_answer),
            no_answer_seconds: f.no_answer_seconds,
        };
        let number = row.number.clone();
        let saved = ctx
            .store(move |s| {
                s.set_call_forwarding(&row)?;
                Ok(s.call_forwarding(&row.number)?)
            })
            .await?;
        if let Err(e) = ctx.engine.reload_extensions().await {
            tracing::warn!(error = %e, "forwarding saved; the PBX will read it when it runs");
        }
        ctx.publish(Event::ExtensionsChanged { number });
        Ok(SaveCallForwardingResponse {
            forwarding: saved.into(),
        })
    }
}

/// When a feature code is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FeatureCodeUsage {
    /// Dialled as a call of its own.
    Dial,
    /// Pressed during a call.
    InCall,
}

/// What follows a feature code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FeatureCodeArgument {
    None,
    /// A number must follow (`*72` + `201`).
    Number,
    /// An extension may follow (`*8` alone, or `*8` + `201`).
    OptionalExtension,
}

/// One feature code, as the PBX knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FeatureCode {
    pub code: String,
    pub argument: FeatureCodeArgument,
    pub usage: FeatureCodeUsage,
    pub description: String,
    /// False: the code is reserved but the PBX does not act on it yet.
    pub available: bool,
}

impl From<&pbx::feature_codes::FeatureCode> for FeatureCode {
    fn from(c: &pbx::feature_codes::FeatureCode) -> Self {
        use pbx::feature_codes::{Argument, Usage};
        FeatureCode {
            code: c.code.to_owned(),
            argument: match c.argument {
                Argument::None => FeatureCodeArgument::None,
                Argument::Number => FeatureCodeArgument::Number,
                Argument::OptionalExtension => FeatureCodeArgument::OptionalExtension,
            },
            usage: match c.usage {
                Usage::Dial => FeatureCodeUsage::Dial,
                Usage::InCall => FeatureCodeUsage::InCall,
            },
            description: c.description.to_owned(),
            available: c.available,
        }
    }
}

/// Every feature code, in the PBX's own order.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListFeatureCodesRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListFeatureCodesResponse {
    pub codes: Vec<FeatureCode>,
}

impl Command for ListFeatureCodesRequest {
    const NAME: &'static str = "list_feature_codes";
    type Response = ListFeatureCodesResponse;

    async fn run(self, _ctx: &Ctx) -> Result<ListFeatureCodesResponse, ApiError> {
        Ok(ListFeatureCodesResponse {
            codes: pbx::feature_codes::FEATURE_CODES
                .iter()
                .map(FeatureCode::from)
                .collect(),
        })
    }
}
