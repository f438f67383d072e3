//! What the user agent is given (an account, local media) and what it reports.

use std::net::SocketAddr;
use std::time::Duration;

use media::sdp::{CodecSpec, Direction, PayloadFormat};
use sip::Transport;

/// One SIP account: where to register and who we are there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The registrar / proxy every request goes to (outbound proxy model).
    pub server: SocketAddr,
    pub transport: Transport,
    /// The SIP domain of our address of record; the server's IP when `None`.
    pub domain: Option<String>,
    /// The user part of our address (`sip:201@office.example`).
    pub user: String,
    /// The digest user name, when it differs from `user`.
    pub auth_user: Option<String>,
    pub password: String,
    pub display_name: Option<String>,
    /// The registration lifetime we ask for, in seconds.
    pub expires: u32,
}

impl Account {
    pub(crate) fn auth_user(&self) -> &str {
        self.auth_user.as_deref().unwrap_or(&self.user)
    }

    pub(crate) fn domain(&self) -> String {
        match &self.domain {
            Some(d) => d.clone(),
            None => self.server.ip().to_string(),
        }
    }
}

/// Our side of a call's audio: where we receive RTP and what we can decode, in order of
/// preference (telephone-event may be listed to offer RFC 4733 keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMedia {
    pub rtp: SocketAddr,
    /// The port we take RTCP on when it is not the one above RTP (written as `a=rtcp`,
    /// RFC 3605 §2.1): another free port, or the RTP port itself when none could be
    /// had. `None`: the port above RTP (RFC 3550 §11).
    pub rtcp_port: Option<u16>,
    pub codecs: Vec<CodecSpec>,
}

/// Names one call of a [`super::UserAgent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub(crate) u64);

/// Who is calling, for the screen and the call history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: Option<String>,
    /// The user part of the URI (the number), or the whole URI when it has none.
    pub number: String,
}

/// What the far end's description says about its audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMedia {
    /// Where to send RTP; `None` while there is nowhere to send (hold, port 0).
    pub addr: Option<SocketAddr>,
    /// The first voice format both sides agreed on.
    pub codec: Option<PayloadFormat>,
    /// The RFC 4733 payload type, when agreed.
    pub telephone_event: Option<u8>,
    /// The direction the far end wrote (its point of view).
    pub direction: Direction,
    /// The SRTP keys agreed (RTP/SAVP with `a=crypto`, RFC 4568); `None`: plain RTP.
    pub srtp: Option<crate::call_media::SrtpKeys>,
    /// Where to send RTCP: the `a=rtcp` port (RFC 3605), else the port above RTP (RFC
    /// 3550 §11); `None` while there is nowhere to send RTP.
    pub rtcp: Option<SocketAddr>,
    /// RTCP shares the RTP port both ways (RFC 5761: `a=rtcp-mux` in offer and answer).
    pub rtcp_mux: bool,
}

/// Where the account's registration stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationEvent {
    Registered {
        expires: u32,
    },
    /// Our binding is removed (after [`super::UserAgent::unregister`]).
    Unregistered,
    /// Registration failed; `retry_in` is when it is tried again (`None`: not retried,
    /// e.g. the password was refused).
    Failed {
        status: u16,
        reason: String,
        retry_in: Option<Duration>,
    },
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// We hung up.
    Local,
    /// The far end hung up (BYE).
    Remote,
    /// The caller gave up before we answered (CANCEL).
    Cancelled,
    /// Our 200 was never acknowledged (RFC 3261 §13.3.1.4).
    NoAck,
}

/// What the user agent tells the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Registration(RegistrationEvent),
    Incoming {
        call: CallHandle,
        caller: Party,
        media: Option<RemoteMedia>,
    },
    /// The far end rings (180) or plays early media (183). `media` is set when the
    /// provisional response carried SDP: the far end's tones are then to be played
    /// instead of a local ring-back (RFC 3960 §3).
    Ringing {
        call: CallHandle,
        media: Option<RemoteMedia>,
    },
    Answered {
        call: CallHandle,
        media: Option<RemoteMedia>,
    },
    /// The call could not be set up.
    Failed {
        call: CallHandle,
        status: u16,
        reason: String,
    },
    Ended {
        call: CallHandle,
        reason: EndReason,
    },
    /// The far end's audio changed (it held or resumed, or our hold was accepted).
    MediaChanged {
        call: CallHandle,
        media: Option<RemoteMedia>,
        held_locally: bool,
    },
    /// An in-call request we sent (re-INVITE, INFO) was refused.
    RequestFailed {
        call: CallHandle,
        status: u16,
    },
    /// A key the far end sent by SIP INFO (application/dtmf-relay).
    Dtmf {
        call: CallHandle,
        key: char,
    },
    /// A transfer we asked for on `call` (REFER) moved on (RFC 3515 §2.4.5).
    Transfer {
        call: CallHandle,
        progress: TransferProgress,
    },
    /// A new call was refused without ringing (486 Busy Here): do-not-disturb is on, or
    /// the phone already has as many calls as it takes.
    Refused {
        caller: Party,
        reason: RefuseReason,
    },
}

/// How a transfer we asked for stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferProgress {
    /// The server took the REFER (202) and tries the target.
    Accepted,
    /// The target's provisional answer (the NOTIFY's sipfrag, e.g. 180).
    Trying(u16),
    /// The target answered: the call leaves this phone.
    Succeeded,
    /// The REFER was refused or the target did not answer (its status); the call stays.
    Failed(u16),
}

/// Why a new call was refused without ringing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefuseReason {
    DoNotDisturb,
    /// Already [`super::MAX_CALLS`] calls.
    TooManyCalls,
}
