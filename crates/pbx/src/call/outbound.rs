//! Calls out through trunks: the route's trunks in order, skipping one whose channels
//! are all busy, answering the provider's digest challenge once with the trunk's
//! credentials (RFC 3261 §22.2/§22.3), and failing over to the next trunk when one
//! cannot take the call.

use std::collections::VecDeque;
use std::time::Instant;

use sip::{Host, NameAddr, Response, Uri};

use super::fork::Fork;
use super::route::{Refusal, TrunkAttempt};
use super::{BranchState, CallId, Onward, Phase, TrunkMedia};
use crate::action::Outcome;
use crate::core::Pbx;
use crate::dialplan::{Trunk, TrunkId};

impl Pbx {
    /// Sends the call to the next trunk that has a free channel and an address.
    /// Returns whether a trunk is ringing.
    pub(crate) fn try_next_trunk(&mut self, now: Instant, id: CallId) -> bool {
        loop {
            let Some(call) = self.calls.get_mut(&id) else {
                return false;
            };
            let Onward::Trunks { targets, current } = &mut call.onward else {
                return false;
            };
            *current = None;
            let Some((trunk_id, number)) = targets.pop_front() else {
                return false;
            };
            let caller = call.record.caller_number.clone();
            let caller_name = call.record.caller_name.clone();
            let Some(trunk) = self.plan.trunk(trunk_id).filter(|t| t.enabled).cloned() else {
                continue;
            };
            // A trunk whose codecs the phone neither offers nor can be transcoded to
            // cannot carry its audio; the next one may (RFC 3261 §21.4.26).
            let trunk_media = TrunkMedia::of(&trunk);
            let request = &call.a_request;
            if !trunk_media.reachable(request.content_type(), &request.body) {
                tracing::info!(trunk = trunk_id, "trunk skipped: no codec in common");
                let mismatch = format!("trunk {} ({})", trunk.name, trunk_media.codec_list());
                call.codec_mismatches.push(mismatch);
                continue;
            }
            let Some(peer) = self.trunks.target(trunk_id) else {
                tracing::debug!(trunk = trunk_id, "trunk skipped: its address is not known");
                continue;
            };
            let Some(fork) = trunk_fork(&trunk, &number, &caller, caller_name.as_deref(), peer)
            else {
                tracing::warn!(
                    trunk = trunk_id,
                    "trunk skipped: its host is not a SIP host"
                );
                continue;
            };
            if !self.trunks.acquire_line(trunk_id) {
                if let Some(call) = self.calls.get_mut(&id) {
                    call.record.lines_busy = true;
                }
                continue;
            }
            if self.anchor_media(id, peer).is_err() {
                self.trunks.release_line(trunk_id);
                return false;
            }
            if let Some(call) = self.calls.get_mut(&id) {
                call.b_cseq += 1;
                call.trunk_media = Some(trunk_media);
            }
            if !self.send_fork(now, id, fork) {
                self.trunks.release_line(trunk_id);
                continue;
            }
            if let Some(call) = self.calls.get_mut(&id) {
                call.lines.push(trunk_id);
                call.record.trunk = Some(trunk.name.clone());
                // The line was free after all: lines_busy speaks of calls that found none.
                call.record.lines_busy = false;
                if let Onward::Trunks { current, .. } = &mut call.onward {
                    *current = Some(TrunkAttempt {
                        trunk: trunk_id,
                        authenticated: false,
                    });
                }
            }
            return true;
        }
    }

    /// Starts an outbound call's first trunk, or refuses the call when none can take it.
    pub(crate) fn start_trunks(&mut self, now: Instant, id: CallId) {
        if self.try_next_trunk(now, id) {
            let deadline = now + self.config.ring_timeout;
            return self.rang(id, deadline);
        }
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let refusal = if call.record.lines_busy {
            Refusal::new(
                503,
                "Service Unavailable",
                Outcome::Busy,
                "503 Service Unavailable: every trunk line is busy",
            )
        } else if !call.codec_mismatches.is_empty() {
            let detail = format!(
                "488 Not Acceptable Here: no codec of the phone's reaches {}, even transcoded",
                call.codec_mismatches.join(" or ")
            );
            Refusal::new(488, "Not Acceptable Here", Outcome::Failed, &detail)
        } else {
            Refusal::unavailable("480 Temporarily Unavailable: no trunk could take the call")
        };
        self.refuse_call(now, id, refusal);
    }

    /// A trunk's fork failed. Answers a digest challenge once, or fails over to the
    /// next trunk on a timeout, transport error or 5xx. Returns whether the call goes
    /// on (so the failure is not the caller's answer).
    pub(crate) fn trunk_fork_failed(
        &mut self,
        now: Instant,
        id: CallId,
        idx: usize,
        response: &Response,
    ) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        if call.phase != Phase::Ringing {
            return false;
        }
        let Onward::Trunks {
            current: Some(attempt),
            ..
        } = &mut call.onward
        else {
            return false;
        };
        let trunk = attempt.trunk;
        match response.status {
            401 | 407 if !attempt.authenticated => {
                attempt.authenticated = true;
                self.answer_challenge(now, id, idx, trunk, response)
            }
            // RFC 3261 §21.5/§8.1.3.1: the provider (or the way to it) failed, another
            // may not; 4xx and 6xx are about the call itself and end it.
            408 | 500..=599 => {
                tracing::info!(
                    trunk,
                    status = response.status,
                    "failing over to the next trunk"
                );
                if let Some(pos) = call.lines.iter().position(|l| *l == trunk) {
                    call.lines.remove(pos);
                    self.trunks.release_line(trunk);
                }
                self.try_next_trunk(now, id)
            }
            _ => false,
        }
    }

    /// Sends the failed fork's INVITE again with credentials for `trunk`
    /// (RFC 3261 §22.2: same Call-ID and tags, next CSeq).
    fn answer_challenge(
        &mut self,
        now: Instant,
        id: CallId,
        idx: usize,
        trunk: TrunkId,
        response: &Response,
    ) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let Some(branch) = call.branches.get(idx) else {
            return false;
        };
        let Some(credentials) = self.trunks.credentials(trunk) else {
            tracing::warn!(
                trunk,
                "provider challenged a call on a trunk without credentials"
            );
            return false;
        };
        let mut invite = branch.invite.clone();
        let uri = invite.uri.to_string();
        let Some((header, value)) = credentials.answer(response, "INVITE", &uri, &mut self.rng)
        else {
            tracing::warn!(trunk, "provider's challenge cannot be answered");
            return false;
        };
        let (target, callee) = (branch.target, branch.callee.clone());
        debug_assert!(matches!(branch.state, BranchState::Failed(_)));
        call.b_cseq += 1;
        invite
            .headers
            .set("CSeq", format!("{} INVITE", call.b_cseq));
        invite.headers.remove("Authorization");
        invite.headers.remove("Proxy-Authorization");
        invite.headers.push(header, value);
        self.send_branch(now, id, invite, target, callee)
    }
}

/// The INVITE towards a trunk for `number`: Request-URI and To `sip:<number>@<host>`,
/// From the user the provider requires (else the caller ID, else the extension) with
/// the caller's display name, and the caller ID asserted in P-Asserted-Identity
/// (RFC 3325 §9.1) when the trunk has one.
fn trunk_fork(
    trunk: &Trunk,
    number: &str,
    extension: &str,
    caller_name: Option<&str>,
    peer: sip::transaction::Peer,
) -> Option<Fork> {
    let (host, port) = Host::parse_with_port(trunk.host.trim()).ok()?;
    let port = trunk.port.or(port);
    let uri_for = |user: &str| {
        let mut uri = Uri::sip(Some(user), host.clone());
        uri.port = port;
        uri
    };
    let from_user = nonempty(&trunk.from_user)
        .or(nonempty(&trunk.caller_id))
        .unwrap_or(extension);
    let mut from = NameAddr::new(uri_for(from_user));
    // Quoted and escaped when written (RFC 3261 §25.1 quoted-string), so a name cannot
    // add header text.
    from.display_name = caller_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let mut extra = Vec::new();
    if let Some(caller_id) = nonempty(&trunk.caller_id) {
        extra.push((
            "P-Asserted-Identity",
            NameAddr::new(uri_for(caller_id)).to_string(),
        ));
    }
    Some(Fork {
        uri: uri_for(number),
        to: NameAddr::new(uri_for(number)).to_string(),
        from: Some(from.to_string()),
        target: peer,
        callee: number.to_owned(),
        extra,
        to_phone: false,
    })
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The trunks an outbound call will try, in order.
pub(crate) fn trunk_onward(targets: Vec<(TrunkId, String)>) -> Onward {
    Onward::Trunks {
        targets: VecDeque::from(targets),
        current: None,
    }
}
