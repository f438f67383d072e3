//! SRTP with SDES keys (RFC 4568): offered with fresh keys when the account signals over
//! TLS and never over UDP, an SRTP offer answered with our own key over TLS and refused
//! with 488 where keys cannot travel, a refused SRTP offer retried plain once (not when
//! SRTP is required, where a plain answer is hung up), and the keys kept across a re-INVITE.

mod ua_sim;

use std::time::Duration;

use media::sdp::{CryptoAttribute, SessionDescription};
use media::srtp::{SrtpKey, SrtpSuite};
use phone::call_media::SrtpMode;
use phone::ua::{CallHandle, Event};
use phone::Error;
use sip::transaction::ServerKey;
use sip::{Method, Request, Transport, Uri};
use ua_sim::{local_media, server_sdp, Sim};

const MS: Duration = Duration::from_millis(100);

fn sdp(body: &[u8]) -> SessionDescription {
    SessionDescription::parse(std::str::from_utf8(body).unwrap()).unwrap()
}

/// The server's description with RTP/SAVP and one `a=crypto` line.
fn secure_sdp(port: u16, crypto: &CryptoAttribute) -> Vec<u8> {
    let plain = String::from_utf8(server_sdp(port, "0 101", "sendrecv")).unwrap();
    format!("{plain}a=crypto:{}\r\n", crypto.to_value())
        .replace("RTP/AVP", "RTP/SAVP")
        .into_bytes()
}

fn place(sim: &mut Sim) -> (CallHandle, ServerKey, Request) {
    let now = sim.now;
    let call = sim.ua.place_call(now, "2001", local_media()).unwrap();
    sim.run(MS);
    let (key, invite) = sim.take_request(Method::Invite).expect("an INVITE");
    (call, key, invite)
}

fn incoming(sim: &Sim, body: Vec<u8>) -> Request {
    let uri: Uri = format!("sip:201@{}", sim.ua_addr).parse().unwrap();
    let mut r = Request::new(Method::Invite, uri);
    let h = &mut r.headers;
    h.push("Max-Forwards", "70");
    h.push("From", "<sip:300@office.example>;tag=pbx1");
    h.push("To", "<sip:201@office.example>");
    h.push("Call-ID", "in-srtp-1");
    h.push("CSeq", "1 INVITE");
    h.push("Contact", "<sip:pbx@192.0.2.1:5060>");
    h.push("Content-Type", "application/sdp");
    r.body = body;
    r
}

#[test]
fn over_tls_the_offer_is_savp_with_two_fresh_keys_and_over_udp_plain() {
    let mut tls = Sim::registered(Transport::Tls);
    let (_, _, invite) = place(&mut tls);
    let offer = sdp(&invite.body);
    let audio = &offer.media[0];
    assert_eq!(audio.proto, "RTP/SAVP");
    let crypto = audio.crypto();
    let suites: Vec<SrtpSuite> = crypto.iter().map(|c| c.suite).collect();
    assert_eq!(
        suites,
        [
            SrtpSuite::AesCm128HmacSha1_80,
            SrtpSuite::AesCm128HmacSha1_32
        ]
    );
    assert_ne!(crypto[0].key, crypto[1].key);

    // A second call has other keys (RFC 4568 §6.1: fresh per session).
    let (_, _, second) = place(&mut tls);
    assert_ne!(sdp(&second.body).media[0].crypto()[0].key, crypto[0].key);

    let mut udp = Sim::registered(Transport::Udp);
    let (_, _, invite) = place(&mut udp);
    let offer = sdp(&invite.body);
    assert_eq!(offer.media[0].proto, "RTP/AVP");
    assert!(offer.media[0].crypto().is_empty());
    assert!(!String::from_utf8_lossy(&invite.body).contains("crypto"));
}

#[test]
fn the_answer_to_our_offer_gives_the_keys_of_the_line_it_names() {
    let mut sim = Sim::registered(Transport::Tls);
    let (call, key, invite) = place(&mut sim);
    let ours = sdp(&invite.body).media[0].crypto();
    let theirs = CryptoAttribute {
        tag: 2,
        suite: SrtpSuite::AesCm128HmacSha1_32,
        key: SrtpKey::random(),
    };
    sim.respond(key, &invite, 200, Some(secure_sdp(30000, &theirs)));
    sim.run(MS);
    let events = sim.take_events();
    let Some(Event::Answered {
        call: c,
        media: Some(media),
    }) = events.first()
    else {
        panic!("expected Answered, got {events:?}");
    };
    assert_eq!(*c, call);
    let keys = media.srtp.as_ref().expect("srtp agreed");
    assert_eq!(keys.suite, SrtpSuite::AesCm128HmacSha1_32);
    assert_eq!(keys.local, ours[1].key);
    assert_eq!(keys.remote, theirs.key);

    // Our hold re-INVITE keeps the agreed line and key (RFC 4568 §7.1.4).
    let now = sim.now;
    sim.ua.hold(now, call).unwrap();
    sim.run(MS);
    let (_, reinvite) = sim.take_request(Method::Invite).expect("a re-INVITE");
    let again = sdp(&reinvite.body).media[0].crypto();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].tag, 2);
    assert_eq!(again[0].key, ours[1].key);
}

#[test]
fn an_srtp_offer_over_tls_is_answered_with_our_own_key() {
    let mut sim = Sim::registered(Transport::Tls);
    let theirs = CryptoAttribute {
        tag: 5,
        suite: SrtpSuite::AesCm128HmacSha1_80,
        key: SrtpKey::random(),
    };
    let req = incoming(&sim, secure_sdp(30000, &theirs));
    sim.send(req);
    sim.run(MS);
    let events = sim.take_events();
    let Some(Event::Incoming { call, .. }) = events.first() else {
        panic!("expected Incoming, got {events:?}");
    };
    let now = sim.now;
    sim.ua.answer(now, *call, local_media()).unwrap();
    sim.run(MS);
    let ok = loop {
        let (_, r) = sim.take_response().expect("a response");
        if r.status >= 200 {
            break r;
        }
    };
    assert_eq!(ok.status, 200);
    let answer = sdp(&ok.body);
    assert_eq!(answer.media[0].proto, "RTP/SAVP");
    let lines = answer.media[0].crypto();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].tag, 5);
    assert_eq!(lines[0].suite, SrtpSuite::AesCm128HmacSha1_80);
    // RFC 4568 §6.1: our own key, never the offerer's.
    assert_ne!(lines[0].key, theirs.key);
    let answered = sim.take_events();
    let Some(Event::Answered {
        media: Some(media), ..
    }) = answered.first()
    else {
        panic!("expected Answered, got {answered:?}");
    };
    let keys = media.srtp.as_ref().expect("srtp agreed");
    assert_eq!(keys.remote, theirs.key);
    assert_eq!(keys.local, lines[0].key);
}

#[test]
fn srtp_offers_over_udp_and_plain_offers_where_srtp_is_required_get_488() {
    let theirs = CryptoAttribute {
        tag: 1,
        suite: SrtpSuite::AesCm128HmacSha1_80,
        key: SrtpKey::random(),
    };
    let mut udp = Sim::registered(Transport::Udp);
    let req = incoming(&udp, secure_sdp(30000, &theirs));
    udp.send(req);
    udp.run(MS);
    let (_, refusal) = udp.take_response().expect("a response");
    assert_eq!(refusal.status, 488);
    assert!(udp.take_events().is_empty());

    let mut tls = Sim::registered(Transport::Tls);
    tls.ua.set_srtp(SrtpMode::Required);
    let req = incoming(&tls, server_sdp(30000, "0 101", "sendrecv"));
    tls.send(req);
    tls.run(MS);
    let (_, refusal) = tls.take_response().expect("a response");
    assert_eq!(refusal.status, 488);
    assert_eq!(tls.ua.call_count(), 0);

    // SRTP off: even over TLS an SRTP offer is refused and ours is plain.
    let mut off = Sim::registered(Transport::Tls);
    off.ua.set_srtp(SrtpMode::Off);
    let req = incoming(&off, secure_sdp(30000, &theirs));
    off.send(req);
    off.run(MS);
    let (_, refusal) = off.take_response().expect("a response");
    assert_eq!(refusal.status, 488);
    let (_, _, invite) = place(&mut off);
    assert_eq!(sdp(&invite.body).media[0].proto, "RTP/AVP");
}

#[test]
fn a_refused_srtp_offer_is_retried_plain_once() {
    let mut sim = Sim::registered(Transport::Tls);
    let (call, key, invite) = place(&mut sim);
    sim.respond(key, &invite, 488, None);
    sim.run(MS);
    let (key, retry) = sim.take_request(Method::Invite).expect("a plain retry");
    assert_eq!(retry.call_id(), invite.call_id());
    assert!(retry.cseq().unwrap().seq > invite.cseq().unwrap().seq);
    assert_eq!(sdp(&retry.body).media[0].proto, "RTP/AVP");
    assert!(sdp(&retry.body).media[0].crypto().is_empty());
    // A second refusal ends the call: no third offer.
    sim.respond(key, &retry, 488, None);
    sim.run(MS);
    assert!(sim.take_request(Method::Invite).is_none());
    let events = sim.take_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Failed { call: c, status: 488, .. } if *c == call)),
        "{events:?}"
    );
}

#[test]
fn where_srtp_is_required_a_refusal_ends_the_call_and_udp_cannot_call() {
    let mut sim = Sim::registered(Transport::Tls);
    sim.ua.set_srtp(SrtpMode::Required);
    let (call, key, invite) = place(&mut sim);
    sim.respond(key, &invite, 488, None);
    sim.run(MS);
    assert!(sim.take_request(Method::Invite).is_none());
    let events = sim.take_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Failed { call: c, status: 488, .. } if *c == call)),
        "{events:?}"
    );

    let mut udp = Sim::registered(Transport::Udp);
    udp.ua.set_srtp(SrtpMode::Required);
    let now = udp.now;
    assert_eq!(
        udp.ua.place_call(now, "2001", local_media()),
        Err(Error::SrtpNeedsTls)
    );
}

#[test]
fn where_srtp_is_required_a_plain_answer_is_hung_up() {
    let mut sim = Sim::registered(Transport::Tls);
    sim.ua.set_srtp(SrtpMode::Required);
    let (call, key, invite) = place(&mut sim);
    sim.respond(
        key,
        &invite,
        200,
        Some(server_sdp(30000, "0 101", "sendrecv")),
    );
    sim.run(MS);
    let (_, bye) = sim.take_request(Method::Bye).expect("a BYE");
    assert_eq!(bye.call_id(), invite.call_id());
    let events = sim.take_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Failed { call: c, status: 488, .. } if *c == call)),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| matches!(e, Event::Answered { .. })));
    assert_eq!(sim.ua.call_count(), 0);
}
