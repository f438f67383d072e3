//! Keeps web pages from other sites away from the API.
//!
//! The API listens on this computer only, but the owner's browser also visits other sites,
//! and a page there can send requests to `127.0.0.1:8080`: a form POST needs no CORS
//! permission, and WebSockets are not covered by CORS at all. So every `/api/` request must
//! come from a loopback origin (this UI, a development server on another local port, or the
//! desktop window), and must name a loopback host, which stops a site whose DNS name was
//! re-pointed at 127.0.0.1 (DNS rebinding). Programs that are not browsers send no Origin
//! and are allowed: they could reach the socket anyway.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::error::{ErrorBody, ErrorResponse};

/// Origins of the desktop window when it shows its own copy of the UI (Tauri uses the
/// first on Linux and macOS, the others on Windows).
const DESKTOP_ORIGINS: &[&str] = &[
    "tauri://localhost",
    "http://tauri.localhost",
    "https://tauri.localhost",
];

pub(crate) async fn loopback_only(request: Request, next: Next) -> Response {
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
        Err(message) => (
            StatusCode::FORBIDDEN,
            Json(ErrorResponse {
                error: ErrorBody {
                    message: message.to_owned(),
                    fields: None,
                },
            }),
        )
            .into_response(),
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
