//! The web UI, built into the binary from `ui/dist` when the program is compiled, so the
//! single `switchboard` file serves it. A build without `ui/dist` still works: its pages
//! say that the UI was not built and how to build it.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// The files of `ui/dist` at compile time (`build.rs` makes cargo rebuild when they change).
#[derive(rust_embed::RustEmbed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Dist;

/// Which web UI the server answers with outside `/api/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UiAssets {
    /// The UI built into this binary (or the "not built" page).
    #[default]
    Embedded,
    /// No UI: only the API (e.g. a window that ships its own copy of the UI).
    None,
}

/// Whether this binary was compiled with a built web UI.
pub fn ui_built() -> bool {
    Dist::get("index.html").is_some()
}

/// The command that builds the UI, for the "not built" page and error messages.
pub const UI_BUILD_COMMAND: &str = "cd ui && npm ci && npm run build";

const NOT_BUILT: &str = "The Switchboard web UI was not built into this program.\n\
\n\
Build it, then build Switchboard again:\n\
\n\
    cd ui && npm ci && npm run build\n\
    cargo build -p switchboard\n\
\n\
The phone system itself is running, and the API answers at /api/.\n";

/// Answers a request outside `/api/` with a file of the UI. Paths without a file extension
/// are the UI's own pages and get `index.html`, so a reload on any page works.
pub(crate) async fn serve(assets: UiAssets, uri: Uri) -> Response {
    if assets == UiAssets::None {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = (!path.is_empty()).then(|| Dist::get(path)).flatten() {
        return file_response(path, file);
    }
    let is_page = !path.rsplit('/').next().unwrap_or("").contains('.');
    if !is_page {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    match Dist::get("index.html") {
        Some(index) => file_response("index.html", index),
        None => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response(),
    }
}

fn file_response(path: &str, file: rust_embed::EmbeddedFile) -> Response {
    let mime = file.metadata.mimetype().to_owned();
    // Vite names built assets by their content hash, so they can be kept forever; the
    // page itself must be re-checked so a new build is picked up.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}
