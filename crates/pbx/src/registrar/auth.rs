//! Digest authentication of requests from extensions (RFC 3261 §22, RFC 7616, RFC 8760).
//!
//! One path for REGISTER and for the calls phones place, so both get the same challenge,
//! the same `stale` handling and the same cost for unknown and known users.

use std::time::Instant;

use sip::auth::Verdict;
use sip::{Request, Response};

use super::reply::Reply;
use super::{AuthResult, Registrar};

/// How one check of credentials went, for the runtime's failure counters and bans
/// ([`crate::guard::Guard`]); a request without credentials or with a stale nonce is
/// neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthOutcome {
    Failed,
    Succeeded,
}

/// The outcome of [`Registrar::authenticate_request`].
#[derive(Debug)]
pub enum CallerAuth {
    /// The request proved the credentials of this extension.
    Authorized(String),
    /// Send this 401 instead of handling the request: there were no credentials, they were
    /// wrong (for a known or unknown user alike) or stale.
    Challenge(Response),
}

impl Registrar {
    /// Authenticates a request an extension sends (INVITE, MESSAGE, SUBSCRIBE, …). The
    /// PBX answers calls as a UAS, so it challenges with 401 and WWW-Authenticate
    /// (RFC 3261 §22.1) and reads Authorization; Proxy-Authorization is accepted too
    /// because some phones answer that way. Never call it for ACK or CANCEL, which cannot
    /// be challenged (RFC 3261 §22.1).
    pub fn authenticate_request(&mut self, now: Instant, request: &Request) -> CallerAuth {
        let credentials = request
            .headers
            .get_all("Authorization")
            .chain(request.headers.get_all("Proxy-Authorization"))
            .find(|v| super::view::is_digest(v));
        match self.verify(now, request.method.as_str(), credentials) {
            Ok(user) => CallerAuth::Authorized(user),
            Err((reply, _)) => {
                let tag = self.next_tag();
                CallerAuth::Challenge(reply.into_response(request, tag))
            }
        }
    }

    /// RFC 3261 §22.2 / RFC 7616 §3.3: no or bad credentials get a fresh challenge, SHA-256
    /// then MD5; an expired nonce or a replayed nonce-count gets one with `stale=true`.
    pub(super) fn verify(
        &mut self,
        now: Instant,
        method: &str,
        credentials: Option<&str>,
    ) -> Result<String, (Reply, AuthResult)> {
        let Some(credentials) = credentials else {
            return Err(self.challenge(now, false, AuthResult::Challenged));
        };
        let directory = &self.directory;
        let verdict = self.digest.verify(now, method, credentials, |user, realm| {
            directory.secret(user, realm)
        });
        match verdict {
            Verdict::Authorized { user } => {
                self.auth_outcomes.push(AuthOutcome::Succeeded);
                Ok(user)
            }
            Verdict::Stale => Err(self.challenge(now, true, AuthResult::Stale)),
            Verdict::Rejected => {
                self.auth_outcomes.push(AuthOutcome::Failed);
                Err(self.challenge(now, false, AuthResult::Failed))
            }
        }
    }

    /// The credential checks since the last call, oldest first. The runtime calls it
    /// after each message it hands in, so every outcome belongs to that message's source.
    pub fn take_auth_outcomes(&mut self) -> Vec<AuthOutcome> {
        std::mem::take(&mut self.auth_outcomes)
    }

    fn challenge(&mut self, now: Instant, stale: bool, auth: AuthResult) -> (Reply, AuthResult) {
        let values = self.digest.challenge(now, &self.config.realm, stale);
        (Reply::challenge(values), auth)
    }
}
