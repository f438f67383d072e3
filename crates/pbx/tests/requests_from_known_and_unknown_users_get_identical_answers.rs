//! No enumeration through any method: REGISTER, INVITE, SUBSCRIBE, OPTIONS and MESSAGE from
//! an extension that exists and from one that does not, without credentials and with a
//! wrong password, and INVITEs and MESSAGEs to a number that exists and to one that does
//! not, get the same status, reason and headers (tags and nonces aside), and a wrong
//! password counts as a failed authentication either way.

mod support;

use std::time::{Duration, Instant};

use pbx::registrar::AuthOutcome;
use pbx::Pbx;
use sip::auth::Challenge;
use sip::transaction::Peer;
use sip::{Message, Response, Transport};
use support::*;

const PHONE: &str = "192.168.1.77:5062";

fn request(method: &str, from: &str, to: &str, call: &str, auth: Option<&str>) -> Vec<u8> {
    let uri = match method {
        "REGISTER" | "OPTIONS" => format!("sip:{REALM}"),
        _ => format!("sip:{to}@{REALM}"),
    };
    let mut text = format!(
        "{method} {uri} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {PHONE};branch=z9hG4bK{call}{}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:{from}@{REALM}>;tag=f{call}\r\n\
         To: <sip:{to}@{REALM}>\r\n\
         Call-ID: {call}@phone\r\n\
         CSeq: {} {method}\r\n\
         Contact: <sip:{from}@{PHONE}>\r\n",
        auth.map_or("a", |_| "b"),
        if auth.is_some() { 2 } else { 1 },
    );
    if method == "SUBSCRIBE" {
        text.push_str("Event: message-summary\r\nExpires: 600\r\n");
    }
    if let Some(auth) = auth {
        text.push_str(&format!("Authorization: {auth}\r\n"));
    }
    let body = match method {
        "MESSAGE" => "hello".to_string(),
        "INVITE" => support::sdp::body(addr("192.168.1.77:4000"), 1, sip_direction()),
        _ => String::new(),
    };
    if method == "MESSAGE" {
        text.push_str("Content-Type: text/plain\r\n");
    } else if method == "INVITE" {
        text.push_str("Content-Type: application/sdp\r\n");
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text.into_bytes()
}

fn sip_direction() -> media::sdp::Direction {
    media::sdp::Direction::SendRecv
}

/// The final response the PBX sends to `bytes`, and the credential checks it made.
fn answer(pbx: &mut Pbx, now: Instant, bytes: &[u8]) -> (Response, Vec<AuthOutcome>) {
    let source = Peer {
        transport: Transport::Udp,
        addr: addr(PHONE),
    };
    pbx.handle_input(now, UNIX_START, source, bytes);
    let outcomes = pbx.registrar_mut().take_auth_outcomes();
    let mut last = None;
    while let Some(t) = pbx.poll_transmit() {
        if let Ok(Message::Response(r)) = sip::parse(&t.bytes) {
            if r.status >= 200 {
                last = Some(r);
            }
        }
    }
    (last.expect("a final response"), outcomes)
}

/// Status, reason, and header names and values with tags, nonces, the call's own
/// identifiers and the users named masked.
fn shape(resp: &Response, users: &[&str]) -> Vec<String> {
    let mut out = vec![format!("{} {}", resp.status, resp.reason)];
    for (name, value) in resp.headers.iter() {
        let mut v = value.to_string();
        for user in users {
            v = v.replace(user, "USER");
        }
        for marker in ["nonce=\"", "tag=", "branch=z9hG4bK", "Call-ID"] {
            if let Some(start) = v.find(marker) {
                let from = start + marker.len();
                let end = v[from..]
                    .find(['"', ';', ',', '@'])
                    .map_or(v.len(), |i| from + i);
                v.replace_range(from..end, "MASKED");
            }
        }
        if name.eq_ignore_ascii_case("Call-ID") || name.eq_ignore_ascii_case("Date") {
            v = "MASKED".into();
        }
        out.push(format!("{name}: {v}"));
    }
    out
}

/// Sends `method` without credentials, then answers the challenge with a wrong password.
fn try_method(
    method: &str,
    from: &str,
    to: &str,
    call: &str,
) -> (Vec<String>, Vec<String>, Vec<AuthOutcome>) {
    let t0 = Instant::now();
    let (relay, _) = FakeRelay::new();
    let mut pbx = Pbx::new(t0, config(), directory(), Box::new(relay), Some(7));
    let (first, _) = answer(&mut pbx, t0, &request(method, from, to, call, None));
    let users = [from, to];
    let Some(challenge) = first
        .headers
        .get_all("WWW-Authenticate")
        .find_map(Challenge::parse)
    else {
        return (shape(&first, &users), Vec::new(), Vec::new());
    };
    let uri = match method {
        "REGISTER" | "OPTIONS" => format!("sip:{REALM}"),
        _ => format!("sip:{to}@{REALM}"),
    };
    let auth = challenge.authorization(from, "not-the-password", method, &uri, 1, "c0ffee");
    let now = t0 + Duration::from_millis(20);
    let (second, outcomes) = answer(&mut pbx, now, &request(method, from, to, call, Some(&auth)));
    (shape(&first, &users), shape(&second, &users), outcomes)
}

#[test]
fn every_method_answers_a_known_and_an_unknown_caller_alike() {
    for method in ["REGISTER", "INVITE", "SUBSCRIBE", "OPTIONS", "MESSAGE"] {
        let known = try_method(method, "100", "101", "k1");
        let unknown = try_method(method, "555", "101", "k1");
        assert_eq!(known.0, unknown.0, "{method}: first answers differ");
        assert_eq!(
            known.1, unknown.1,
            "{method}: answers to a wrong password differ"
        );
        assert_eq!(known.2, unknown.2, "{method}: credential checks differ");
        if !known.1.is_empty() {
            assert!(known.0[0].starts_with("401"), "{method}: {:?}", known.0);
            assert!(known.1[0].starts_with("401"), "{method}: {:?}", known.1);
            assert_eq!(known.2, vec![AuthOutcome::Failed], "{method}");
        }
    }
}

#[test]
fn calls_and_messages_to_an_unknown_number_are_challenged_like_to_a_known_one() {
    for method in ["INVITE", "MESSAGE", "SUBSCRIBE"] {
        let known = try_method(method, "100", "101", "n1");
        let unknown = try_method(method, "100", "999", "n1");
        // MESSAGE is not served: 405 for everyone alike.
        let expected = if method == "MESSAGE" { "405" } else { "401" };
        assert!(known.0[0].starts_with(expected), "{method}: {:?}", known.0);
        assert_eq!(known.0, unknown.0, "{method}: first answers differ");
        assert_eq!(
            known.1, unknown.1,
            "{method}: answers to a wrong password differ"
        );
    }
}
