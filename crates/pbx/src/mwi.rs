//! Message waiting indication (RFC 3842): phones SUBSCRIBE to the `message-summary` event
//! package (RFC 6665) for their own mailbox and the PBX NOTIFYs them of the new and old
//! message counts, so the lamp on the phone lights while a message is waiting.
//!
//! A subscription is a dialog of its own: the SUBSCRIBE is authenticated with the
//! extension's digest credentials like REGISTER, and only the extension's own mailbox may
//! be watched (message counts say something about the owner's absence).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sip::transaction::{ClientKey, Peer, ServerKey};
use sip::{Method, Request, Response};

use crate::call::Leg;
use crate::core::{ClientOwner, Pbx};
use crate::registrar::CallerAuth;
use crate::util;

/// RFC 3842 §5: the event package name.
pub const MESSAGE_SUMMARY: &str = "message-summary";
/// Longest subscription granted, and the default when the phone names none (RFC 6665
/// §4.2.1.1 lets the notifier shorten the requested duration).
const MAX_EXPIRES: Duration = Duration::from_secs(3600);

/// Subscriptions, by dialog (Call-ID, our tag), and the latest counts per mailbox.
#[derive(Debug, Default)]
pub(crate) struct Mwi {
    subscriptions: HashMap<(String, String), Subscription>,
    /// (new, old) messages per mailbox; a missing mailbox has none.
    counts: HashMap<String, (u32, u32)>,
    /// NOTIFYs awaiting their answer, and the subscription each belongs to.
    pending: HashMap<ClientKey, (String, String)>,
}

#[derive(Debug)]
struct Subscription {
    mailbox: String,
    /// `Message-Account` (RFC 3842 §5.2): the URI the phone subscribed to.
    account: String,
    leg: Leg,
    expires_at: Instant,
}

impl Mwi {
    /// When the next subscription expires.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.subscriptions.values().map(|s| s.expires_at).min()
    }
}

/// How a NOTIFY describes the subscription (RFC 6665 §8.2.3 Subscription-State).
enum State {
    Active(Duration),
    Terminated(&'static str),
}

impl Pbx {
    /// A SUBSCRIBE, new or inside a subscription's dialog.
    pub(crate) fn handle_subscribe(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: Request,
        source: Peer,
    ) {
        let event = request
            .headers
            .get("Event")
            .or_else(|| request.headers.get("o"))
            .map(|e| {
                e.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        if event.as_deref() != Some(MESSAGE_SUMMARY) {
            // RFC 6665 §4.2.1: an event package we do not publish.
            let mut response = Response::for_request(&request, 489, "Bad Event");
            response.headers.push("Allow-Events", MESSAGE_SUMMARY);
            return self.send_response(now, &key, response);
        }
        let user = match self.registrar.authenticate_request(now, &request) {
            CallerAuth::Authorized(user) => user,
            CallerAuth::Challenge(response) => return self.send_response(now, &key, response),
        };
        let mailbox = request
            .uri
            .user_unescaped()
            .map(|u| u.into_owned())
            .unwrap_or_else(|| user.clone());
        if mailbox != user {
            return self.respond(now, &key, &request, 403, "Only Your Own Mailbox");
        }
        let requested = request
            .headers
            .get("Expires")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
            .unwrap_or(MAX_EXPIRES);
        let expires = requested.min(MAX_EXPIRES);
        let to_tag = request.to().and_then(|t| t.tag().map(str::to_owned));
        let dialog = match to_tag {
            // A refresh or an unsubscribe (RFC 6665 §4.1.2.2, §4.1.2.3).
            Some(tag) => {
                let dialog = (request.call_id().unwrap_or_default().to_owned(), tag);
                match self.mwi.subscriptions.get_mut(&dialog) {
                    Some(sub) if sub.mailbox == mailbox => {
                        sub.expires_at = now + expires;
                        dialog
                    }
                    _ => {
                        return self.respond(
                            now,
                            &key,
                            &request,
                            481,
                            "Subscription Does Not Exist",
                        )
                    }
                }
            }
            None => {
                let tag = util::token(&mut self.rng);
                let leg = self.caller_leg(&request, source, tag.clone());
                let dialog = (leg.call_id.clone(), tag);
                let account = request.uri.to_string();
                self.mwi.subscriptions.insert(
                    dialog.clone(),
                    Subscription {
                        mailbox,
                        account,
                        leg,
                        expires_at: now + expires,
                    },
                );
                dialog
            }
        };
        let Some(sub) = self.mwi.subscriptions.get(&dialog) else {
            return;
        };
        // RFC 6665 §4.2.1.1: 200 with the duration granted, then an immediate NOTIFY
        // (§4.2.1.2) with the current state.
        let mut response = Response::for_request(&request, 200, "OK");
        if let Some(mut to) = request.to() {
            to.set_tag(&dialog.1);
            response.headers.set("To", to.to_string());
        }
        response.headers.push("Contact", sub.leg.contact.as_str());
        response
            .headers
            .push("Expires", expires.as_secs().to_string());
        self.send_response(now, &key, response);
        if expires.is_zero() {
            if let Some(sub) = self.mwi.subscriptions.remove(&dialog) {
                self.notify(now, sub, State::Terminated("timeout"));
            }
        } else {
            self.notify_dialog(now, &dialog);
        }
    }

    /// The runtime's message counts for `mailbox` (after a message was left, heard or
    /// deleted): every phone watching it is notified when they changed.
    pub fn set_message_summary(&mut self, now: Instant, mailbox: &str, new: u32, old: u32) {
        let previous = self.mwi.counts.insert(mailbox.to_owned(), (new, old));
        if previous.unwrap_or((0, 0)) == (new, old) && previous.is_some() {
            return;
        }
        // The first counts are the state at start, not news for the screens.
        if previous.is_some() {
            self.actions
                .push_back(crate::Action::Event(crate::PbxEvent::MessageSummary {
                    mailbox: mailbox.to_owned(),
                    new,
                    old,
                }));
        }
        let dialogs: Vec<_> = self
            .mwi
            .subscriptions
            .iter()
            .filter(|(_, s)| s.mailbox == mailbox)
            .map(|(d, _)| d.clone())
            .collect();
        for dialog in dialogs {
            self.notify_dialog(now, &dialog);
        }
    }

    /// Ends subscriptions whose time is up (RFC 6665 §4.2.2: a final NOTIFY with
    /// `terminated;reason=timeout`).
    pub(crate) fn expire_subscriptions(&mut self, now: Instant) {
        let due: Vec<_> = self
            .mwi
            .subscriptions
            .iter()
            .filter(|(_, s)| s.expires_at <= now)
            .map(|(d, _)| d.clone())
            .collect();
        for dialog in due {
            if let Some(sub) = self.mwi.subscriptions.remove(&dialog) {
                self.notify(now, sub, State::Terminated("timeout"));
            }
        }
    }

    fn notify_dialog(&mut self, now: Instant, dialog: &(String, String)) {
        let Some(sub) = self.mwi.subscriptions.get_mut(dialog) else {
            return;
        };
        let remaining = sub.expires_at.saturating_duration_since(now);
        let (new, old) = self.mwi.counts.get(&sub.mailbox).copied().unwrap_or((0, 0));
        let request = notify_request(
            &mut sub.leg,
            &sub.account,
            new,
            old,
            State::Active(remaining),
        );
        let peer = sub.leg.peer;
        match self.endpoint.send_request(now, request, peer) {
            Ok(key) => {
                self.by_client.insert(key, ClientOwner::Notify);
                self.mwi.pending.insert(key, dialog.clone());
            }
            Err(e) => tracing::debug!(error = %e, "NOTIFY not sent"),
        }
    }

    /// The answer to a NOTIFY. RFC 6665 §4.2.2: a 481 (the phone forgot the
    /// subscription, e.g. after a reboot) or no answer at all (408, a local timeout)
    /// ends the subscription; the phone subscribes again when it wants to.
    pub(crate) fn notify_response(&mut self, key: ClientKey, response: &Response) {
        if response.status < 200 {
            return;
        }
        let Some(dialog) = self.mwi.pending.remove(&key) else {
            return;
        };
        if matches!(response.status, 481 | 408) {
            self.mwi.subscriptions.remove(&dialog);
        }
    }

    fn notify(&mut self, now: Instant, mut sub: Subscription, state: State) {
        let (new, old) = self.mwi.counts.get(&sub.mailbox).copied().unwrap_or((0, 0));
        let request = notify_request(&mut sub.leg, &sub.account, new, old, state);
        self.send_fire(now, request, sub.leg.peer);
    }
}

/// A NOTIFY carrying `application/simple-message-summary` (RFC 3842 §5.2).
fn notify_request(leg: &mut Leg, account: &str, new: u32, old: u32, state: State) -> Request {
    let mut request = leg.request(Method::Notify);
    request.headers.push("Event", MESSAGE_SUMMARY);
    let state = match state {
        State::Active(left) => format!("active;expires={}", left.as_secs()),
        State::Terminated(reason) => format!("terminated;reason={reason}"),
    };
    request.headers.push("Subscription-State", state);
    request
        .headers
        .push("Content-Type", "application/simple-message-summary");
    request.body = message_summary(account, new, old).into_bytes();
    request
}

/// The body: whether messages wait, for which account, and the voice-message counts
/// (new/old, then urgent new/old, which the PBX does not distinguish).
pub fn message_summary(account: &str, new: u32, old: u32) -> String {
    let waiting = if new > 0 { "yes" } else { "no" };
    format!(
        "Messages-Waiting: {waiting}\r\nMessage-Account: {account}\r\nVoice-Message: {new}/{old} (0/0)\r\n"
    )
}
