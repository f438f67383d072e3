//! SIP for Switchboard: messages, and on top of them transactions, dialogs and digest
//! authentication. Sans-IO: nothing here touches a socket or reads the clock.
//!
//! The message layer parses bytes from the network into [`Message`] (never panicking on
//! malformed input), frames byte streams ([`StreamFramer`]), checks requests before a UAS
//! acts on them ([`check_request`]) and serialises messages with a correct Content-Length.

pub mod auth;
mod check;
pub mod dialog;
mod error;
mod framing;
mod header_name;
mod headers;
mod host;
mod message;
mod method;
mod params;
mod scan;
pub mod transaction;
mod transport;
mod uri;
mod uri_compare;

pub use check::{check_request, Rejection, RequestCheck};
pub use error::{FramingError, ParseError};
pub use framing::{Frame, StreamFramer};
pub use headers::Headers;
pub use host::Host;
pub use message::error_response::error_response;
pub use message::name_addr::{Contacts, NameAddr};
pub use message::parse::parse;
pub use message::via::{CSeq, Via, ViaTransport};
pub use message::{default_reason, Message, Request, Response};
pub use method::Method;
pub use params::Params;
pub use transport::Transport;
pub use uri::{Scheme, Uri};
