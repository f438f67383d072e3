//! The HTTP side: `POST /api/<command>` with a JSON body, `GET /api/ws` for the WebSocket,
//! `GET /api/voicemail/<id>/audio` for a message's recording, and the web UI everywhere else.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{middleware, Json, Router};
use serde_json::Value;
use tokio::sync::watch;

use crate::auth::{self, Principal};
use crate::command::Ctx;
use crate::error::ErrorResponse;
use crate::ui::UiAssets;
use crate::{guard, recording_audio, registry, voicemail_audio, ws, ApiError};

/// Largest request accepted, over HTTP and per WebSocket message. Every command's input is
/// a few short fields.
pub(crate) const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// What the handlers share.
pub(crate) struct Shared {
    pub ctx: Ctx,
    pub ui: UiAssets,
    /// Becomes `true` when the server stops; WebSocket sessions close on it.
    pub stopping: watch::Receiver<bool>,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/ws", get(ws::upgrade))
        .route("/api/voicemail/{id}/audio", get(voicemail_audio::audio))
        .route("/api/recordings/{id}/audio", get(recording_audio::audio))
        .route("/api/{command}", post(command).fallback(wrong_method))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(middleware::from_fn(guard::loopback_only));
    let login = auth::routes::routes()
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(middleware::from_fn(guard::loopback_only));
    Router::new()
        .merge(api)
        .merge(login)
        .merge(crate::greeting_upload::routes())
        .merge(crate::music_upload::routes())
        .fallback(ui_fallback)
        // The guard finds the sessions here.
        .layer(Extension(Arc::clone(&shared)))
        .with_state(shared)
}

async fn command(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    principal: Option<Extension<Principal>>,
    body: Bytes,
) -> Response {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Value::Null)
    } else {
        serde_json::from_slice::<Value>(&body).map_err(|e| ApiError::Malformed(e.to_string()))
    };
    let result = match (request, principal) {
        (Ok(request), Some(Extension(principal))) => {
            run_as(&shared.ctx, &principal, &name, request).await
        }
        (Ok(_), None) => Err(ApiError::LoginRequired),
        (Err(e), _) => Err(e),
    };
    match result {
        Ok(response) => Json(response).into_response(),
        Err(e) => error_response(&e),
    }
}

/// Runs a command for `principal`: refused (403) unless its role allows it, and kept to
/// what is theirs.
pub(crate) async fn run_as(
    ctx: &Ctx,
    principal: &Principal,
    name: &str,
    request: Value,
) -> Result<Value, ApiError> {
    let request = auth::roles::authorize(ctx, principal, name, request).await?;
    let response = registry::dispatch(ctx, name, request).await?;
    Ok(auth::roles::filter_response(principal, name, response))
}

async fn wrong_method() -> Response {
    let body = ErrorResponse {
        error: crate::error::ErrorBody {
            message: "commands are sent with POST and a JSON body".to_owned(),
            fields: None,
        },
    };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

async fn ui_fallback(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    // Under /api/ a miss is an unknown command, never a page.
    if let Some(rest) = uri.path().strip_prefix("/api/") {
        return error_response(&ApiError::UnknownCommand(rest.to_owned()));
    }
    crate::ui::serve(shared.ui, uri).await
}

pub(crate) fn error_response(e: &ApiError) -> Response {
    if e.status() >= 500 {
        tracing::warn!(error = %e, "API request failed");
    }
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(ErrorResponse { error: e.body() })).into_response()
}
