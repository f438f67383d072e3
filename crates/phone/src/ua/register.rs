//! The account's registration (RFC 3261 §10.2): when a REGISTER is due, building it,
//! and reading its answer. Failures back off as RFC 5626 §4.5 describes.

use std::time::{Duration, Instant};

use rand::Rng;
use sip::auth::ChallengeOrigin;
use sip::transaction::ClientKey;
use sip::{CSeq, Method, NameAddr, Request, Response, Uri};

use super::auth::{origin_of, token, Auth, ChallengeOutcome};
use super::types::{Account, RegistrationEvent};

/// RFC 5626 §4.5: base wait when every flow failed, and the ceiling.
const BASE_TIME: u64 = 30;
const MAX_TIME: u64 = 1800;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Registering,
    Registered,
    Failed,
    Refused,
    Unregistering,
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    key: ClientKey,
    /// The origins whose credentials it carried.
    server_auth: bool,
    proxy_auth: bool,
}

#[derive(Debug)]
pub(crate) struct Registration {
    state: State,
    send_at: Option<Instant>,
    in_flight: Option<InFlight>,
    failures: u32,
    auth: Auth,
    expires: u32,
    /// RFC 3261 §10.2.4: the same Call-ID for every refresh, CSeq growing.
    call_id: String,
    from_tag: String,
    cseq: u32,
}

impl Registration {
    pub(crate) fn new(rng: &mut impl Rng, expires: u32) -> Self {
        Registration {
            state: State::Idle,
            send_at: None,
            in_flight: None,
            failures: 0,
            auth: Auth::default(),
            expires,
            call_id: token(rng, 20),
            from_tag: token(rng, 10),
            cseq: 0,
        }
    }

    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.send_at
    }

    pub(crate) fn is_registered(&self) -> bool {
        self.state == State::Registered
    }

    pub(crate) fn owns(&self, key: ClientKey) -> bool {
        self.in_flight.is_some_and(|f| f.key == key)
    }

    /// Register now (or again), forgetting any REGISTER in flight and past failures.
    pub(crate) fn start(&mut self, now: Instant) {
        self.in_flight = None;
        self.failures = 0;
        self.send_at = Some(now);
        if self.state != State::Registered {
            self.state = State::Registering;
        }
    }

    /// RFC 5626 §4.4.1: on a new network register at once; a refused password stays
    /// refused and an account never registered stays so.
    pub(crate) fn network_changed(&mut self, now: Instant) {
        if matches!(
            self.state,
            State::Registering | State::Registered | State::Failed
        ) {
            self.start(now);
        }
    }

    /// Removes our binding (Expires: 0, §10.2.2).
    pub(crate) fn stop(&mut self, now: Instant) {
        self.in_flight = None;
        self.state = State::Unregistering;
        self.send_at = Some(now);
    }

    /// The REGISTER to send at `now`, if one is due.
    pub(crate) fn due(
        &mut self,
        now: Instant,
        account: &Account,
        contact: &NameAddr,
    ) -> Option<Request> {
        if self.send_at.is_none_or(|at| at > now) {
            return None;
        }
        self.send_at = None;
        let expires = if self.state == State::Unregistering {
            0
        } else {
            self.expires
        };
        Some(self.build(account, contact, expires))
    }

    fn build(&mut self, account: &Account, contact: &NameAddr, expires: u32) -> Request {
        let domain = account.domain();
        let registrar = Uri::sip(
            None,
            domain.parse().unwrap_or(sip::Host::Domain(domain.clone())),
        );
        let mut aor = NameAddr::new(Uri::sip(
            Some(&account.user),
            domain.parse().unwrap_or(sip::Host::Domain(domain)),
        ));
        aor.display_name = account.display_name.clone();
        self.cseq = self.cseq.wrapping_add(1);
        let mut req = Request::new(Method::Register, registrar);
        let h = &mut req.headers;
        h.push("Max-Forwards", "70");
        h.push("From", aor.clone().with_tag(&self.from_tag).to_string());
        aor.display_name = None;
        h.push("To", aor.to_string());
        h.push("Call-ID", self.call_id.clone());
        h.push(
            "CSeq",
            CSeq {
                seq: self.cseq,
                method: Method::Register,
            }
            .to_string(),
        );
        h.push("Contact", contact.to_string());
        h.push("Expires", expires.to_string());
        self.auth
            .authorize(&mut req, account.auth_user(), &account.password);
        req
    }

    /// The transaction layer took the REGISTER built by [`Registration::due`].
    pub(crate) fn sent(&mut self, key: ClientKey) {
        self.in_flight = Some(InFlight {
            key,
            server_auth: self.auth.has(ChallengeOrigin::Server),
            proxy_auth: self.auth.has(ChallengeOrigin::Proxy),
        });
    }

    /// The final answer to our REGISTER, or the transaction layer's 408/503 for one.
    pub(crate) fn on_response(
        &mut self,
        now: Instant,
        response: &Response,
        contact: &NameAddr,
        rng: &mut impl Rng,
    ) -> Option<RegistrationEvent> {
        if response.status < 200 {
            return None;
        }
        let sent = self.in_flight.take()?;
        if self.state == State::Unregistering {
            // Whatever the answer, the binding lapses by itself at its expiry.
            self.state = State::Idle;
            return Some(RegistrationEvent::Unregistered);
        }
        match response.status {
            200..=299 => {
                let granted = granted_expiry(response, contact).unwrap_or(self.expires);
                if granted == 0 {
                    return Some(self.fail(now, response, rng));
                }
                self.state = State::Registered;
                self.failures = 0;
                // Refresh at half the lifetime: time for retries before it lapses.
                self.send_at = Some(now + Duration::from_secs(u64::from(granted).div_ceil(2)));
                Some(RegistrationEvent::Registered { expires: granted })
            }
            401 | 407 => {
                let answered = match origin_of(response) {
                    Some(ChallengeOrigin::Server) => sent.server_auth,
                    _ => sent.proxy_auth,
                };
                match self.auth.on_challenge(response, answered, rng) {
                    ChallengeOutcome::Retry => {
                        self.send_at = Some(now);
                        None
                    }
                    ChallengeOutcome::Refused => Some(self.refuse(response)),
                }
            }
            // RFC 3261 §21.4.4: understood and refused.
            403 | 404 => Some(self.refuse(response)),
            // RFC 3261 §10.2.8: ask again with at least Min-Expires.
            423 => match min_expires(response).filter(|&m| m > self.expires) {
                Some(min) => {
                    self.expires = min;
                    self.send_at = Some(now);
                    None
                }
                None => Some(self.fail(now, response, rng)),
            },
            _ => Some(self.fail(now, response, rng)),
        }
    }

    fn refuse(&mut self, response: &Response) -> RegistrationEvent {
        self.state = State::Refused;
        self.send_at = None;
        self.auth.clear();
        RegistrationEvent::Failed {
            status: response.status,
            reason: response.reason.clone(),
            retry_in: None,
        }
    }

    /// RFC 5626 §4.5: wait min(max-time, base-time · 2^failures), then a random
    /// 50–100 % of it, so that phones losing the server together do not return together.
    fn fail(&mut self, now: Instant, response: &Response, rng: &mut impl Rng) -> RegistrationEvent {
        self.failures = self.failures.saturating_add(1);
        let exp = self.failures.saturating_sub(1).min(10);
        let upper = BASE_TIME.saturating_mul(1 << exp).min(MAX_TIME);
        let wait = Duration::from_secs(rng.gen_range(upper / 2..=upper));
        self.state = State::Failed;
        self.send_at = Some(now + wait);
        RegistrationEvent::Failed {
            status: response.status,
            reason: response.reason.clone(),
            retry_in: Some(wait),
        }
    }
}

/// RFC 3261 §10.2.4: the lifetime granted is the `expires` of our Contact in the 200,
/// else its Expires header.
fn granted_expiry(response: &Response, contact: &NameAddr) -> Option<u32> {
    let ours = response.contacts().and_then(|list| {
        list.addrs()
            .iter()
            .find(|c| {
                c.uri.user() == contact.uri.user()
                    && c.uri.host.matches(&contact.uri.host)
                    && c.uri.port == contact.uri.port
            })
            .and_then(NameAddr::expires)
    });
    ours.or_else(|| response.expires())
}

fn min_expires(response: &Response) -> Option<u32> {
    response
        .headers
        .get("Min-Expires")
        .and_then(|v| v.trim().parse().ok())
}
