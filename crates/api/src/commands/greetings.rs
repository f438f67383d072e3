//! Voicemail greetings: which mailboxes play their owner's own greeting (recorded by
//! phone with `*97`, option 5, or uploaded through `POST /api/greetings/<number>`, see
//! `greeting_upload.rs`) and going back to the default one.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::events::Event;
use crate::ApiError;

/// Which greeting a mailbox plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GreetingState {
    /// The extension's or ring group's number.
    pub number: String,
    /// Whether callers hear the owner's own greeting (else the default "The person you
    /// are calling is not available").
    pub custom: bool,
    /// Where the own greeting is served (`/api/greetings/201`), when there is one.
    pub audio_path: Option<String>,
}

impl GreetingState {
    pub(crate) fn of(data_dir: &Path, number: String) -> GreetingState {
        let custom = engine::media_endpoint::has_greeting(data_dir, &number);
        GreetingState {
            audio_path: custom.then(|| format!("/api/greetings/{number}")),
            number,
            custom,
        }
    }
}

/// Whether `number` is an extension or ring group (each has a mailbox line).
pub(crate) fn mailbox_exists(s: &store::Store, number: &str) -> Result<bool, ApiError> {
    Ok(s.mailboxes()?.iter().any(|m| m.number == number))
}

/// Every mailbox's greeting, ordered by number.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListGreetingsRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListGreetingsResponse {
    pub greetings: Vec<GreetingState>,
}

impl Command for ListGreetingsRequest {
    const NAME: &'static str = "list_greetings";
    type Response = ListGreetingsResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListGreetingsResponse, ApiError> {
        let mailboxes = ctx.store(|s| Ok(s.mailboxes()?)).await?;
        let data_dir = ctx.data_dir();
        Ok(ListGreetingsResponse {
            greetings: mailboxes
                .into_iter()
                .map(|m| GreetingState::of(data_dir, m.number))
                .collect(),
        })
    }
}

/// Removes the owner's own greeting: callers hear the default one again.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveGreetingRequest {
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoveGreetingResponse {
    pub greeting: GreetingState,
}

impl Command for RemoveGreetingRequest {
    const NAME: &'static str = "remove_greeting";
    type Response = RemoveGreetingResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoveGreetingResponse, ApiError> {
        let number = self.number.trim().to_owned();
        let n = number.clone();
        if !ctx.store(move |s| mailbox_exists(s, &n)).await? {
            return Err(ApiError::NotFound {
                message: format!("there is no extension or ring group {number}"),
                field: "number",
            });
        }
        engine::media_endpoint::remove_greeting(ctx.data_dir(), &number)
            .map_err(|e| ApiError::Internal(format!("the greeting {e}")))?;
        ctx.publish(Event::VoicemailChanged {
            mailbox: number.clone(),
        });
        Ok(RemoveGreetingResponse {
            greeting: GreetingState::of(ctx.data_dir(), number),
        })
    }
}
