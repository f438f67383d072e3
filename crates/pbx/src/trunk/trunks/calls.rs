//! What the call model asks of the trunks: which one a request came from, where to
//! send, the channels in use, and the login for a provider's challenge.

use rand::Rng;
use sip::auth::Challenge;
use sip::transaction::Peer;
use sip::{Request, Response};

use super::{Entry, Trunks};
use crate::dialplan::{Trunk, TrunkAuth, TrunkId};

/// A trunk's login, for answering a provider's challenge to an outbound call.
#[derive(Clone, Copy)]
pub(crate) struct TrunkCredentials<'a> {
    /// The digest user name (the auth user name if set, else the user name).
    pub username: &'a str,
    pub password: &'a str,
}

impl std::fmt::Debug for TrunkCredentials<'_> {
    /// Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrunkCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl TrunkCredentials<'_> {
    /// The header and value answering the challenge of a 401/407 to a request with
    /// `method` and Request-URI `uri` (RFC 3261 §22.2/§22.3); `None` when the
    /// response offers nothing we can answer.
    pub fn answer(
        &self,
        response: &Response,
        method: &str,
        uri: &str,
        rng: &mut impl Rng,
    ) -> Option<(&'static str, String)> {
        let (origin, challenge) = Challenge::from_response(response)?;
        let cnonce = crate::util::token(rng);
        let value = challenge.authorization(self.username, self.password, method, uri, 1, &cnonce);
        Some((origin.answer_header(), value))
    }
}

impl Trunks {
    /// The trunk an inbound request came from, if any. Registration mode: the
    /// Request-URI names the trunk's contact user (the provider calls the contact we
    /// registered), or the request comes from the provider's address. IP mode: the
    /// source matches one of the trunk's allowed addresses. Disabled trunks match
    /// nothing. A contact user match is tried first: it is the most specific.
    pub fn match_inbound(&self, source: Peer, request: &Request) -> Option<TrunkId> {
        let enabled = || self.entries.iter().filter(|e| e.trunk.enabled);
        let user = request.uri.user_unescaped();
        if let Some(user) = user.as_deref() {
            if let Some(e) = enabled().find(|e| e.contact_user() == Some(user)) {
                return Some(e.trunk.id);
            }
        }
        enabled()
            .find(|e| match e.registration {
                // The provider may call from another port than it listens on (a TCP
                // connection of its own, a separate media gateway port), so the IP
                // address decides.
                Some(_) => e.target.is_some_and(|t| t.addr.ip() == source.addr.ip()),
                None => e
                    .literal_rules
                    .iter()
                    .chain(&e.resolved_rules)
                    .any(|r| r.matches(source.addr)),
            })
            .map(|e| e.trunk.id)
    }

    /// Where requests for the trunk go (outbound proxy, else host), once known.
    pub fn target(&self, id: TrunkId) -> Option<Peer> {
        self.entry(id).and_then(|e| e.target)
    }

    fn entry(&self, id: TrunkId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.trunk.id == id)
    }

    /// Takes one of the trunk's channels for a call. `false` when every channel is busy
    /// or the trunk is unknown or disabled.
    pub fn acquire_line(&mut self, id: TrunkId) -> bool {
        let Some(entry) = self.entry(id) else {
            return false;
        };
        let channels = entry.trunk.channels;
        if !entry.trunk.enabled || self.lines_in_use(id) >= channels {
            return false;
        }
        *self.lines.entry(id).or_insert(0) += 1;
        self.tidy();
        true
    }

    /// Gives back a channel taken with [`Self::acquire_line`] (also after the trunk
    /// was removed from the plan).
    pub fn release_line(&mut self, id: TrunkId) {
        if let Some(n) = self.lines.get_mut(&id) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.lines.remove(&id);
            }
        }
        self.tidy();
    }

    pub fn lines_in_use(&self, id: TrunkId) -> u32 {
        self.lines.get(&id).copied().unwrap_or(0)
    }

    /// The login for answering a provider's challenge on outbound calls; `None` for IP
    /// trunks and unknown ones.
    pub fn credentials(&self, id: TrunkId) -> Option<TrunkCredentials<'_>> {
        credentials_of(&self.entry(id)?.trunk)
    }
}

fn credentials_of(trunk: &Trunk) -> Option<TrunkCredentials<'_>> {
    match &trunk.auth {
        TrunkAuth::Registration {
            username,
            password,
            auth_username,
            ..
        } => Some(TrunkCredentials {
            username: auth_username
                .as_deref()
                .filter(|u| !u.is_empty())
                .unwrap_or(username),
            password,
        }),
        TrunkAuth::Ip { .. } => None,
    }
}
