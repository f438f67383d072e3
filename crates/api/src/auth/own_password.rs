//! `POST /api/auth/password`: the logged-in owner or staff member changes their own web
//! password. A route rather than a command, because who is asking comes from the session,
//! not from the request: nobody can name another user here.
//!
//! The current password is asked again (a browser left logged in must not be enough to
//! take the account over), and a wrong one counts towards the login lockout like a failed
//! login. The new one must pass the same strength rule as the owner's login. Every other
//! session of the user ends; this one stays.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::routes::session_cookie;
use super::Principal;
use crate::http::Shared;
use crate::ApiError;

/// The route's path.
pub(crate) const PATH: &str = "/api/auth/password";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangePasswordRequest {
    current_password: String,
    new_password: String,
}

pub(crate) async fn change(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(request) = serde_json::from_slice::<ChangePasswordRequest>(&body) else {
        return refused(ApiError::field(
            "new_password",
            "send {\"current_password\": …, \"new_password\": …}",
        ));
    };
    let ctx = &shared.ctx;
    let (username, principal) = match principal.map(|Extension(p)| p) {
        Some(Principal::Staff { extension }) => (extension.clone(), Principal::Staff { extension }),
        Some(Principal::Owner) => match ctx.store(|s| Ok(s.owner_login()?)).await {
            Ok(Some(name)) => (name, Principal::Owner),
            Ok(None) => return refused(ApiError::LoginRequired),
            Err(e) => return refused(e),
        },
        // At this computer nobody logs in: the owner sets the login under Admin access.
        Some(Principal::Local) | None => {
            return refused(ApiError::field(
                "current_password",
                "at this computer, set the owner's login under Settings → Admin access",
            ))
        }
    };
    let staff = matches!(principal, Principal::Staff { .. });
    let source = peer.ip().to_canonical();
    let auth = &ctx.auth;
    if auth.locked(&username, source) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            Json(crate::error::ErrorResponse {
                error: crate::error::ErrorBody {
                    message: "too many wrong passwords: try again in 15 minutes".to_owned(),
                    fields: None,
                },
            }),
        )
            .into_response();
    }
    if request.current_password.len() > 256 {
        return refused(ApiError::field(
            "current_password",
            "is not your current password",
        ));
    }
    let (name, current) = (username.clone(), request.current_password.clone());
    let checked = ctx
        .store(move |s| Ok(s.check_admin_login(&name, &current)?))
        .await;
    let matches = match checked {
        Ok(Some(store::AdminLogin::Owner { username: u })) => !staff && u == username,
        Ok(Some(store::AdminLogin::Staff { extension })) => staff && extension == username,
        Ok(None) => false,
        Err(e) => return refused(e),
    };
    if !matches {
        auth.login_failed(&username, source);
        tracing::info!(%source, "password change refused: wrong current password");
        return refused(ApiError::field(
            "current_password",
            "is not your current password",
        ));
    }
    if let Some(weak) = super::check_strength(&username, &request.new_password) {
        return refused(ApiError::field("new_password", weak));
    }
    if request.new_password == request.current_password {
        return refused(ApiError::field(
            "new_password",
            "must differ from the current password",
        ));
    }
    let (name, password) = (username.clone(), request.new_password);
    let saved = ctx
        .store(move |s| {
            if staff {
                Ok(s.set_staff_login(&name, &password)?)
            } else {
                Ok(s.set_owner_login(&name, &password)?)
            }
        })
        .await;
    if let Err(e) = saved {
        return refused(e);
    }
    auth.end_other_sessions(&principal, session_cookie(&headers).unwrap_or(""))
        .await;
    tracing::info!(%source, user = %username, "web password changed by its user");
    StatusCode::NO_CONTENT.into_response()
}

fn refused(error: ApiError) -> Response {
    crate::http::error_response(&error)
}
