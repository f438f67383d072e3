//! A phone's digest credentials and the challenge it last received.
//!
//! Like real phones, a simulated phone keeps answering the last challenge with an
//! increasing nonce-count (RFC 7616 §3.4) until the server says the nonce is stale, so
//! only the first request, and one after each nonce expiry, costs an extra round trip.

use sip::auth::Challenge;
use sip::Response;

/// What a 401 told the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeKind {
    /// The first challenge, or one after credentials that did not check out.
    Fresh,
    /// `stale=true`: the password was right, only the nonce was old (RFC 7616 §3.3).
    Stale,
    /// No challenge we can answer.
    Unusable,
}

#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    password: String,
    challenge: Option<Challenge>,
    nc: u32,
    cnonce: String,
}

impl Credentials {
    pub fn new(username: &str, password: &str) -> Self {
        Credentials {
            username: username.to_owned(),
            password: password.to_owned(),
            challenge: None,
            nc: 0,
            cnonce: String::new(),
        }
    }

    /// Whether the phone has a nonce to answer with.
    pub fn has_challenge(&self) -> bool {
        self.challenge.is_some()
    }

    /// Forgets the nonce, so the next request goes without credentials.
    pub fn forget(&mut self) {
        self.challenge = None;
    }

    /// The Authorization value for the next request, or `None` before any challenge.
    pub fn authorize(&mut self, method: &str, uri: &str) -> Option<String> {
        let challenge = self.challenge.as_ref()?;
        self.nc = self.nc.wrapping_add(1);
        Some(challenge.authorization(
            &self.username,
            &self.password,
            method,
            uri,
            self.nc,
            &self.cnonce,
        ))
    }

    /// Takes the first supported challenge of a 401 (RFC 8760 §2.4: in the server's order
    /// of preference) and restarts the nonce-count.
    pub fn accept(&mut self, response: &Response) -> ChallengeKind {
        let challenge = Challenge::first_supported(response.headers.get_all("WWW-Authenticate"))
            .or_else(|| Challenge::first_supported(response.headers.get_all("Proxy-Authenticate")));
        let Some(challenge) = challenge else {
            self.challenge = None;
            return ChallengeKind::Unusable;
        };
        let kind = if challenge.stale {
            ChallengeKind::Stale
        } else {
            ChallengeKind::Fresh
        };
        self.challenge = Some(challenge);
        self.nc = 0;
        self.cnonce = crate::message::token();
        kind
    }
}
