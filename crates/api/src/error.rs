//! The API's one error type, and the shape it takes on the wire:
//! `{"message": "...", "fields": {"number": "must be 2 to 10 digits"}}`, where `fields`
//! names each refused input so a form can show the message next to it.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Serialize;
use ts_rs::TS;

/// Everything a command or the server can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request was refused field by field; nothing was changed.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// The thing the request names does not exist (any more).
    #[error("{message}")]
    NotFound {
        message: String,
        field: &'static str,
    },
    #[error("there is no command {0:?}")]
    UnknownCommand(String),
    /// The request was not JSON, or not a JSON object.
    #[error("the request is not valid JSON: {0}")]
    Malformed(String),
    #[error("the phone system is not running")]
    EngineStopped,
    /// The PBX is not started on this PC by choice (phone-only mode).
    #[error("this PC connects to an office; the phone system is not running here")]
    PhoneOnly,
    #[error("database: {0}")]
    Store(store::Error),
    /// A bug or an operating-system failure on our side.
    #[error("internal error: {0}")]
    Internal(String),
    /// Serving the admin pages beyond this computer is refused until they have a login.
    #[error("{}", not_loopback_message(*.0))]
    NotLoopback(SocketAddr),
    /// A request from the office network without a live session.
    #[error("log in first")]
    LoginRequired,
    /// The login may not do this (staff asking for an owner's command or another's data).
    #[error("{0}")]
    Forbidden(String),
    #[error("cannot serve the admin pages on {0}: {1}")]
    Bind(SocketAddr, #[source] std::io::Error),
}

/// Why a non-loopback admin address is refused, in words for the owner.
pub(crate) fn not_loopback_message(addr: SocketAddr) -> String {
    format!(
        "the admin pages can only be served on this computer (127.0.0.1 or ::1), not on {}, \
         until an owner login is set (Settings, Admin access): without a login anyone on the \
         network could change the phone system",
        addr.ip()
    )
}

impl ApiError {
    /// One refused field.
    pub(crate) fn field(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::Invalid {
            message: format!("{field}: {message}"),
            fields: BTreeMap::from([(field.to_owned(), message)]),
        }
    }

    /// Several refused fields at once (`errors` must not be empty).
    pub(crate) fn fields(errors: impl IntoIterator<Item = (String, String)>) -> ApiError {
        let fields: BTreeMap<String, String> = errors.into_iter().collect();
        let message = fields
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::Invalid { message, fields }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Invalid { .. } => 422,
            ApiError::Malformed(_) => 400,
            ApiError::NotFound { .. } | ApiError::UnknownCommand(_) => 404,
            ApiError::NotLoopback(_) | ApiError::Forbidden(_) => 403,
            ApiError::LoginRequired => 401,
            ApiError::EngineStopped => 503,
            ApiError::PhoneOnly => 409,
            ApiError::Store(_) | ApiError::Internal(_) | ApiError::Bind(..) => 500,
        }
    }

    /// The wire form of this error.
    pub fn body(&self) -> ErrorBody {
        let fields = match self {
            ApiError::Invalid { fields, .. } => Some(fields.clone()),
            ApiError::NotFound { message, field } => {
                Some(BTreeMap::from([((*field).to_owned(), message.clone())]))
            }
            _ => None,
        };
        ErrorBody {
            message: self.to_string(),
            fields,
        }
    }
}

impl From<store::Error> for ApiError {
    fn from(e: store::Error) -> Self {
        match e {
            store::Error::Invalid(v) => {
                ApiError::fields(v.0.into_iter().map(|f| (f.field.to_owned(), f.message)))
            }
            store::Error::ExtensionNotFound(number) => ApiError::NotFound {
                message: format!("there is no extension {number}"),
                field: "number",
            },
            e @ (store::Error::NotFound(_) | store::Error::InUse { .. }) => {
                ApiError::from_store(e, "id")
            }
            other => ApiError::Store(other),
        }
    }
}

impl ApiError {
    /// A store error about the thing the request names in `field`: "there is no such
    /// thing" and "it is still used by …" are put on that field.
    pub(crate) fn from_store(e: store::Error, field: &'static str) -> ApiError {
        match e {
            store::Error::NotFound(what) => ApiError::NotFound {
                message: format!("there is no {what}"),
                field,
            },
            e @ store::Error::InUse { .. } => ApiError::field(field, e.to_string()),
            other => other.into(),
        }
    }
}

impl From<engine::NotRunning> for ApiError {
    fn from(_: engine::NotRunning) -> Self {
        ApiError::EngineStopped
    }
}

/// An error as the client receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorBody {
    /// A sentence for a person.
    pub message: String,
    /// The refused input fields and, for each, a short sentence without the field's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fields: Option<BTreeMap<String, String>>,
}

/// The body of an HTTP error response.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}
