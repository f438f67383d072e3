//! The B2BUA call model: a caller's leg (A, where we are the UAS), the forks ringing the
//! callee's devices or a trunk's provider (B branches, where we are the UAC), and the
//! media relay between them.
//!
//! A call moves Routing → Ringing → Answered → gone. While ringing it may go through
//! several steps (a ring group in order, then its final destination; trunks in failover
//! order), each a new set of forks. The first branch to answer wins and the others are
//! CANCELled (RFC 3261 §16.7 forking behaviour, done by a B2BUA).

mod anchor;
mod branch;
mod caller_id;
mod conference;
mod conference_sdp;
mod feature_alone;
mod feature_attended;
mod feature_digits;
mod feature_dtmf;
mod fork;
mod forwarding;
mod forwarding_codes;
mod forwarding_refused;
mod hold;
mod in_dialog;
mod inbound;
mod leg;
mod live;
mod outbound;
mod park;
mod park_held;
mod park_retrieve;
mod pickup;
mod recording;
mod recording_policy;
mod ring_group;
mod route;
mod setup;
pub(crate) mod srtp;
mod srtp_callee;
mod teardown;
mod toll_limits;
mod transcoding;
mod transfer;
mod transfer_attended;
mod transfer_blind;
mod transfer_media;
mod transfer_replaces;
mod transfer_target;
mod trunk_media;
mod voicemail;
mod voicemail_listen;

use std::time::Instant;

use sip::transaction::{ClientKey, Peer, ServerKey};
use sip::{Request, Response};

use crate::action::{Direction, Outcome};
use crate::media_relay::RelayPorts;

pub(crate) use conference::ConferenceState;
pub use conference::{ConferenceJoin, ConferenceRoom};
pub(crate) use feature_dtmf::FeatureState;
pub use forwarding::Forwarding;
pub(crate) use forwarding::ForwardingState;
pub(crate) use leg::Leg;
pub use live::{LiveCall, LiveState};
pub use recording::RECORDINGS_DIR;
pub use recording_policy::{AlwaysRecord, RecordingInfo, RecordingTrigger};
pub(crate) use route::Onward;
pub(crate) use transfer::TransferState;
pub(crate) use trunk_media::TrunkMedia;
pub(crate) use voicemail::VoicemailState;
pub use voicemail::{DEFAULT_MAX_MESSAGE, DEFAULT_SILENCE};

/// Names a call inside the PBX.
pub(crate) type CallId = u64;

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Branches sent, no final answer yet.
    Ringing,
    /// One branch answered; A has been sent 200 (awaiting or past its ACK).
    Answered,
    /// Over for the caller; waiting only for branches to finish (a late 2xx is ACKed
    /// and sent BYE, RFC 3261 §15 via §13.2.2.4).
    Ended,
}

/// A fork of the outgoing INVITE, one per registered device (RFC 3261 §16.6).
#[derive(Debug)]
pub(crate) struct Branch {
    pub key: ClientKey,
    pub invite: Request,
    pub target: Peer,
    pub state: BranchState,
    /// Who this fork rings: the extension, or the number sent out by a trunk.
    pub callee: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BranchState {
    Calling,
    /// A provisional response arrived (CANCEL may be sent now, §9.1).
    Proceeding,
    /// CANCEL sent (possibly before any provisional: then it goes out once one arrives).
    Cancelling,
    /// Final non-2xx status.
    Failed(u16),
    Answered,
    /// Answered after another fork won or the caller gave up: ACKed and sent BYE
    /// (RFC 3261 §13.2.2.4 / §15).
    Released,
}

/// A call between a caller and an extension's devices.
#[derive(Debug)]
pub(crate) struct Call {
    pub id: CallId,
    pub phase: Phase,
    /// The caller's INVITE transaction, until it has a final response.
    pub a_invite: Option<ServerKey>,
    /// The caller's original INVITE, to build responses on it.
    pub a_request: Request,
    /// Where the PBX's indexes point at this call, so forgetting it touches only them.
    pub index: IndexKeys,
    /// Dialog with the caller; `remote_tag` is the caller's From tag.
    pub a: Leg,
    pub branches: Vec<Branch>,
    /// The dialog with the device that answered.
    pub b: Option<Leg>,
    /// Which branch answered (index into `branches`).
    pub winner: Option<usize>,
    pub relay: Option<RelayPorts>,
    pub ring_deadline: Option<Instant>,
    /// In-dialog requests forwarded from one side to the other, awaiting the answer:
    /// (client transaction on the far side, server transaction on the near side).
    pub forwarded: Vec<Forwarded>,
    /// A re-INVITE without an offer whose 2xx we have not ACKed yet: the answer comes in
    /// the originator's ACK and must travel on to the far side (RFC 3264 §5).
    pub pending_ack: Option<PendingAck>,
    /// The best final response so far among failed branches (§16.7 step 6).
    pub best_failure: Option<Response>,
    pub record: Draft,
    /// What is left to try when the forks ringing now give up or ring out.
    pub onward: Onward,
    /// How the callee side sees the caller: From of every fork (tag added per call).
    pub b_from: String,
    /// The caller's offer as the callee side sees it (anchored once the relay exists).
    pub b_offer: Option<(String, Vec<u8>)>,
    /// CSeq of the latest INVITE on the callee side: each ring step and each
    /// authenticated retry takes the next one, so a device that rang before never sees
    /// the same request twice (RFC 3261 §8.2.2.2 merged requests).
    pub b_cseq: u32,
    /// Max-Forwards for the forks (the caller's value less one, §16.6 step 3).
    pub max_forwards: u32,
    /// Trunk lines this call holds, released when it ends.
    pub lines: Vec<crate::dialplan::TrunkId>,
    /// What the trunk the call goes through carries (the inbound call's trunk, or the
    /// trunk an outbound call is trying now): every SDP of the call is narrowed to it.
    pub trunk_media: Option<TrunkMedia>,
    /// Trunks an outbound call skipped because the caller offered none of their codecs,
    /// as `name (codecs)`, for the record when no trunk takes the call.
    pub codec_mismatches: Vec<String>,
    /// The caller's extension, for an internal caller: a group it belongs to does not
    /// ring its own phones.
    pub caller_extension: Option<String>,
    /// Whether any fork was sent (the call "rang"): only then do the live views hear of it.
    pub rang: bool,
    /// A ring step rang out unanswered: if nothing else answers, the caller hears
    /// "no answer" rather than the failure of a cancelled fork.
    pub rang_out: bool,
    /// Which side hears music on hold.
    pub hold: hold::HoldState,
    /// The recording running on the call, if any.
    pub recording: recording::RecordingState,
    /// The formats the runtime transcodes between, while the legs share no codec.
    pub transcoding: Option<transcoding::Formats>,
}

/// An in-dialog request from one side, sent on to the other.
#[derive(Debug)]
pub(crate) struct Forwarded {
    /// Our client transaction towards the far side.
    pub client: ClientKey,
    /// The originator's server transaction and request, answered when the far side answers.
    pub server: ServerKey,
    pub request: Request,
    pub from: crate::Side,
}

/// See [`Call::pending_ack`].
#[derive(Debug)]
pub(crate) struct PendingAck {
    pub invite: ClientKey,
    /// The side that sent the re-INVITE, whose ACK we wait for.
    pub from: crate::Side,
    /// CSeq number of the re-INVITE as sent to the far side.
    pub seq: u32,
}

/// The entries of [`crate::core::Pbx`]'s indexes that name a call (besides its client
/// transactions, which the branches and forwarded requests list).
#[derive(Debug, Clone)]
pub(crate) struct IndexKeys {
    /// The caller's INVITE transaction (kept after its final response, for AckTimeout).
    pub server: ServerKey,
    /// (Call-ID, our tag) of the caller's dialog and of the callee side's.
    pub a_dialog: (String, String),
    pub b_dialog: (String, String),
}

/// What the call record will say, filled in as the call progresses.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub caller_number: String,
    pub caller_name: Option<String>,
    pub callee: String,
    pub answered_by: Option<String>,
    pub started_at: u64,
    pub answered_at: Option<u64>,
    pub outcome: Option<Outcome>,
    pub business_name: Option<String>,
    /// The trunk's name.
    pub trunk: Option<String>,
    pub direction: Direction,
    pub lines_busy: bool,
}

impl Call {
    pub fn leg(&self, side: crate::Side) -> Option<&Leg> {
        match side {
            crate::Side::A => Some(&self.a),
            crate::Side::B => self.b.as_ref(),
        }
    }

    pub fn leg_mut(&mut self, side: crate::Side) -> Option<&mut Leg> {
        match side {
            crate::Side::A => Some(&mut self.a),
            crate::Side::B => self.b.as_mut(),
        }
    }

    pub fn branch_index(&self, key: ClientKey) -> Option<usize> {
        self.branches.iter().position(|b| b.key == key)
    }

    /// Whether some fork may still send a final response.
    pub fn branches_pending(&self) -> bool {
        self.branches.iter().any(|b| {
            matches!(
                b.state,
                BranchState::Calling | BranchState::Proceeding | BranchState::Cancelling
            )
        })
    }

    /// Whether every branch has finished without answering.
    pub fn all_branches_failed(&self) -> bool {
        self.branches
            .iter()
            .all(|b| matches!(b.state, BranchState::Failed(_)))
    }
}
