//! `get_srtp_settings` and `save_srtp_settings`: which phones must encrypt their calls'
//! audio (SRTP with SDES keys), and whether keys may travel over unencrypted signalling.
//! Saved rules apply from the next call on.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{now_unix, Command, Ctx};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetSrtpSettingsRequest {}

/// Which phones must offer SRTP; a phone that must and does not is refused with 488.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SrtpRequired {
    /// Nobody: SRTP is used when a phone offers it.
    Off,
    /// Phones calling from outside the office's network (remote staff).
    Remote,
    /// Every phone.
    All,
}

/// The SRTP rules; also the request of `save_srtp_settings`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SrtpSettings {
    pub required: SrtpRequired,
    /// Keys accepted from phones signalling over UDP or TCP, where anyone on the path can
    /// read them (RFC 4568 §8.3); false takes them over TLS only.
    pub keys_over_plain_signalling: bool,
}

impl Command for GetSrtpSettingsRequest {
    const NAME: &'static str = "get_srtp_settings";
    type Response = SrtpSettings;

    async fn run(self, ctx: &Ctx) -> Result<SrtpSettings, ApiError> {
        let saved = ctx.store(|s| Ok(s.srtp_settings()?)).await?;
        Ok(from_store(saved))
    }
}

impl Command for SrtpSettings {
    const NAME: &'static str = "save_srtp_settings";
    type Response = SrtpSettings;

    async fn run(self, ctx: &Ctx) -> Result<SrtpSettings, ApiError> {
        let saved = store::SrtpSettings {
            required: match self.required {
                SrtpRequired::Off => store::SrtpRequired::Off,
                SrtpRequired::Remote => store::SrtpRequired::Remote,
                SrtpRequired::All => store::SrtpRequired::All,
            },
            keys_over_plain_signalling: self.keys_over_plain_signalling,
        };
        ctx.store(move |s| Ok(s.save_srtp_settings(&saved, now_unix())?))
            .await?;
        if ctx
            .engine
            .set_srtp_policy(engine::srtp_policy(saved))
            .await
            .is_err()
        {
            tracing::warn!("the PBX is not running; the SRTP rules apply at its start");
        }
        tracing::info!(required = saved.required.as_str(), "SRTP rules saved");
        Ok(from_store(saved))
    }
}

fn from_store(saved: store::SrtpSettings) -> SrtpSettings {
    SrtpSettings {
        required: match saved.required {
            store::SrtpRequired::Off => SrtpRequired::Off,
            store::SrtpRequired::Remote => SrtpRequired::Remote,
            store::SrtpRequired::All => SrtpRequired::All,
        },
        keys_over_plain_signalling: saved.keys_over_plain_signalling,
    }
}
