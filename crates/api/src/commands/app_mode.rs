//! `get_app_mode`, `set_app_mode`: whether this PC runs the office phone system or is only
//! a phone that connects to an office elsewhere (the first-run screen's question).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{now_unix, Command, Ctx};
use crate::events::Event;
use crate::ApiError;

/// What a program started without the PBX still answers: the phone, this choice, and the
/// status bar (which then says the phone system is not running). Everything else is about
/// the PBX and answers 409.
pub(crate) fn runs_without_the_pbx(command: &str) -> bool {
    command.starts_with("phone_")
        || matches!(
            command,
            "get_phone"
                | "save_phone_account"
                | "remove_phone_account"
                | "set_audio_devices"
                | "get_app_mode"
                | "set_app_mode"
                | "get_setup_state"
                | "status"
        )
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetAppModeRequest {}

/// The stored choice and how this program actually runs (they differ until it restarts,
/// or for a moment while the desktop app switches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct AppMode {
    /// The first-run question was answered. A new desktop install starts nothing that takes
    /// calls until it is, and shows the question first.
    pub chosen: bool,
    /// Chosen: this PC is only a phone ("Connect to my office").
    pub phone_only: bool,
    /// The PBX runs in this program now.
    pub pbx_running: bool,
}

impl Command for GetAppModeRequest {
    const NAME: &'static str = "get_app_mode";
    type Response = AppMode;

    async fn run(self, ctx: &Ctx) -> Result<AppMode, ApiError> {
        let chosen = ctx.store(|s| Ok(s.chosen_phone_only()?)).await?;
        Ok(mode(ctx, chosen.is_some(), chosen == Some(true)))
    }
}

/// Stores the choice. The desktop app follows [`Event::AppModeChanged`] and switches at
/// once; `switchboard serve` applies it at its next start.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetAppModeRequest {
    pub phone_only: bool,
}

impl Command for SetAppModeRequest {
    const NAME: &'static str = "set_app_mode";
    type Response = AppMode;

    async fn run(self, ctx: &Ctx) -> Result<AppMode, ApiError> {
        let phone_only = self.phone_only;
        let before = ctx
            .store(move |s| {
                let before = s.chosen_phone_only()?;
                s.set_phone_only(phone_only, now_unix())?;
                Ok(before)
            })
            .await?;
        // The first answer is a change too: a desktop app waiting for it starts the PBX.
        if before != Some(phone_only) {
            ctx.publish(Event::AppModeChanged { phone_only });
        }
        Ok(mode(ctx, true, phone_only))
    }
}

fn mode(ctx: &Ctx, chosen: bool, phone_only: bool) -> AppMode {
    AppMode {
        chosen,
        phone_only,
        pbx_running: !ctx.phone_only,
    }
}
