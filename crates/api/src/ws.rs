//! The WebSocket: commands and their answers, plus every event as it happens, on one
//! connection. Each command runs in its own task so a slow one (a database write) neither
//! holds up the others nor the events; answers carry the request's id.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use tokio::sync::{broadcast, mpsc, watch, Semaphore};

use crate::auth::Principal;
use crate::error::ErrorBody;
use crate::events::Event;
use crate::http::{Shared, MAX_REQUEST_BYTES};
use crate::wire::{WsMessage, WsRequest};
use crate::ApiError;

/// Commands one connection may have running at once; more wait, which slows a flooding
/// client instead of the server.
const IN_FLIGHT_PER_CONNECTION: usize = 16;

pub(crate) async fn upgrade(
    State(shared): State<Arc<Shared>>,
    Extension(principal): Extension<Principal>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.max_message_size(MAX_REQUEST_BYTES)
        .on_upgrade(move |socket| session(shared, principal, socket))
}

async fn session(shared: Arc<Shared>, principal: Principal, mut socket: WebSocket) {
    let principal = Arc::new(principal);
    // Subscribe first: an event that happens while the client reads a list is not lost.
    let mut events = shared.ctx.events.subscribe();
    let mut stopping = shared.stopping.clone();
    // Unbounded, so a finished command never waits to hand in its answer while the loop
    // waits for one of them to finish (the semaphore bounds how many there are).
    let (answers_tx, mut answers) = mpsc::unbounded_channel::<WsMessage>();
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT_PER_CONNECTION));
    loop {
        let outgoing = tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else {
                        break;
                    };
                    let shared = Arc::clone(&shared);
                    let answers_tx = answers_tx.clone();
                    let principal = Arc::clone(&principal);
                    tokio::spawn(async move {
                        let answer = answer(&shared, &principal, text.as_str()).await;
                        let _ = answers_tx.send(answer);
                        drop(permit);
                    });
                    continue;
                }
                Some(Ok(Message::Binary(_))) => error(None, ApiError::Malformed(
                    "send commands as text messages".to_owned(),
                )),
                // Pings are answered by the library; pongs need nothing.
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            },
            answer = answers.recv() => match answer {
                Some(answer) => answer,
                None => break,
            },
            event = events.recv() => match event {
                // Events name every extension's calls and phones: the owner's only.
                Ok(_) if !principal.is_owner() => continue,
                Ok(event) => WsMessage::Event { event },
                Err(broadcast::error::RecvError::Lagged(missed)) => WsMessage::Event {
                    event: Event::Resync { missed },
                },
                Err(broadcast::error::RecvError::Closed) => break,
            },
            () = stop_requested(&mut stopping) => break,
        };
        let Ok(text) = serde_json::to_string(&outgoing) else {
            continue;
        };
        if socket.send(Message::Text(text.into())).await.is_err() {
            return;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// Resolves once the server is stopping (or gone).
async fn stop_requested(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// Runs one command message and builds its answer.
async fn answer(shared: &Shared, principal: &Principal, text: &str) -> WsMessage {
    let request: WsRequest = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            // Still answer with the id when there is one, so the client can match it.
            let id = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("id").and_then(serde_json::Value::as_u64));
            return error(
                id,
                ApiError::Malformed(format!(
                    "expected {{\"id\": number, \"command\": string, \"request\": object}}: {e}"
                )),
            );
        }
    };
    match crate::http::run_as(&shared.ctx, principal, &request.command, request.request).await {
        Ok(ok) => WsMessage::Ok { id: request.id, ok },
        Err(e) => error(Some(request.id), e),
    }
}

fn error(id: Option<u64>, e: ApiError) -> WsMessage {
    if e.status() >= 500 {
        tracing::warn!(error = %e, "API request failed");
    }
    let error: ErrorBody = e.body();
    WsMessage::Error { id, error }
}
