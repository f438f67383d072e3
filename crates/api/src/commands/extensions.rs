//! Extensions: list (with each phone's live registration), add, rename, remove, new password.
//!
//! Every change is written to the store first (which validates it and changes nothing when
//! it refuses), then the PBX re-reads its directory at once so a new extension can register
//! and a removed one cannot, and finally every screen is told.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{now_unix, Command, Ctx};
use crate::events::Event;
use crate::types::{Device, Extension};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListExtensionsRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListExtensionsResponse {
    /// Ordered by number, shorter numbers first.
    pub extensions: Vec<Extension>,
}

impl Command for ListExtensionsRequest {
    const NAME: &'static str = "list_extensions";
    type Response = ListExtensionsResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListExtensionsResponse, ApiError> {
        let stored = ctx.store(|s| Ok(s.extensions()?)).await?;
        let mut devices: HashMap<String, Vec<Device>> = HashMap::new();
        for r in live_registrations(ctx).await {
            devices
                .entry(r.extension.clone())
                .or_default()
                .push(r.into());
        }
        let extensions = stored
            .into_iter()
            .map(|e| {
                let devices = devices.remove(&e.number).unwrap_or_default();
                Extension {
                    registered: !devices.is_empty(),
                    outbound_allowed: e.outbound_allowed,
                    srtp_required: e.srtp_required,
                    number: e.number,
                    name: e.name,
                    created_at: e.created_at,
                    devices,
                }
            })
            .collect();
        Ok(ListExtensionsResponse { extensions })
    }
}

/// A new extension; its password is generated, never typed.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AddExtensionRequest {
    /// 2 to 10 digits.
    pub number: String,
    /// 1 to 64 characters, shown on the phones it calls.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AddExtensionResponse {
    pub extension: Extension,
    /// The phone's SIP password. Shown once: only its hashes are kept.
    pub password: String,
}

impl Command for AddExtensionRequest {
    const NAME: &'static str = "add_extension";
    type Response = AddExtensionResponse;

    async fn run(self, ctx: &Ctx) -> Result<AddExtensionResponse, ApiError> {
        let realm = ctx.engine_config.realm.clone();
        let created = ctx
            .store(move |s| Ok(s.create_extension(&self.number, &self.name, &realm, now_unix())?))
            .await?;
        changed(ctx, &created.extension.number).await;
        Ok(AddExtensionResponse {
            extension: unregistered(created.extension),
            password: created.password,
        })
    }
}

/// Renames an extension, and sets whether its calls are always encrypted.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EditExtensionRequest {
    pub number: String,
    pub name: String,
    /// True: its calls are always encrypted (SRTP; its phones must use TLS unless keys
    /// over plain signalling are allowed in Settings). False: as the office rule says.
    /// Left out: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub srtp_required: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EditExtensionResponse {
    pub extension: Extension,
}

impl Command for EditExtensionRequest {
    const NAME: &'static str = "edit_extension";
    type Response = EditExtensionResponse;

    async fn run(self, ctx: &Ctx) -> Result<EditExtensionResponse, ApiError> {
        let number = self.number.clone();
        let stored = ctx
            .store(move |s| {
                s.rename_extension(&self.number, &self.name)?;
                if let Some(required) = self.srtp_required {
                    s.set_srtp_required(&self.number, required)?;
                }
                s.extension(&self.number)?
                    .ok_or_else(|| store::Error::ExtensionNotFound(self.number.clone()).into())
            })
            .await?;
        changed(ctx, &number).await;
        let mut extension = unregistered(stored);
        extension.devices = live_registrations(ctx)
            .await
            .into_iter()
            .filter(|r| r.extension == number)
            .map(Device::from)
            .collect();
        extension.registered = !extension.devices.is_empty();
        Ok(EditExtensionResponse { extension })
    }
}

/// Deletes an extension; its phones can no longer register or call.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveExtensionRequest {
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoveExtensionResponse {}

impl Command for RemoveExtensionRequest {
    const NAME: &'static str = "remove_extension";
    type Response = RemoveExtensionResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoveExtensionResponse, ApiError> {
        let number = self.number.clone();
        // Refused while a business name, ring group or other destination still rings it.
        ctx.store(move |s| {
            s.remove_extension(&self.number)
                .map_err(|e| ApiError::from_store(e, "number"))
        })
        .await?;
        changed(ctx, &number).await;
        Ok(RemoveExtensionResponse {})
    }
}

/// Replaces an extension's password with a new generated one; its phones must be given
/// the new one to register again.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ResetPasswordResponse {
    /// Shown once: only its hashes are kept.
    pub password: String,
}

impl Command for ResetPasswordRequest {
    const NAME: &'static str = "reset_password";
    type Response = ResetPasswordResponse;

    async fn run(self, ctx: &Ctx) -> Result<ResetPasswordResponse, ApiError> {
        let realm = ctx.engine_config.realm.clone();
        let number = self.number.clone();
        let password = ctx
            .store(move |s| Ok(s.reset_password(&self.number, &realm)?))
            .await?;
        changed(ctx, &number).await;
        Ok(ResetPasswordResponse { password })
    }
}

/// Makes the PBX re-read its extensions now, then tells the screens. The change is saved
/// either way: a stopped PBX reads it when it starts, so that is not the caller's error.
async fn changed(ctx: &Ctx, number: &str) {
    if let Err(e) = ctx.engine.reload_extensions().await {
        tracing::warn!(error = %e, "saved the extension change; the PBX will read it when it runs");
    }
    ctx.publish(Event::ExtensionsChanged {
        number: number.to_owned(),
    });
}

/// The phones registered now; none while the PBX is stopped, since then no phone can
/// reach it either.
async fn live_registrations(ctx: &Ctx) -> Vec<engine::Registration> {
    ctx.engine.registrations().await.unwrap_or_default()
}

fn unregistered(e: store::Extension) -> Extension {
    Extension {
        number: e.number,
        name: e.name,
        created_at: e.created_at,
        registered: false,
        outbound_allowed: e.outbound_allowed,
        srtp_required: e.srtp_required,
        devices: Vec::new(),
    }
}
