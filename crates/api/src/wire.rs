//! The WebSocket protocol's messages. The client sends
//! `{"id": 7, "command": "list_extensions", "request": {}}`; the server answers
//! `{"id": 7, "ok": …}` or `{"id": 7, "error": {…}}`, and pushes `{"event": …}` whenever
//! something happens.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ErrorBody, ErrorResponse};
use crate::events::Event;
use crate::typescript::TypeScript;

/// A command sent over the WebSocket.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct WsRequest {
    /// Chosen by the client; the answer carries the same id. Answers may come out of order.
    pub id: u64,
    pub command: String,
    /// The command's request; may be left out for commands without input.
    #[serde(default)]
    #[ts(type = "unknown", optional)]
    pub request: serde_json::Value,
}

/// Everything the server sends over the WebSocket.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(untagged)]
pub enum WsMessage {
    /// The command succeeded; `ok` is its response.
    Ok {
        id: u64,
        #[ts(type = "unknown")]
        ok: serde_json::Value,
    },
    /// The command failed. `id` is null only when the message could not be read at all.
    Error {
        id: Option<u64>,
        error: ErrorBody,
    },
    Event {
        event: Event,
    },
}

/// The protocol types that no command names, so the UI's client can use them.
pub(crate) fn declare_typescript(ts: &mut TypeScript) {
    ts.declare::<WsRequest>();
    ts.declare::<WsMessage>();
    ts.declare::<ErrorResponse>();
    ts.declare::<Event>();
}
