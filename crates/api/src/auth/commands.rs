//! The owner's commands for admin access: the owner's own login (required before the
//! admin pages may be opened to the office network) and a web password per staff
//! extension, generated and shown once. Staff cannot run these (see `roles`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Principal;
use crate::command::{Command, Ctx};
use crate::server::admin_bind_allowed;
use crate::ApiError;

/// Longest owner user name.
const USERNAME_MAX: usize = 32;
/// Length of a generated staff web password (about 90 bits).
const STAFF_PASSWORD_LEN: usize = 16;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetAdminAccessRequest {}

/// Who can log in to the admin pages from the office network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AdminAccess {
    /// The owner's user name; `null` until an owner password is set (the admin pages stay
    /// on this computer until then).
    pub owner_username: Option<String>,
    /// Extensions whose staff have a web password.
    pub staff: Vec<String>,
    /// The admin pages are served beyond this computer now.
    pub open_to_network: bool,
}

impl Command for GetAdminAccessRequest {
    const NAME: &'static str = "get_admin_access";
    type Response = AdminAccess;

    async fn run(self, ctx: &Ctx) -> Result<AdminAccess, ApiError> {
        access(ctx).await
    }
}

async fn access(ctx: &Ctx) -> Result<AdminAccess, ApiError> {
    let (owner_username, staff) = ctx
        .store(|s| Ok((s.owner_login()?, s.staff_logins()?)))
        .await?;
    Ok(AdminAccess {
        owner_username,
        staff,
        open_to_network: !admin_bind_allowed(ctx.bind),
    })
}

/// Sets the owner's user name and password (replacing any earlier one, which logs the
/// owner out on every other computer).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetOwnerLoginRequest {
    /// Letters, digits, `.`, `_` or `-`; not only digits (those are staff extensions).
    pub username: String,
    /// At least 10 characters, not easy to guess.
    pub password: String,
}

impl Command for SetOwnerLoginRequest {
    const NAME: &'static str = "set_owner_login";
    type Response = AdminAccess;

    async fn run(self, ctx: &Ctx) -> Result<AdminAccess, ApiError> {
        let username = self.username.trim().to_owned();
        let mut errors = Vec::new();
        if username.is_empty()
            || username.chars().count() > USERNAME_MAX
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            errors.push((
                "username".to_owned(),
                "must be 1 to 32 letters, digits, '.', '_' or '-'".to_owned(),
            ));
        } else if username.chars().all(|c| c.is_ascii_digit()) {
            errors.push((
                "username".to_owned(),
                "must not be only digits (staff log in with their extension number)".to_owned(),
            ));
        }
        if let Some(weak) = super::check_strength(&username, &self.password) {
            errors.push(("password".to_owned(), weak.to_owned()));
        }
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        let password = self.password;
        ctx.store(move |s| Ok(s.set_owner_login(&username, &password)?))
            .await?;
        ctx.auth.end_sessions_of(&Principal::Owner).await;
        tracing::info!("owner login set");
        access(ctx).await
    }
}

/// Gives the staff member at extension `number` a new web password (logging them out
/// everywhere). The password is generated and shown only in this answer.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetStaffPasswordRequest {
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SetStaffPasswordResponse {
    /// The user name to log in with: the extension number.
    pub username: String,
    /// Shown once; only its hash is kept.
    pub password: String,
}

impl Command for SetStaffPasswordRequest {
    const NAME: &'static str = "set_staff_password";
    type Response = SetStaffPasswordResponse;

    async fn run(self, ctx: &Ctx) -> Result<SetStaffPasswordResponse, ApiError> {
        let number = self.number.trim().to_owned();
        let password: String = store::generate_secret()
            .chars()
            .take(STAFF_PASSWORD_LEN)
            .collect();
        let (n, p) = (number.clone(), password.clone());
        ctx.store(move |s| match s.set_staff_login(&n, &p) {
            Err(store::Error::Invalid(_)) => Err(ApiError::NotFound {
                message: format!("there is no extension {n}"),
                field: "number",
            }),
            other => Ok(other?),
        })
        .await?;
        ctx.auth
            .end_sessions_of(&Principal::Staff {
                extension: number.clone(),
            })
            .await;
        Ok(SetStaffPasswordResponse {
            username: number,
            password,
        })
    }
}

/// Takes a staff member's web password away; they are logged out everywhere.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveStaffPasswordRequest {
    pub number: String,
}

impl Command for RemoveStaffPasswordRequest {
    const NAME: &'static str = "remove_staff_password";
    type Response = AdminAccess;

    async fn run(self, ctx: &Ctx) -> Result<AdminAccess, ApiError> {
        let number = self.number.trim().to_owned();
        let n = number.clone();
        ctx.store(move |s| Ok(s.remove_staff_login(&n)?)).await?;
        ctx.auth
            .end_sessions_of(&Principal::Staff { extension: number })
            .await;
        access(ctx).await
    }
}
