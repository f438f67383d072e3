//! Registrar and location service (RFC 3261 §10, RFC 5626 §6).
//!
//! [`Registrar::handle_register`] authenticates a REGISTER with digest auth, updates the
//! extension's bindings and returns the response plus the changes to persist; the location
//! side ([`Registrar::lookup`]) tells the call model where each extension's phones are.
//! Everything is in memory and sans-IO: the engine feeds the clock, writes the
//! [`BindingChange`]s through the store's batched writer, reloads them with
//! [`Registrar::load`] after a restart and calls [`Registrar::purge_expired`] at
//! [`Registrar::next_expiry`].
//!
//! Unknown users are not revealed: a REGISTER for a number that does not exist gets the
//! same 401, with the same headers and after the same hashing, as one with a wrong
//! password (the digest server hashes a stand-in secret for unknown names).

mod auth;
mod binding;
mod changes;
mod config;
mod date;
mod directory;
mod key;
mod location;
mod maintenance;
mod plan;
mod reply;
mod update;
mod view;

use std::collections::VecDeque;
use std::time::Instant;

use sip::auth::DigestServer;
use sip::{Request, Response};

pub use auth::{AuthOutcome, CallerAuth};
pub use binding::{Binding, NextHop, Source};
pub use changes::{BindingChange, PersistedBinding, RegistrationEvent, UnregisterReason};
pub use config::RegistrarConfig;
pub use directory::{Directory, DirectoryEntry};
/// The transport of a [`Source`]: the sip crate's, so the engine's sockets map directly.
pub use sip::Transport;

use location::Location;
use reply::Reply;
use view::RegisterView;

/// What handling one REGISTER produced.
#[derive(Debug)]
pub struct RegisterOutcome {
    /// The response to send back on the transaction.
    pub response: Response,
    /// Binding changes to persist, in order.
    pub changes: Vec<BindingChange>,
    /// How authentication went, for the engine's in-memory failure counters and bans.
    pub auth: AuthResult,
}

/// The authentication part of a REGISTER's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthResult {
    /// Refused before authentication: malformed, wrong domain or an unsupported Require.
    NotChecked,
    /// No credentials; a challenge was sent.
    Challenged,
    /// Credentials that do not check out, for a known or an unknown user alike.
    Failed,
    /// The password was right but the nonce had expired or its count was replayed.
    Stale,
    /// Authenticated as this extension (the response may still refuse the request).
    Authorized(String),
}

/// The registrar: directory, digest server and location service of one PBX.
pub struct Registrar {
    config: RegistrarConfig,
    directory: Directory,
    location: Location,
    digest: DigestServer,
    events: VecDeque<RegistrationEvent>,
    /// To tags of our responses (RFC 3261 §8.2.6.2): a random start, then a counter.
    next_tag: u64,
    /// Credential checks not yet taken by the runtime ([`Registrar::take_auth_outcomes`]).
    auth_outcomes: Vec<auth::AuthOutcome>,
}

impl Registrar {
    pub fn new(now: Instant, config: RegistrarConfig, directory: Directory) -> Self {
        let digest = DigestServer::new(now, config.digest.clone());
        Registrar {
            config,
            directory,
            location: Location::default(),
            digest,
            events: VecDeque::new(),
            next_tag: rand::random(),
            auth_outcomes: Vec::new(),
        }
    }

    /// A To tag for a response (RFC 3261 §8.2.6.2); unique per registrar.
    fn next_tag(&mut self) -> u64 {
        self.next_tag = self.next_tag.wrapping_add(0x9e37_79b9_7f4a_7c15);
        self.next_tag
    }

    pub fn config(&self) -> &RegistrarConfig {
        &self.config
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// Handles a REGISTER (RFC 3261 §10.3) that arrived from `source`. `unix_now` is the
    /// wall clock, for what is persisted and for the Date header.
    pub fn handle_register(
        &mut self,
        now: Instant,
        unix_now: u64,
        request: &Request,
        source: Source,
    ) -> RegisterOutcome {
        let mut changes = Vec::new();
        let (reply, auth) = match RegisterView::from_request(request) {
            Ok(view) => self.process(now, unix_now, &view, source, &mut changes),
            Err(reason) => (Reply::bad_request(reason), AuthResult::NotChecked),
        };
        let tag = self.next_tag();
        RegisterOutcome {
            response: reply.into_response(request, tag),
            changes,
            auth,
        }
    }

    fn process(
        &mut self,
        now: Instant,
        unix_now: u64,
        view: &RegisterView<'_>,
        source: Source,
        changes: &mut Vec<BindingChange>,
    ) -> (Reply, AuthResult) {
        // Step 1: is this our domain?
        if !self.config.serves_domain(view.request_host) {
            return (Reply::domain_not_served(), AuthResult::NotChecked);
        }
        // Step 2: we support no extensions a REGISTER could require.
        if !view.unsupported.is_empty() {
            return (
                Reply::bad_extension(&view.unsupported),
                AuthResult::NotChecked,
            );
        }
        // Step 3: authenticate.
        let user = match self.verify(now, "REGISTER", view.authorization) {
            Ok(user) => user,
            Err(refused) => return refused,
        };
        // Steps 4–5: only an extension's own credentials may change its bindings. The
        // user is known (it authenticated), so no unknown-AOR 404 can leak anything. The
        // To host is not compared: one office, one set of extensions, whatever name the
        // phone was given for the PBX (see `RegistrarConfig::domains`).
        if view.aor_user.as_deref() != Some(user.as_str()) {
            return (Reply::forbidden(), AuthResult::Authorized(user));
        }
        // Bindings past their expiry are gone (RFC 3261 §10.3 step 7 compares only with
        // live ones), even if the purge timer has not fired yet.
        self.purge_extension(now, unix_now, &user, changes);
        // Steps 6–7: plan every change first, so a failure leaves all bindings as they
        // were; then commit.
        let ops = match plan::plan(&self.config, view, self.location.records_of(&user)) {
            Ok(ops) => ops,
            Err(reply) => return (reply, AuthResult::Authorized(user)),
        };
        self.apply(now, unix_now, &user, view, source, &ops, changes);
        // Step 8: 200 listing every current binding.
        (
            self.ok_reply(now, unix_now, &user),
            AuthResult::Authorized(user),
        )
    }

    /// The 200 OK headers: each live contact with its remaining time (RFC 3261 §10.3
    /// step 8) and the Date.
    fn ok_reply(&self, now: Instant, unix_now: u64, number: &str) -> Reply {
        let records = self.location.records_of(number);
        let mut headers = Vec::with_capacity(records.len() + 1);
        for record in records {
            let b = &record.binding;
            let remaining = b.remaining_secs(now);
            if remaining == 0 {
                continue;
            }
            let mut value = String::with_capacity(b.contact.len() + b.params.len() + 20);
            value.push('<');
            value.push_str(&b.contact);
            value.push('>');
            value.push_str(&b.params);
            value.push_str(";expires=");
            value.push_str(&remaining.to_string());
            headers.push(("Contact", value));
        }
        headers.push(("Date", date::http_date(unix_now)));
        Reply::ok(headers)
    }

    /// The live bindings of an extension, each with where to send requests
    /// ([`Binding::next_hop`]).
    pub fn lookup(&self, number: &str, now: Instant) -> Vec<Binding> {
        self.location
            .records_of(number)
            .iter()
            .filter(|r| r.binding.expires_at > now)
            .map(|r| r.binding.clone())
            .collect()
    }

    /// True when the extension has at least one live binding.
    pub fn is_registered(&self, number: &str, now: Instant) -> bool {
        self.location
            .records_of(number)
            .iter()
            .any(|r| r.binding.expires_at > now)
    }

    /// Every live binding, for the UI's registration list.
    pub fn bindings(&self, now: Instant) -> Vec<Binding> {
        self.location
            .iter()
            .filter(|r| r.binding.expires_at > now)
            .map(|r| r.binding.clone())
            .collect()
    }

    /// How many bindings are held, live or awaiting purge.
    pub fn binding_count(&self) -> usize {
        self.location.len()
    }

    /// The earliest moment a binding lapses: when to call [`Registrar::purge_expired`].
    pub fn next_expiry(&self) -> Option<Instant> {
        self.location.next_expiry()
    }

    /// The next event for the UI, oldest first.
    pub fn poll_event(&mut self) -> Option<RegistrationEvent> {
        self.events.pop_front()
    }
}
