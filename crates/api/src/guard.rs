//! Keeps web pages from other sites away from the API, and lets browsers on the office
//! network in only with a login.
//!
//! The API listens on this computer only, but the owner's browser also visits other sites,
//! and a page there can send requests to `127.0.0.1:8080`: a form POST needs no CORS
//! permission, and WebSockets are not covered by CORS at all. So every `/api/` request must
//! come from a loopback origin (this UI, a development server on another local port, or the
//! desktop window), and must name a loopback host, which stops a site whose DNS name was
//! re-pointed at 127.0.0.1 (DNS rebinding). Programs that are not browsers send no Origin
//! and are allowed: they could reach the socket anyway.
//!
//! Requests from any other address (the owner opened the admin pages to the office network)
//! must come from the pages' own origin and carry a live session cookie (401 without), plus
//! the session's CSRF token on every POST and WebSocket open (403 when wrong or missing).
//! The principal found is put in the request's extensions for the command router.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::auth::roles::{owns_recording, owns_voicemail};
use crate::auth::routes::{session_cookie, CSRF_HEADER, OPEN_PATHS};
use crate::auth::Principal;
use crate::error::{ErrorBody, ErrorResponse};
use crate::http::Shared;
use crate::ApiError;

/// Origins of the desktop window when it shows its own copy of the UI (Tauri uses the
/// first on Linux and macOS, the others on Windows).
const DESKTOP_ORIGINS: &[&str] = &[
    "tauri://localhost",
    "http://tauri.localhost",
    "https://tauri.localhost",
];

pub(crate) async fn loopback_only(mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    // Without a peer address (never when served by `serve`) nothing is assumed local.
    if !peer.is_some_and(|ip| ip.is_loopback()) {
        return office_network(request, next).await;
    }
    request.extensions_mut().insert(Principal::Local);
    match check(request.headers()) {
        Ok(()) => {
            // The desktop window's pages come from their own origin, so its `fetch` to
            // the API is cross-origin: the browser engine needs CORS permission, and asks
            // first (preflight) for a JSON POST.
            let desktop = desktop_origin(request.headers());
            if let (Some(origin), true) = (&desktop, request.method() == Method::OPTIONS) {
                let mut response = StatusCode::NO_CONTENT.into_response();
                allow_origin(response.headers_mut(), origin);
                let headers = response.headers_mut();
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("POST, GET"),
                );
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type"),
                );
                return response;
            }
            let mut response = next.run(request).await;
            if let Some(origin) = desktop {
                allow_origin(response.headers_mut(), &origin);
            }
            response
        }
        Err(message) => forbidden(message),
    }
}

fn forbidden(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(ErrorResponse {
            error: ErrorBody {
                message: message.to_owned(),
                fields: None,
            },
        }),
    )
        .into_response()
}

/// A request from another computer: same-origin, logged in, with the CSRF token.
async fn office_network(mut request: Request, next: Next) -> Response {
    let Some(shared) = request.extensions().get::<Arc<Shared>>().cloned() else {
        return forbidden("the admin API answers only requests from this computer");
    };
    if let Err(message) = same_origin(request.headers()) {
        return forbidden(message);
    }
    let path = request.uri().path().to_owned();
    if OPEN_PATHS.contains(&path.as_str()) {
        return next.run(request).await;
    }
    let cookie = session_cookie(request.headers()).map(str::to_owned);
    let found = match cookie {
        Some(id) => shared.ctx.auth.session(&id).await,
        None => None,
    };
    let Some((principal, csrf)) = found else {
        return crate::http::error_response(&ApiError::LoginRequired);
    };
    let websocket = path == "/api/ws";
    if request.method() == Method::POST || websocket {
        let sent = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            // A browser cannot set headers on a WebSocket, so its token comes in the query.
            .or_else(|| {
                websocket
                    .then(|| query_token(request.uri().query()))
                    .flatten()
            });
        if !sent.is_some_and(|t| crate::auth::same_secret(&t, &csrf)) {
            return forbidden("the request's CSRF token is missing or wrong: reload the page");
        }
    }
    if let Principal::Staff { extension } = &principal {
        if !websocket && !staff_may_open(&shared, extension, &path).await {
            return forbidden("only the owner can do this");
        }
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// Staff reach commands (checked per command by the router), changing their own password,
/// and the audio of their own voicemail, recordings and greetings; no other route.
async fn staff_may_open(shared: &Shared, extension: &str, path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/") else {
        return false;
    };
    if crate::registry::COMMAND_NAMES.contains(&rest) || path == crate::auth::own_password::PATH {
        return true;
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let id = |s: &str| s.parse::<i64>().ok();
    match parts.as_slice() {
        ["voicemail", n, "audio"] => match id(n) {
            Some(n) => owns_voicemail(&shared.ctx, extension, n)
                .await
                .unwrap_or(false),
            None => false,
        },
        ["recordings", n, "audio"] => match id(n) {
            Some(n) => owns_recording(&shared.ctx, extension, n)
                .await
                .unwrap_or(false),
            None => false,
        },
        ["greetings", number] => *number == extension,
        _ => false,
    }
}

fn query_token(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "csrf")
        .map(|(_, value)| value.to_owned())
}

/// A page's request must come from the pages' own address (the Host it names), so another
/// site's page cannot use a logged-in browser; programs send no Origin.
fn same_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return Err("the request names no host");
    };
    match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        None => Ok(()),
        Some(Ok(origin))
            if origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                == Some(host) =>
        {
            Ok(())
        }
        Some(_) => Err("the admin API answers only its own pages"),
    }
}

/// The request's Origin when it is the desktop window's.
fn desktop_origin(headers: &HeaderMap) -> Option<HeaderValue> {
    headers
        .get(header::ORIGIN)
        .filter(|o| o.to_str().is_ok_and(|o| DESKTOP_ORIGINS.contains(&o)))
        .cloned()
}

fn allow_origin(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(header::VARY, HeaderValue::from_static("origin"));
}

fn check(headers: &HeaderMap) -> Result<(), &'static str> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    // HTTP/1.0 clients may omit Host; they are not browsers.
    if !host.is_empty() && !is_loopback_host(host) {
        return Err("the admin API answers only requests addressed to this computer");
    }
    match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        None => Ok(()),
        Some(Ok(origin)) if allowed_origin(origin) => Ok(()),
        Some(_) => Err("the admin API answers only pages served from this computer"),
    }
}

fn allowed_origin(origin: &str) -> bool {
    if DESKTOP_ORIGINS.contains(&origin) {
        return true;
    }
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    is_loopback_host(rest)
}

/// `host[:port]` names this computer: `localhost`, an IPv4 loopback address or `[::1]`.
fn is_loopback_host(authority: &str) -> bool {
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((ip, _)) => ip,
            None => return false,
        }
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).expect("host"));
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).expect("origin"));
        }
        h
    }

    #[test]
    fn loopback_hosts_and_origins_pass() {
        for (host, origin) in [
            ("127.0.0.1:8080", None),
            ("127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            ("localhost:8080", Some("http://localhost:5173")),
            ("[::1]:8080", Some("http://[::1]:8080")),
            ("127.0.0.1:8080", Some("tauri://localhost")),
            ("127.0.0.1:8080", Some("http://tauri.localhost")),
        ] {
            assert_eq!(check(&headers(host, origin)), Ok(()), "{host} {origin:?}");
        }
    }

    #[test]
    fn other_sites_and_rebound_names_are_refused() {
        for (host, origin) in [
            ("127.0.0.1:8080", Some("https://evil.example")),
            ("127.0.0.1:8080", Some("http://127.0.0.1.evil.example")),
            ("127.0.0.1:8080", Some("null")),
            ("evil.example:8080", Some("http://evil.example:8080")),
            ("evil.example:8080", None),
            ("[::1", None),
        ] {
            assert!(check(&headers(host, origin)).is_err(), "{host} {origin:?}");
        }
    }
}
