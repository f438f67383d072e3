//! The B2BUA call model: a caller's leg (A, where we are the UAS), the forks ringing the
//! callee's devices (B branches, where we are the UAC), and the media relay between them.
//!
//! A call moves Routing → Ringing → Answered → gone. The first branch to answer wins and
//! the others are CANCELled (RFC 3261 §16.7 forking behaviour, done by a B2BUA).

mod anchor;
mod branch;
mod in_dialog;
mod leg;
mod live;
mod setup;
mod teardown;

use std::time::Instant;

use sip::transaction::{ClientKey, Peer, ServerKey};
use sip::{Request, Response};

use crate::action::{Direction, Outcome};
use crate::media_relay::RelayPorts;

pub(crate) use leg::Leg;
pub use live::{LiveCall, LiveState};

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
