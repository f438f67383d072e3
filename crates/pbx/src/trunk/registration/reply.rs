//! Reading the provider's answer to a REGISTER: registered, challenged, refused, or
//! failed and when to try again.

use std::time::{Duration, Instant};

use rand::Rng;
use sip::auth::{Challenge, ChallengeOrigin};
use sip::Response;

use super::{Credentials, InFlight, Registration, State, MAX_RETRY_AFTER};
use crate::trunk::{answer, backoff, nat};

impl Registration {
    /// The answer to our REGISTER (or the transaction layer's 408/503 standing in for
    /// one). Provisional answers change nothing.
    pub fn handle_response(&mut self, now: Instant, response: &Response, rng: &mut impl Rng) {
        if response.status < 200 {
            return;
        }
        let Some(in_flight) = self.in_flight.take() else {
            return;
        };
        if self.state == State::Unregistering {
            return self.unregister_answered(now, response, in_flight, rng);
        }
        match response.status {
            200..=299 => self.registered(now, response, in_flight, rng),
            401 | 407 => self.challenged(now, response, in_flight, rng),
            // RFC 3261 §21.4.4: the provider understood us and will not register us.
            403 => self.reject(format!(
                "the provider refused the registration ({})",
                answer::status_text(response)
            )),
            423 => match answer::min_expires(response).filter(|&m| m > self.expires) {
                // RFC 3261 §10.2.8: ask again with at least Min-Expires.
                Some(min) => {
                    self.expires = min;
                    self.send_at = Some(now);
                }
                None => self.fail(now, describe(response), None, rng),
            },
            _ => {
                let wait = answer::retry_after(response);
                self.fail(now, describe(response), wait, rng)
            }
        }
    }

    fn registered(
        &mut self,
        now: Instant,
        response: &Response,
        sent: InFlight,
        rng: &mut impl Rng,
    ) {
        let granted = answer::granted_expiry(response, &self.account.contact_user, sent.contact)
            .unwrap_or(self.expires);
        self.bound = true;
        self.last_contact = Some(sent.contact);
        self.failures = 0;
        if granted == 0 {
            // Accepted but for no time at all: nothing is registered. A failure like
            // any other, so that a provider doing this every time is not hammered.
            self.bound = false;
            let reason = "the provider accepted the registration for 0 seconds".to_owned();
            return self.fail(now, reason, None, rng);
        }
        // Refresh at half the lifetime: time enough for retries before it lapses.
        let refresh = Duration::from_secs(u64::from(granted).div_ceil(2));
        self.send_at = Some(now + refresh);
        self.state = State::Registered { granted };
        // RFC 3581 §4: the provider saw us at another address (a NAT). Register that
        // address at once, so its calls reach us through the NAT's mapping.
        if !sent.corrects_contact {
            if let Some(mapping) = nat::found(response, sent.local, sent.contact) {
                tracing::info!(public = %mapping.public, "trunk is behind NAT; correcting its contact");
                self.nat = Some(mapping);
                self.correcting_contact = true;
                self.send_at = Some(now);
            }
        }
        if self.nat.is_some() && self.keepalive_at.is_none() {
            self.keepalive_at = Some(now + nat::KEEPALIVE);
        }
    }

    /// RFC 3261 §22.2: answer a challenge once. A second challenge to an answer we
    /// computed from a fresh challenge means the credentials are wrong; retrying would
    /// only look like password guessing to the provider.
    fn challenged(
        &mut self,
        now: Instant,
        response: &Response,
        in_flight: InFlight,
        rng: &mut impl Rng,
    ) {
        let Some((origin, challenge)) = Challenge::from_response(response) else {
            return self.reject(format!(
                "the provider asks for a login method this PBX does not support ({})",
                answer::status_text(response)
            ));
        };
        // RFC 7616 §3.3: stale=true says the password was right, only the nonce old.
        if in_flight.fresh_credentials == Some(origin) && !challenge.stale {
            self.credentials.clear();
            return self.reject(format!(
                "the provider refused the user name or password ({})",
                answer::status_text(response)
            ));
        }
        self.remember(origin, challenge, rng);
        // The same REGISTER again, with credentials: still a correction if it was one.
        self.correcting_contact = in_flight.corrects_contact;
        self.send_at = Some(now);
        if !matches!(self.state, State::Registered { .. }) {
            self.state = State::Registering;
        }
    }

    /// Removing our binding: answer one challenge, otherwise we are done whatever the
    /// provider says (the binding expires on its own anyway).
    fn unregister_answered(
        &mut self,
        now: Instant,
        response: &Response,
        in_flight: InFlight,
        rng: &mut impl Rng,
    ) {
        if let Some((origin, challenge)) = Challenge::from_response(response) {
            if in_flight.fresh_credentials.is_none() {
                self.remember(origin, challenge, rng);
                self.send_at = Some(now);
                return;
            }
        }
        self.bound = false;
        self.last_contact = None;
        self.state = State::Done;
        self.send_at = None;
    }

    /// Keeps `challenge` to answer in the next REGISTERs, replacing any earlier one of
    /// the same origin, with a fresh cnonce (RFC 7616 §3.4).
    fn remember(&mut self, origin: ChallengeOrigin, challenge: Challenge, rng: &mut impl Rng) {
        self.credentials.retain(|c| c.origin != origin);
        self.credentials.push(Credentials {
            origin,
            challenge,
            nc: 0,
            cnonce: crate::util::token(rng),
        });
        self.answer_fresh = Some(origin);
    }

    fn reject(&mut self, reason: String) {
        tracing::warn!(%reason, "trunk registration rejected; not retrying");
        self.state = State::Rejected { reason };
        self.send_at = None;
    }

    /// RFC 5626 §4.5: wait, with jitter, longer after each consecutive failure. A
    /// Retry-After (RFC 3261 §20.33) says when the provider may be back: we never come
    /// back sooner, nor sooner than the backoff, so a provider answering
    /// `Retry-After: 0` cannot turn us into a flood.
    pub(super) fn fail(
        &mut self,
        now: Instant,
        reason: String,
        retry_after: Option<u64>,
        rng: &mut impl Rng,
    ) {
        self.failures = self.failures.saturating_add(1);
        let backoff = backoff::retry_delay(self.failures, rng);
        let asked = Duration::from_secs(retry_after.unwrap_or(0).min(MAX_RETRY_AFTER));
        let wait = backoff.max(asked);
        tracing::info!(%reason, wait_secs = wait.as_secs(), "trunk registration failed");
        self.state = State::Failing {
            reason,
            retry_in: wait.as_secs_f64().ceil() as u64,
        };
        self.send_at = Some(now + wait);
    }
}

/// A failed REGISTER in the owner's words, with the provider's answer for the expert.
/// The transaction layer's stand-ins for a timeout or an unreachable provider carry no
/// CSeq, which every response from the network has (RFC 3261 §8.1.1).
fn describe(response: &Response) -> String {
    let text = answer::status_text(response);
    let local = response.cseq().is_none();
    match response.status {
        408 if local => "no answer from the provider".to_owned(),
        503 if local => "the provider could not be reached".to_owned(),
        408 => format!("no answer from the provider ({text})"),
        300..=399 => {
            format!("the provider redirected the registration, which is not supported ({text})")
        }
        400..=699 => format!("the provider answered {text}"),
        _ => format!("unexpected answer from the provider ({text})"),
    }
}
