//! RFC 3842 message waiting: a phone's SUBSCRIBE to message-summary is challenged like a
//! REGISTER, accepted with 200 and followed at once by a NOTIFY of the counts; a change of
//! counts NOTIFYs again; only one's own mailbox may be watched; an unsubscribe and an
//! expired subscription end with a terminated NOTIFY.

mod support;

use std::time::{Duration, Instant};

use pbx::Pbx;
use sip::auth::Challenge;
use sip::transaction::Peer;
use sip::{Message, Request, Response, Transport};
use support::{addr, config, directory, FakeRelay, REALM, UNIX_START};

const PHONE: &str = "192.168.1.20:5060";

struct Rig {
    pbx: Pbx,
    now: Instant,
    cseq: u32,
    /// Answer every NOTIFY 200, as a phone does.
    answer_notifies: bool,
}

impl Rig {
    fn new() -> Rig {
        let now = Instant::now();
        let (relay, _) = FakeRelay::new();
        let pbx = Pbx::new(now, config(), directory(), Box::new(relay), Some(5));
        Rig {
            pbx,
            now,
            cseq: 0,
            answer_notifies: true,
        }
    }

    /// Sends raw text from the phone; returns what the PBX sent back (responses and
    /// requests), parsed.
    fn send(&mut self, text: &str) -> Vec<Message> {
        let peer = Peer {
            transport: Transport::Udp,
            addr: addr(PHONE),
        };
        self.pbx
            .handle_input(self.now, UNIX_START, peer, text.as_bytes());
        self.drain()
    }

    fn drain(&mut self) -> Vec<Message> {
        let mut out = Vec::new();
        while let Some(t) = self.pbx.poll_transmit() {
            if let Ok(m) = sip::parse(&t.bytes) {
                out.push(m);
            }
        }
        if self.answer_notifies {
            let peer = Peer {
                transport: Transport::Udp,
                addr: addr(PHONE),
            };
            for n in notifies(&out) {
                let ok = Response::for_request(&n, 200, "OK");
                self.pbx
                    .handle_input(self.now, UNIX_START, peer, &ok.to_bytes());
            }
        }
        out
    }

    /// A SUBSCRIBE from 100's phone for `user`'s mailbox, `to_tag` inside a dialog,
    /// answering a challenge with 100's password when `challenge` is given.
    fn subscribe(
        &mut self,
        user: &str,
        expires: u32,
        to_tag: Option<&str>,
        challenge: Option<&Response>,
    ) -> String {
        self.cseq += 1;
        let uri = format!("sip:{user}@{REALM}");
        let to = match to_tag {
            Some(tag) => format!("<{uri}>;tag={tag}"),
            None => format!("<{uri}>"),
        };
        let mut text = format!(
            "SUBSCRIBE {uri} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {PHONE};branch=z9hG4bKmwi{cseq}\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:100@{REALM}>;tag=phone1\r\n\
             To: {to}\r\n\
             Call-ID: mwi-1@phone\r\n\
             CSeq: {cseq} SUBSCRIBE\r\n\
             Contact: <sip:100@{PHONE}>\r\n\
             Event: message-summary\r\n\
             Accept: application/simple-message-summary\r\n\
             Expires: {expires}\r\n",
            cseq = self.cseq
        );
        if let Some(resp) = challenge {
            let ch = Challenge::first_supported(resp.headers.get_all("WWW-Authenticate"))
                .or_else(|| Challenge::first_supported(resp.headers.get_all("Proxy-Authenticate")))
                .expect("a challenge");
            let header = if resp.status == 407 {
                "Proxy-Authorization"
            } else {
                "Authorization"
            };
            let value = ch.authorization("100", "alice-secret", "SUBSCRIBE", &uri, 1, "c0ffee");
            text.push_str(&format!("{header}: {value}\r\n"));
        }
        text.push_str("Content-Length: 0\r\n\r\n");
        text
    }

    /// Subscribes with digest auth; returns the 200 and the NOTIFY that followed.
    fn subscribe_authenticated(&mut self, user: &str, expires: u32) -> (Response, Vec<Request>) {
        let first = self.subscribe(user, expires, None, None);
        let challenge = responses(&self.send(&first))
            .into_iter()
            .next()
            .expect("a challenge");
        assert!(
            matches!(challenge.status, 401 | 407),
            "{}",
            challenge.status
        );
        let retry = self.subscribe(user, expires, None, Some(&challenge));
        let out = self.send(&retry);
        let response = responses(&out)
            .into_iter()
            .next()
            .expect("a final response");
        (response, notifies(&out))
    }
}

fn responses(out: &[Message]) -> Vec<Response> {
    out.iter()
        .filter_map(|m| match m {
            Message::Response(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn notifies(out: &[Message]) -> Vec<Request> {
    out.iter()
        .filter_map(|m| match m {
            Message::Request(r) if r.method == sip::Method::Notify => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn body(r: &Request) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

#[test]
fn subscribe_is_challenged_then_accepted_with_an_immediate_notify() {
    let mut rig = Rig::new();
    let (ok, notify) = rig.subscribe_authenticated("100", 600);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.headers.get("Expires"), Some("600"));
    assert!(ok.to().and_then(|t| t.tag().map(str::to_owned)).is_some());
    assert_eq!(notify.len(), 1);
    let n = &notify[0];
    assert_eq!(n.headers.get("Event"), Some("message-summary"));
    assert!(n
        .headers
        .get("Subscription-State")
        .is_some_and(|s| s.starts_with("active")));
    assert_eq!(n.content_type(), Some("application/simple-message-summary"));
    assert!(body(n).contains("Messages-Waiting: no"), "{}", body(n));
    assert!(body(n).contains("Voice-Message: 0/0 (0/0)"), "{}", body(n));
    assert_eq!(n.call_id(), Some("mwi-1@phone"));
}

#[test]
fn a_new_message_count_notifies_the_phone_again() {
    let mut rig = Rig::new();
    let (_ok, _) = rig.subscribe_authenticated("100", 3600);
    let now = rig.now;
    rig.pbx.set_message_summary(now, "100", 2, 1);
    let notify = notifies(&rig.drain());
    assert_eq!(notify.len(), 1);
    assert!(body(&notify[0]).contains("Messages-Waiting: yes"));
    assert!(body(&notify[0]).contains("Voice-Message: 2/1 (0/0)"));

    // The same counts again say nothing new; another mailbox's are not this phone's.
    rig.pbx.set_message_summary(now, "100", 2, 1);
    rig.pbx.set_message_summary(now, "101", 5, 0);
    assert!(notifies(&rig.drain()).is_empty());

    rig.pbx.set_message_summary(now, "100", 0, 3);
    let notify = notifies(&rig.drain());
    assert_eq!(notify.len(), 1);
    assert!(body(&notify[0]).contains("Messages-Waiting: no"));
}

#[test]
fn another_extensions_mailbox_is_refused() {
    let mut rig = Rig::new();
    let (resp, notify) = rig.subscribe_authenticated("101", 600);
    assert_eq!(resp.status, 403);
    assert!(notify.is_empty());
}

#[test]
fn other_event_packages_are_refused_with_489() {
    let mut rig = Rig::new();
    let text = rig
        .subscribe("100", 600, None, None)
        .replace("Event: message-summary", "Event: presence");
    let resp = responses(&rig.send(&text));
    assert_eq!(resp.first().map(|r| r.status), Some(489));
}

#[test]
fn unsubscribe_and_expiry_end_the_subscription_with_a_terminated_notify() {
    let mut rig = Rig::new();
    let (ok, _) = rig.subscribe_authenticated("100", 600);
    let tag = ok
        .to()
        .and_then(|t| t.tag().map(str::to_owned))
        .expect("our tag");
    // Refresh inside the dialog.
    let refresh = rig.subscribe("100", 120, Some(&tag), None);
    let out = rig.send(&refresh);
    let resp = responses(&out);
    let resp = match resp.first() {
        Some(r) if r.status == 200 => r.clone(),
        Some(challenge) => {
            let retry = rig.subscribe("100", 120, Some(&tag), Some(challenge));
            responses(&rig.send(&retry))
                .into_iter()
                .next()
                .expect("final")
        }
        None => panic!("no answer to the refresh"),
    };
    assert_eq!(resp.status, 200);
    assert_eq!(resp.headers.get("Expires"), Some("120"));

    // Time runs out: the PBX ends it with a terminated NOTIFY.
    rig.now += Duration::from_secs(121);
    let now = rig.now;
    assert!(rig.pbx.poll_timeout().is_some_and(|t| t <= now));
    rig.pbx.handle_timeout(now, UNIX_START + 121);
    // (Earlier NOTIFYs nobody answered are retransmitted meanwhile: look at new ones.)
    let mut terminated: Vec<_> = notifies(&rig.drain())
        .into_iter()
        .filter(|n| {
            n.headers
                .get("Subscription-State")
                .is_some_and(|s| s.starts_with("terminated"))
        })
        .filter_map(|n| n.headers.get("CSeq").map(str::to_owned))
        .collect();
    terminated.dedup();
    assert_eq!(terminated.len(), 1);
    rig.pbx.set_message_summary(now, "100", 1, 0);
    let counts = notifies(&rig.drain())
        .iter()
        .filter(|n| body(n).contains("1/0"))
        .count();
    assert_eq!(counts, 0, "nobody is subscribed any more");
}

#[test]
fn a_notify_answered_481_ends_the_subscription() {
    let mut rig = Rig::new();
    rig.answer_notifies = false;
    let (_ok, _) = rig.subscribe_authenticated("100", 3600);
    let now = rig.now;
    rig.pbx.set_message_summary(now, "100", 1, 0);
    let notify = notifies(&rig.drain());
    assert_eq!(notify.len(), 1);
    // The phone rebooted and forgot the subscription.
    let gone = Response::for_request(&notify[0], 481, "Subscription Does Not Exist");
    let peer = Peer {
        transport: Transport::Udp,
        addr: addr(PHONE),
    };
    rig.pbx
        .handle_input(now, UNIX_START, peer, &gone.to_bytes());
    rig.drain();
    rig.pbx.set_message_summary(now, "100", 2, 0);
    assert!(
        notifies(&rig.drain()).is_empty(),
        "nobody is told of the new count"
    );
}

/// The screens hear of changed counts too (a message left by a caller, heard or deleted),
/// but not of the counts read at start.
#[test]
fn changed_counts_are_an_event_for_the_screens() {
    let mut rig = Rig::new();
    let now = rig.now;
    let summaries = |pbx: &mut Pbx| {
        let mut found = Vec::new();
        while let Some(action) = pbx.poll_action() {
            if let pbx::Action::Event(pbx::PbxEvent::MessageSummary { mailbox, new, old }) = action
            {
                found.push((mailbox, new, old));
            }
        }
        found
    };
    rig.pbx.set_message_summary(now, "100", 0, 0);
    assert!(summaries(&mut rig.pbx).is_empty(), "the state at start");
    rig.pbx.set_message_summary(now, "100", 1, 0);
    assert_eq!(summaries(&mut rig.pbx), vec![("100".to_owned(), 1, 0)]);
    rig.pbx.set_message_summary(now, "100", 1, 0);
    assert!(summaries(&mut rig.pbx).is_empty(), "nothing changed");
}
