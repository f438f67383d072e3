//! Dialogs (RFC 3261 §12): the state two user agents share for the life of a call —
//! Call-ID and tags, sequence numbers, where to send in-dialog requests and through
//! which proxies.

mod incoming;
mod outgoing;

use crate::{Method, NameAddr, Request, Response, Uri};

/// What identifies a dialog (§12): Call-ID plus both tags, from our point of view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialogId {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
}

impl DialogId {
    /// The id of the dialog an incoming request belongs to: our tag is in To, theirs in
    /// From (§12.2.2). `None` outside a dialog (no To tag).
    pub fn of_incoming_request(request: &Request) -> Option<DialogId> {
        Some(DialogId {
            call_id: request.call_id()?.to_owned(),
            local_tag: request.to()?.tag()?.to_owned(),
            remote_tag: request.from()?.tag()?.to_owned(),
        })
    }

    /// The id of the dialog a response to our request belongs to: our tag is in From,
    /// theirs in To.
    pub fn of_incoming_response(response: &Response) -> Option<DialogId> {
        Some(DialogId {
            call_id: response.call_id()?.to_owned(),
            local_tag: response.from()?.tag()?.to_owned(),
            remote_tag: response.to()?.tag()?.to_owned(),
        })
    }
}

/// Early (after a 1xx with a To tag) or confirmed (after a 2xx), §12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    Early,
    Confirmed,
}

/// Why a message could not create or continue a dialog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogError {
    #[error("response does not create a dialog")]
    NotDialogCreating,
    #[error("message lacks a tag")]
    MissingTag,
    #[error("message lacks call-id, cseq, from or to")]
    Incomplete,
    #[error("message lacks a contact")]
    MissingContact,
    #[error("request does not belong to this dialog")]
    WrongDialog,
    #[error("cseq out of order")]
    OutOfOrder,
}

impl DialogError {
    /// The status to answer an incoming request that failed this way: 500 for an
    /// out-of-order CSeq (§12.2.2), 481 for an unknown dialog, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            DialogError::OutOfOrder => 500,
            DialogError::WrongDialog => 481,
            _ => 400,
        }
    }
}

/// One dialog, from either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    id: DialogId,
    state: DialogState,
    /// The CSeq of the last request we sent in the dialog; `None` until we send one
    /// (a UAS starts empty, §12.1.1).
    local_seq: Option<u32>,
    /// The CSeq of the last request the peer sent; `None` until it sends one.
    remote_seq: Option<u32>,
    /// CSeq number of the latest INVITE we sent, which its ACK repeats (§13.2.2.4).
    invite_seq: Option<u32>,
    /// Our From/To value, with our tag.
    local: NameAddr,
    /// Their From/To value, with their tag.
    remote: NameAddr,
    /// Where in-dialog requests go: the peer's Contact (§12.1.1, §12.1.2).
    remote_target: Uri,
    /// Proxies that asked to stay on the path (Record-Route), in the order our requests
    /// traverse them.
    route_set: Vec<NameAddr>,
    /// Our Contact, sent in target-refresh requests.
    local_contact: Option<NameAddr>,
}

impl Dialog {
    /// The UAC side (§12.1.2): our request and a 101–299 response with a To tag.
    pub fn from_uac(request: &Request, response: &Response) -> Result<Dialog, DialogError> {
        if !(101..=299).contains(&response.status) {
            return Err(DialogError::NotDialogCreating);
        }
        let remote = response.to().ok_or(DialogError::Incomplete)?;
        let local = request.from().ok_or(DialogError::Incomplete)?;
        let remote_tag = remote.tag().ok_or(DialogError::MissingTag)?.to_owned();
        let local_tag = local.tag().ok_or(DialogError::MissingTag)?.to_owned();
        let cseq = request.cseq().ok_or(DialogError::Incomplete)?;
        let call_id = request.call_id().ok_or(DialogError::Incomplete)?.to_owned();
        // A 2xx must carry a Contact (§12.1.2); a provisional may not, and then the
        // request goes where the INVITE went until the 2xx says otherwise.
        let remote_target = match response.contact_uri() {
            Some(uri) => uri,
            None if response.class() == 1 => request.uri.clone(),
            None => return Err(DialogError::MissingContact),
        };
        let mut route_set = response.record_routes();
        route_set.reverse();
        Ok(Dialog {
            id: DialogId {
                call_id,
                local_tag,
                remote_tag,
            },
            state: state_for(response),
            local_seq: Some(cseq.seq),
            remote_seq: None,
            invite_seq: (request.method == Method::Invite).then_some(cseq.seq),
            local,
            remote,
            remote_target,
            route_set,
            local_contact: request.contacts().and_then(|c| c.addrs().first().cloned()),
        })
    }

    /// The UAS side (§12.1.1): the peer's request and the 101–299 response we send,
    /// which carries our To tag.
    pub fn from_uas(request: &Request, response: &Response) -> Result<Dialog, DialogError> {
        if !(101..=299).contains(&response.status) {
            return Err(DialogError::NotDialogCreating);
        }
        let local = response.to().ok_or(DialogError::Incomplete)?;
        let remote = request.from().ok_or(DialogError::Incomplete)?;
        let local_tag = local.tag().ok_or(DialogError::MissingTag)?.to_owned();
        let remote_tag = remote.tag().ok_or(DialogError::MissingTag)?.to_owned();
        let cseq = request.cseq().ok_or(DialogError::Incomplete)?;
        let call_id = request.call_id().ok_or(DialogError::Incomplete)?.to_owned();
        let remote_target = request.contact_uri().ok_or(DialogError::MissingContact)?;
        Ok(Dialog {
            id: DialogId {
                call_id,
                local_tag,
                remote_tag,
            },
            state: state_for(response),
            local_seq: None,
            remote_seq: Some(cseq.seq),
            invite_seq: None,
            local,
            remote,
            remote_target,
            route_set: request.record_routes(),
            local_contact: response.contacts().and_then(|c| c.addrs().first().cloned()),
        })
    }

    pub fn id(&self) -> &DialogId {
        &self.id
    }

    pub fn state(&self) -> DialogState {
        self.state
    }

    pub fn remote_target(&self) -> &Uri {
        &self.remote_target
    }

    pub fn route_set(&self) -> &[NameAddr] {
        &self.route_set
    }

    pub fn local_seq(&self) -> Option<u32> {
        self.local_seq
    }

    pub fn remote_seq(&self) -> Option<u32> {
        self.remote_seq
    }

    /// Our From (in requests we send) with our tag.
    pub fn local(&self) -> &NameAddr {
        &self.local
    }

    /// Their address with their tag.
    pub fn remote(&self) -> &NameAddr {
        &self.remote
    }

    /// Sets the Contact we put in target-refresh requests (re-INVITE, UPDATE…).
    pub fn set_local_contact(&mut self, contact: NameAddr) {
        self.local_contact = Some(contact);
    }

    /// A response to a request we sent in this dialog (or to the INVITE that created
    /// it): a 2xx confirms an early dialog and fixes its route set (§12.1.2, §13.2.2.4);
    /// a 2xx to a target refresh moves the remote target (§12.2.1.2).
    pub fn on_response(&mut self, response: &Response) {
        if response.class() != 2 {
            return;
        }
        if self.state == DialogState::Early {
            self.state = DialogState::Confirmed;
            let mut route_set = response.record_routes();
            route_set.reverse();
            self.route_set = route_set;
        }
        let refresh = response
            .cseq()
            .is_some_and(|c| is_target_refresh(&c.method));
        if refresh {
            if let Some(target) = response.contact_uri() {
                self.remote_target = target;
            }
        }
    }
}

/// Methods whose Contact moves the remote target (§12.2, RFC 3311, RFC 6665).
fn is_target_refresh(method: &Method) -> bool {
    matches!(
        method,
        Method::Invite | Method::Update | Method::Subscribe | Method::Notify | Method::Refer
    )
}

fn state_for(response: &Response) -> DialogState {
    if response.class() == 1 {
        DialogState::Early
    } else {
        DialogState::Confirmed
    }
}

/// The URI of the first Contact, which is where the peer wants in-dialog requests.
trait ContactUri {
    fn contact_uri(&self) -> Option<Uri>;
}

impl ContactUri for Request {
    fn contact_uri(&self) -> Option<Uri> {
        self.contacts()
            .and_then(|c| c.addrs().first().map(|a| a.uri.clone()))
    }
}

impl ContactUri for Response {
    fn contact_uri(&self) -> Option<Uri> {
        self.contacts()
            .and_then(|c| c.addrs().first().map(|a| a.uri.clone()))
    }
}
