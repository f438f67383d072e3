//! One call's state: the INVITE that set it up, its dialog and its media.

use sip::auth::ChallengeOrigin;
use std::time::Instant;

use sip::dialog::Dialog;
use sip::transaction::{ClientKey, ServerKey};
use sip::Request;

use super::auth::Auth;
use super::media::LocalSdp;
use super::types::{CallHandle, RemoteMedia};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Our INVITE is out, no ringing yet.
    Calling,
    /// The far end rings (180/183).
    Ringing,
    /// We gave up: CANCEL sent, waiting for the INVITE's final answer (RFC 3261 §9.1).
    Cancelling,
    /// An INVITE came in and rings here.
    Incoming,
    /// Answered, by either side.
    Established,
}

/// What a client transaction of a call was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Invite,
    /// A re-INVITE putting the call on hold (`true`) or taking it off.
    Hold(bool),
    Bye,
    Cancel,
    Info,
    /// A REFER asking the server to transfer the call (RFC 3515).
    Refer,
}

#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) handle: CallHandle,
    pub(crate) state: State,
    /// Outgoing: the INVITE last sent (re-sent with credentials after a 401/407).
    pub(crate) invite: Option<Request>,
    pub(crate) invite_key: Option<ClientKey>,
    pub(crate) auth: Auth,
    /// Origins whose credentials the last INVITE carried.
    pub(crate) answered: Vec<ChallengeOrigin>,
    /// Incoming: the INVITE and its server transaction, until answered or ended.
    pub(crate) incoming: Option<(ServerKey, Request)>,
    /// Incoming: the To (with our tag) of the responses we send.
    pub(crate) local_to: Option<String>,
    pub(crate) dialog: Option<Dialog>,
    pub(crate) sdp: Option<LocalSdp>,
    pub(crate) remote: Option<RemoteMedia>,
    /// Incoming INVITE without an offer: our 200 offers and the ACK answers (§13.2.1).
    pub(crate) late_offer: bool,
    pub(crate) held: bool,
    /// We sent the INVITE that made the call, so we chose its Call-ID (RFC 3261 §14.1
    /// waits longer before retrying a re-INVITE then).
    pub(crate) outgoing: bool,
    /// A re-INVITE refused with 491 is sent again at this time, holding or not.
    pub(crate) retry_reinvite: Option<(Instant, bool)>,
    /// Incoming: our 200's server transaction, until its ACK arrives.
    pub(crate) awaiting_ack: Option<ServerKey>,
    /// A re-INVITE of ours is pending; a crossing one is answered 491 (§14.2).
    pub(crate) reinviting: bool,
    /// A REFER of ours is under way: its NOTIFYs are read, a second one refused.
    pub(crate) transferring: bool,
}

impl Call {
    pub(crate) fn new(handle: CallHandle, state: State) -> Self {
        Call {
            handle,
            state,
            invite: None,
            invite_key: None,
            auth: Auth::default(),
            answered: Vec::new(),
            incoming: None,
            local_to: None,
            dialog: None,
            sdp: None,
            remote: None,
            late_offer: false,
            held: false,
            awaiting_ack: None,
            outgoing: state == State::Calling,
            retry_reinvite: None,
            reinviting: false,
            transferring: false,
        }
    }
}
