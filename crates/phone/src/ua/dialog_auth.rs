//! Challenges to requests inside a call (RFC 3261 §22.2, §22.3): a server may ask a BYE,
//! re-INVITE or INFO for credentials as it asked the INVITE. We answer once per origin
//! with the account's password, as a new request of the dialog (§22.2: a new CSeq).

use std::collections::HashMap;
use std::time::Instant;

use sip::auth::ChallengeOrigin;
use sip::transaction::ClientKey;
use sip::{CSeq, Request, Response};

use super::auth::{origin_of, Auth, ChallengeOutcome};
use super::call::Purpose;
use super::types::CallHandle;
use super::UserAgent;
use crate::Error;

/// An in-dialog request under way, kept until its final answer so a challenge can be
/// answered, also after the call is gone (a BYE).
#[derive(Debug)]
pub(crate) struct InDialog {
    request: Request,
    auth: Auth,
    /// The origins whose credentials it carried.
    answered: Vec<ChallengeOrigin>,
}

/// The in-dialog requests under way, by transaction.
pub(crate) type InDialogRequests = HashMap<ClientKey, InDialog>;

impl UserAgent {
    /// Sends `request` inside the call `handle` and remembers it for a challenge.
    pub(crate) fn send_in_dialog(
        &mut self,
        now: Instant,
        handle: CallHandle,
        purpose: Purpose,
        request: Request,
    ) -> Result<ClientKey, Error> {
        let auth = self
            .calls
            .get(&handle)
            .map(|c| c.auth.clone())
            .unwrap_or_default();
        let kept = request.clone();
        let key = self.endpoint.send_request(now, request, self.server())?;
        self.pending.insert(key, (handle, purpose));
        self.in_dialog.insert(
            key,
            InDialog {
                request: kept,
                auth,
                answered: Vec::new(),
            },
        );
        Ok(key)
    }

    /// A 401/407 to an in-dialog request: sends it again with credentials and returns
    /// true, or false when the challenge cannot be answered (a second one for the same
    /// origin means the password is refused), so the caller reports the failure.
    pub(crate) fn answer_in_dialog_challenge(
        &mut self,
        now: Instant,
        key: ClientKey,
        handle: CallHandle,
        purpose: Purpose,
        response: &Response,
    ) -> bool {
        let Some(mut sent) = self.in_dialog.remove(&key) else {
            return false;
        };
        let answered = origin_of(response).is_some_and(|o| sent.answered.contains(&o));
        if sent.auth.on_challenge(response, answered, &mut self.rng) == ChallengeOutcome::Refused {
            return false;
        }
        let mut request = self.renumbered(handle, &sent.request);
        request.headers.remove("Authorization");
        request.headers.remove("Proxy-Authorization");
        let user = self.account.auth_user().to_owned();
        sent.auth
            .authorize(&mut request, &user, &self.account.password);
        let answered: Vec<ChallengeOrigin> = [ChallengeOrigin::Server, ChallengeOrigin::Proxy]
            .into_iter()
            .filter(|&o| sent.auth.has(o))
            .collect();
        if let Some(call) = self.calls.get_mut(&handle) {
            // Later requests of the call start from what this challenge taught.
            call.auth = sent.auth.clone();
        }
        let kept = request.clone();
        let Ok(new_key) = self.endpoint.send_request(now, request, self.server()) else {
            return false;
        };
        self.pending.insert(new_key, (handle, purpose));
        self.in_dialog.insert(
            new_key,
            InDialog {
                request: kept,
                auth: sent.auth,
                answered,
            },
        );
        true
    }

    /// Forgets an in-dialog request that got its final answer.
    pub(crate) fn in_dialog_done(&mut self, key: ClientKey) {
        self.in_dialog.remove(&key);
    }

    /// `original` with the dialog's next CSeq (RFC 3261 §22.2), and the dialog's current
    /// Contact; with the CSeq one higher when the call is gone (a BYE: nothing else is
    /// sent in its dialog any more).
    fn renumbered(&mut self, handle: CallHandle, original: &Request) -> Request {
        let mut request = original.clone();
        let fresh = self
            .calls
            .get_mut(&handle)
            .and_then(|c| c.dialog.as_mut())
            .map(|d| d.create_request(original.method.clone()));
        match fresh {
            Some(fresh) => {
                for name in ["CSeq", "Contact"] {
                    request.headers.remove(name);
                    if let Some(value) = fresh.headers.get(name) {
                        request.headers.push(name, value.to_owned());
                    }
                }
            }
            None => {
                if let Some(cseq) = original.cseq() {
                    let next = CSeq {
                        seq: cseq.seq.wrapping_add(1),
                        method: cseq.method,
                    };
                    request.headers.set("CSeq", next.to_string());
                }
            }
        }
        request
    }
}
