//! The seam between the call model and the runtime's media endpoints: sockets where the
//! PBX itself is the far end of a call's audio (voicemail), rather than a relay between
//! two phones.
//!
//! Both uses go through here: a caller leaving a message ([`EndpointUse::Deposit`]) and
//! an owner listening to their mailbox by phone ([`EndpointUse::Listen`], `*97`).
//!
//! The call model allocates an endpoint synchronously, because its address goes straight
//! into the SDP answer; it then asks the runtime to run it with
//! [`crate::Action::PlayAndRecord`] and ends it with [`crate::Action::EndpointClose`]. The
//! runtime reports the end it detected itself (`#`, silence, the length limit) with
//! [`crate::Pbx::voicemail_done`], and the message it saved with
//! [`crate::Pbx::set_message_summary`].

use std::net::{IpAddr, SocketAddr};

/// Names one media endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointId(pub u64);

/// An endpoint's socket: the phone sends its audio to `addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointPort {
    pub id: EndpointId,
    pub addr: SocketAddr,
}

/// What an endpoint answering a call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointUse {
    /// A caller leaves a message: greeting, beep, recording.
    Deposit,
    /// The mailbox's owner dialled `*97`: PIN, then the menu to hear, delete and save
    /// messages and to record the greeting (the fields about the caller are the owner).
    Listen,
}

/// SRTP on an endpoint's socket (RFC 4568 SDES), for a caller that offered it: what the
/// phone sends is unprotected with its key, what the endpoint sends is protected with the
/// PBX's (the one in the answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSrtp {
    pub suite: media::srtp::SrtpSuite,
    /// The phone's key, from its offer.
    pub inbound: media::srtp::SrtpKey,
    /// The PBX's key for this endpoint, named in the answer.
    pub outbound: media::srtp::SrtpKey,
}

/// Allocates endpoint sockets; the runtime binds them, tests hand out fake ports.
pub trait MediaEndpoints {
    /// Binds one socket whose advertised address uses `ip`. `None` when no port is free.
    fn allocate(&mut self, ip: IpAddr) -> Option<EndpointPort>;
}
