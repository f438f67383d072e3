//! Answering digest challenges (RFC 3261 §22.2, §22.3) for REGISTER and INVITE.

use rand::Rng;
use sip::auth::{Challenge, ChallengeOrigin};
use sip::{Request, Response};

/// A challenge we answer with, and how often we used its nonce.
#[derive(Debug, Clone)]
struct Credential {
    origin: ChallengeOrigin,
    challenge: Challenge,
    nc: u32,
    cnonce: String,
}

/// The credentials of one request stream (the registration, or one call's INVITEs).
#[derive(Debug, Clone, Default)]
pub(crate) struct Auth {
    /// One per origin: a proxy and the registrar may both challenge (§22.3).
    credentials: Vec<Credential>,
}

/// What a 401/407 means for the request that got it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChallengeOutcome {
    /// Send the request again with the answer.
    Retry,
    /// The password was refused (or no challenge we can answer): retrying is pointless.
    Refused,
}

impl Auth {
    /// Takes the challenge of `response`. `answered` says whether the request it answers
    /// already carried credentials of the same origin: a second challenge then means the
    /// password is wrong, unless it says the nonce was only stale (RFC 7616 §3.3).
    pub(crate) fn on_challenge(
        &mut self,
        response: &Response,
        answered: bool,
        rng: &mut impl Rng,
    ) -> ChallengeOutcome {
        let Some((origin, challenge)) = Challenge::from_response(response) else {
            return ChallengeOutcome::Refused;
        };
        if answered && !challenge.stale {
            return ChallengeOutcome::Refused;
        }
        self.credentials.retain(|c| c.origin != origin);
        self.credentials.push(Credential {
            origin,
            challenge,
            nc: 0,
            cnonce: token(rng, 16),
        });
        ChallengeOutcome::Retry
    }

    /// Whether a request sent now carries an answer for `origin`.
    pub(crate) fn has(&self, origin: ChallengeOrigin) -> bool {
        self.credentials.iter().any(|c| c.origin == origin)
    }

    /// Adds Authorization / Proxy-Authorization for every challenge we hold, reusing
    /// the nonce with a growing count (RFC 7616 §3.4).
    pub(crate) fn authorize(&mut self, request: &mut Request, user: &str, password: &str) {
        let method = request.method.to_string();
        let uri = request.uri.to_string();
        for c in &mut self.credentials {
            c.nc = c.nc.wrapping_add(1);
            let value = c
                .challenge
                .authorization(user, password, &method, &uri, c.nc, &c.cnonce);
            request.headers.set(c.origin.answer_header(), value);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.credentials.clear();
    }
}

/// The origin a 401/407 comes from.
pub(crate) fn origin_of(response: &Response) -> Option<ChallengeOrigin> {
    match response.status {
        401 => Some(ChallengeOrigin::Server),
        407 => Some(ChallengeOrigin::Proxy),
        _ => None,
    }
}

/// Random text for Call-IDs, tags and cnonces.
pub(crate) fn token(rng: &mut impl Rng, len: usize) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| {
            let i = rng.gen_range(0..ALPHABET.len());
            char::from(ALPHABET.get(i).copied().unwrap_or(b'0'))
        })
        .collect()
}
