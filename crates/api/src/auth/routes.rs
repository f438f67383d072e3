//! `POST /api/auth/login`, `POST /api/auth/logout` and `GET /api/auth/session`: routes of
//! their own rather than commands, because they set and clear the session cookie.
//!
//! The cookie is `HttpOnly` (scripts cannot read it) and `SameSite=Strict` (another site's
//! page cannot make the browser send it); each session also has a CSRF token the page
//! sends back in `X-CSRF-Token` with every POST and when it opens the WebSocket.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::Principal;
use crate::http::Shared;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "switchboard_session";
/// The header that carries the session's CSRF token.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// Paths a browser on the office network may use without a session.
pub(crate) const OPEN_PATHS: &[&str] =
    &["/api/auth/login", "/api/auth/logout", "/api/auth/session"];

const WRONG_LOGIN: &str = "wrong user name or password";
const LOCKED_OUT: &str =
    "too many failed logins: try again in 15 minutes (the owner can log in at the PBX's own computer)";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/session", get(session))
        .route(super::own_password::PATH, post(super::own_password::change))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    username: String,
    password: String,
}

/// Who is logged in, for the pages: whether a login is needed at all (not at this
/// computer), the user, and the CSRF token to send back.
#[derive(Serialize)]
pub(crate) struct SessionInfo {
    login_required: bool,
    user: Option<SessionUser>,
    csrf_token: Option<String>,
}

#[derive(Serialize)]
struct SessionUser {
    /// `owner` or `staff`.
    role: &'static str,
    /// The owner's user name, or the staff member's extension number.
    name: String,
    /// The commands this user may run (`null`: all of them).
    commands: Option<Vec<&'static str>>,
}

fn user(principal: &Principal, owner_name: Option<String>) -> SessionUser {
    match principal {
        Principal::Local | Principal::Owner => SessionUser {
            role: "owner",
            name: owner_name.unwrap_or_else(|| "owner".to_owned()),
            commands: None,
        },
        Principal::Staff { extension } => SessionUser {
            role: "staff",
            name: extension.clone(),
            commands: Some(
                crate::registry::COMMAND_NAMES
                    .iter()
                    .copied()
                    .filter(|c| super::roles::staff_may_run(c))
                    .collect(),
            ),
        },
    }
}

async fn login(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(request) = serde_json::from_slice::<LoginRequest>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "send {\"username\": …, \"password\": …}",
            None,
        );
    };
    let username = request.username.trim().to_owned();
    if username.len() > 64 || request.password.len() > 256 {
        return error(StatusCode::UNAUTHORIZED, WRONG_LOGIN, Some("password"));
    }
    let source = peer.ip().to_canonical();
    let auth = &shared.ctx.auth;
    if auth.locked(&username, source) {
        return error(StatusCode::TOO_MANY_REQUESTS, LOCKED_OUT, Some("username"));
    }
    let (name, password) = (username.clone(), request.password);
    let checked = shared
        .ctx
        .store(move |s| Ok(s.check_admin_login(&name, &password)?))
        .await;
    let login = match checked {
        Ok(login) => login,
        Err(e) => return crate::http::error_response(&e),
    };
    let Some(login) = login else {
        auth.login_failed(&username, source);
        tracing::info!(%source, "admin login refused");
        return error(StatusCode::UNAUTHORIZED, WRONG_LOGIN, Some("password"));
    };
    auth.login_succeeded(&username);
    let (principal, owner_name) = match login {
        store::AdminLogin::Owner { username } => (Principal::Owner, Some(username)),
        store::AdminLogin::Staff { extension } => (Principal::Staff { extension }, None),
    };
    let (id, csrf) = auth.start_session(principal.clone()).await;
    tracing::info!(%source, user = %username, "admin login");
    let secure = served_over_https(&headers);
    let cookie = format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        super::sessions::IDLE.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    let body = SessionInfo {
        login_required: true,
        user: Some(user(&principal, owner_name)),
        csrf_token: Some(csrf),
    };
    with_cookie(Json(body).into_response(), &cookie)
}

async fn logout(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(id) = session_cookie(&headers) {
        shared.ctx.auth.end_session(id).await;
    }
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    with_cookie(StatusCode::NO_CONTENT.into_response(), &cookie)
}

async fn session(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let owner_name = shared
        .ctx
        .store(|s| Ok(s.owner_login()?))
        .await
        .ok()
        .flatten();
    if peer.ip().to_canonical().is_loopback() {
        return Json(SessionInfo {
            login_required: false,
            user: Some(user(&Principal::Local, owner_name)),
            csrf_token: None,
        })
        .into_response();
    }
    let found = match session_cookie(&headers) {
        Some(id) => shared.ctx.auth.session(id).await,
        None => None,
    };
    let info = match found {
        Some((principal, csrf)) => SessionInfo {
            login_required: true,
            user: Some(user(&principal, owner_name)),
            csrf_token: Some(csrf),
        },
        None => SessionInfo {
            login_required: true,
            user: None,
            csrf_token: None,
        },
    };
    Json(info).into_response()
}

/// The value of the session cookie, if the request has one.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

/// A TLS-terminating proxy in front says so in the page's origin.
fn served_over_https(headers: &HeaderMap) -> bool {
    headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| o.starts_with("https://"))
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"))
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    let fields =
        field.map(|f| std::collections::BTreeMap::from([(f.to_owned(), message.to_owned())]));
    let body = crate::error::ErrorResponse {
        error: crate::error::ErrorBody {
            message: message.to_owned(),
            fields,
        },
    };
    (status, Json(body)).into_response()
}
