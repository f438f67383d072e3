//! The transaction layer (RFC 3261 §17, with the Accepted states of RFC 6026).
//!
//! [`Endpoint`] is sans-IO: the runtime hands it datagrams (or framed stream messages)
//! and the time, and drains [`Transmit`]s and [`Event`]s from it. It matches requests
//! and responses to transactions, absorbs and answers retransmissions, runs timers A–M
//! as a table, and offers the TU two services every user agent needs: 100 Trying for
//! slow INVITEs and retransmission of 2xx responses until their ACK.
//!
//! ```
//! use std::time::Instant;
//! use sip::transaction::{Endpoint, EndpointConfig, Event, Peer};
//! use sip::{Response, Transport};
//!
//! let config = EndpointConfig::new("192.0.2.20".parse().unwrap(), Some(5060));
//! let mut endpoint = Endpoint::new(config);
//! let now = Instant::now();
//! let phone = Peer { transport: Transport::Udp, addr: "192.0.2.10:5060".parse().unwrap() };
//! let register = "REGISTER sip:office.example SIP/2.0\r\n\
//!     Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK776asdhds\r\n\
//!     Max-Forwards: 70\r\nFrom: <sip:201@office.example>;tag=1\r\n\
//!     To: <sip:201@office.example>\r\nCall-ID: a1\r\nCSeq: 1 REGISTER\r\n\
//!     Content-Length: 0\r\n\r\n";
//!
//! endpoint.handle_datagram(now, phone, register.as_bytes());
//! while let Some(event) = endpoint.poll_event() {
//!     if let Event::Request { key, request, .. } = event {
//!         let ok = Response::for_request(&request, 200, "OK");
//!         endpoint.send_response(now, &key, ok).unwrap();
//!     }
//! }
//! let transmit = endpoint.poll_transmit().unwrap(); // the engine sends this
//! assert_eq!(transmit.dest, phone.addr);
//! let _wake_at = endpoint.poll_timeout(); // then call handle_timeout(now) at that time
//! ```

mod build;
mod client_invite;
mod client_non_invite;
mod endpoint;
mod inbound;
mod outbox;
mod registry;
mod server_invite;
mod server_non_invite;
mod timer;
mod via_ext;

use std::net::SocketAddr;

use crate::{Request, Response, Transport};

pub use endpoint::{Endpoint, EndpointConfig};
pub use timer::{Timer, TimerConfig};

/// One end of a hop: the transport and the socket address on the far side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Peer {
    pub transport: Transport,
    pub addr: SocketAddr,
}

/// Where a message came from.
pub type Source = Peer;
/// Where a request is to be sent (already resolved per RFC 3263 by the caller).
pub type Target = Peer;

/// Bytes for the runtime to put on the wire. On a stream transport `dest` names the
/// connection (the engine opens one if it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    pub transport: Transport,
    pub dest: SocketAddr,
    pub bytes: Vec<u8>,
}

/// Names a client transaction (a request this endpoint sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientKey(u64);

/// Names a server transaction (a request this endpoint received).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerKey(u64);

/// What the transaction layer tells the TU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new request (not a retransmission). Answer it with [`Endpoint::send_response`].
    /// The top Via already carries `received`/`rport` (RFC 3581 §4).
    Request {
        key: ServerKey,
        request: Request,
        source: Source,
    },
    /// An ACK outside any transaction: the ACK for a 2xx (RFC 3261 §13.3.1.4). `invite`
    /// names the INVITE transaction whose 2xx it acknowledges, when still known; its 2xx
    /// retransmissions have stopped.
    Ack {
        request: Request,
        source: Source,
        invite: Option<ServerKey>,
    },
    /// A CANCEL matched an INVITE that has no final response yet. The transaction layer
    /// has answered the CANCEL with 200; the TU should answer `invite` with 487
    /// (RFC 3261 §9.2).
    Cancelled { invite: ServerKey, request: Request },
    /// A response to a request we sent. After an INVITE's 2xx every further 2xx (from
    /// other forks) is passed up too (RFC 6026 §7.2) so each can be ACKed.
    Response {
        key: ClientKey,
        response: Response,
        source: Source,
    },
    /// No final response in time (Timer B or F): treat as 408 (RFC 3261 §8.1.3.1).
    Timeout { key: ClientKey },
    /// The runtime reported that the target could not be reached (§8.1.3.1: treat as 503).
    TransportError { key: ClientKey },
    /// A final response was never acknowledged. For a 2xx the TU should end the call
    /// with BYE (§13.3.1.4); for other finals (Timer H) it is informational.
    AckTimeout { key: ServerKey },
}

/// Misuse of the transaction API by the TU (not a network fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionError {
    #[error("no such transaction")]
    UnknownTransaction,
    #[error("transaction already sent its final response")]
    AlreadyFinal,
    #[error("response status out of range")]
    BadStatus,
    #[error("request lacks call-id or cseq")]
    Incomplete,
    #[error("cancel needs a pending invite")]
    NotCancellable,
    #[error("ack is sent with send_ack, not as a transaction")]
    NotATransaction,
    #[error("top via is malformed")]
    BadVia,
}
