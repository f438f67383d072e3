//! The callee side of SRTP: the phones the PBX calls are offered it (see `send_fork`),
//! a refusal of an optional offer is retried plain, and a phone that must encrypt yet
//! answers plain RTP is hung up.

use super::srtp::offered_crypto;

/// Whether the phone that answered a call was offered SRTP (by the PBX, see
/// `send_fork`) and so runs it on the callee side.
pub(crate) fn callee_runs_srtp(call: &super::Call) -> bool {
    call.winner
        .and_then(|i| call.branches.get(i))
        .is_some_and(|b| request_offers_srtp(&b.invite))
}

/// Whether a request's body offers SRTP (RTP/SAVP audio).
pub(crate) fn request_offers_srtp(request: &sip::Request) -> bool {
    super::anchor::sdp_of(request.content_type(), &request.body)
        .ok()
        .flatten()
        .is_some_and(|sdp| super::srtp::wants_srtp(&sdp))
}

impl crate::Pbx {
    /// A phone refused the SRTP the PBX offered it (488 Not Acceptable Here, 415, 606):
    /// when encryption is only optional for it, the same fork is sent again with plain
    /// RTP/AVP (next CSeq, as for a retry with credentials). True when it was.
    pub(crate) fn retry_fork_without_srtp(
        &mut self,
        now: std::time::Instant,
        id: super::CallId,
        idx: usize,
        status: u16,
    ) -> bool {
        if !matches!(status, 415 | 488 | 606) {
            return false;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let (Some(branch), Some((content_type, body))) = (call.branches.get(idx), &call.b_offer)
        else {
            return false;
        };
        // Only the PBX's own offers to phones are secure on this side (the caller's keys
        // never leave the PBX), so a secure fork is one it may weaken.
        if !request_offers_srtp(&branch.invite) {
            return false;
        }
        let requires = self
            .registrar
            .directory()
            .get(&branch.callee)
            .is_some_and(|e| e.srtp_required);
        let rule = self.config.srtp.towards_phone(branch.target, requires);
        if rule != crate::srtp_policy::CalleeSrtp::Optional {
            return false;
        }
        tracing::info!(
            callee = %branch.callee,
            status,
            "phone refused SRTP: calling it again with plain RTP"
        );
        let mut invite = branch.invite.clone();
        let (target, callee) = (branch.target, branch.callee.clone());
        invite.headers.set("Content-Type", content_type.as_str());
        invite.body = body.clone();
        call.b_cseq += 1;
        invite
            .headers
            .set("CSeq", format!("{} INVITE", call.b_cseq));
        self.send_branch(now, id, invite, target, callee)
    }
}

impl crate::Pbx {
    /// Whether fork `idx` of call `id`, offered SRTP because its phone must encrypt, was
    /// answered without it.
    pub(crate) fn plain_answer_where_srtp_required(
        &self,
        id: super::CallId,
        idx: usize,
        response: &sip::Response,
    ) -> bool {
        let Some(branch) = self.calls.get(&id).and_then(|c| c.branches.get(idx)) else {
            return false;
        };
        if !request_offers_srtp(&branch.invite) {
            return false;
        }
        let answer = super::anchor::sdp_of(response.content_type(), &response.body);
        let Ok(Some(answer)) = answer else {
            return false; // no answer to judge here
        };
        if offered_crypto(&answer).is_some() {
            return false;
        }
        let requires = self
            .registrar
            .directory()
            .get(&branch.callee)
            .is_some_and(|e| e.srtp_required);
        self.config.srtp.towards_phone(branch.target, requires)
            == crate::srtp_policy::CalleeSrtp::Required
    }
}
