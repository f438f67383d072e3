//! The less common paths: early media in a 183, re-INVITEs that cross (491), a call
//! nobody answers at all, and requests from anyone but the account's server.

mod ua_sim;

use std::time::Duration;

use phone::ua::Event;
use phone::Error;
use sip::transaction::{EndpointConfig, Event as TxEvent, Peer};
use sip::{Method, Request, Transport, Uri};
use ua_sim::{local_media, server_sdp, Sim};

const MS: Duration = Duration::from_millis(100);

#[test]
fn early_media_in_a_183_is_reported_and_kept_by_a_bodiless_200() {
    let mut sim = Sim::registered(Transport::Udp);
    let now = sim.now;
    let call = sim.ua.place_call(now, "2001", local_media()).unwrap();
    sim.run(MS);
    let (key, invite) = sim.take_request(Method::Invite).unwrap();
    sim.respond(key, &invite, 183, Some(server_sdp(31000, "0", "sendrecv")));
    sim.run(MS);
    let events = sim.take_events();
    let [Event::Ringing {
        call: c,
        media: Some(early),
    }] = events.as_slice()
    else {
        panic!("expected Ringing with media, got {events:?}");
    };
    assert_eq!(*c, call);
    assert_eq!(early.addr, Some("203.0.113.5:31000".parse().unwrap()));
    // A repeated 183 with the same description says nothing new.
    sim.respond(key, &invite, 183, Some(server_sdp(31000, "0", "sendrecv")));
    sim.run(MS);
    assert!(sim.take_events().is_empty());
    sim.respond(key, &invite, 200, None);
    sim.run(MS);
    let events = sim.take_events();
    assert!(
        matches!(events.as_slice(), [Event::Answered { media: Some(m), .. }] if m.addr == early.addr),
        "{events:?}"
    );
}

#[test]
fn a_reinvite_refused_with_491_is_sent_again_after_the_wait() {
    let mut sim = Sim::registered(Transport::Udp);
    let now = sim.now;
    let call = sim.ua.place_call(now, "2002", local_media()).unwrap();
    sim.run(MS);
    let (key, invite) = sim.take_request(Method::Invite).unwrap();
    sim.respond(key, &invite, 200, Some(server_sdp(30000, "0", "sendrecv")));
    sim.run(MS);
    sim.take_events();
    sim.inbox.clear();

    let now = sim.now;
    sim.ua.hold(now, call).unwrap();
    sim.run(MS);
    let (k, reinvite) = sim.take_request(Method::Invite).unwrap();
    sim.respond(k, &reinvite, 491, None);
    // RFC 3261 §14.1: we chose the Call-ID, so the retry comes 2.1–4 s later.
    sim.run(Duration::from_secs(2));
    assert!(sim.take_request(Method::Invite).is_none());
    assert!(sim.take_events().is_empty(), "a 491 is not a failure");
    sim.run(Duration::from_millis(2100));
    let (k, retry) = sim
        .take_request(Method::Invite)
        .expect("the re-INVITE again");
    assert!(retry.cseq().unwrap().seq > reinvite.cseq().unwrap().seq);
    assert!(String::from_utf8_lossy(&retry.body).contains("a=sendonly"));
    sim.respond(k, &retry, 200, Some(server_sdp(30000, "0", "recvonly")));
    sim.run(MS);
    assert!(matches!(
        sim.take_events().as_slice(),
        [Event::MediaChanged {
            held_locally: true,
            ..
        }]
    ));
}

#[test]
fn a_refused_reinvite_leaves_the_call_as_it_was() {
    let mut sim = Sim::registered(Transport::Udp);
    let now = sim.now;
    let call = sim.ua.place_call(now, "2003", local_media()).unwrap();
    sim.run(MS);
    let (key, invite) = sim.take_request(Method::Invite).unwrap();
    sim.respond(key, &invite, 200, Some(server_sdp(30000, "0", "sendrecv")));
    sim.run(MS);
    sim.take_events();
    let now = sim.now;
    sim.ua.hold(now, call).unwrap();
    sim.run(MS);
    let (k, reinvite) = sim.take_request(Method::Invite).unwrap();
    sim.respond(k, &reinvite, 488, None);
    sim.run(MS);
    assert_eq!(
        sim.take_events(),
        vec![Event::RequestFailed { call, status: 488 }]
    );
    // The call is still up: it can be held again and hung up.
    let now = sim.now;
    assert_eq!(sim.ua.hold(now, call), Ok(()));
    assert_eq!(sim.ua.call_count(), 1);
}

#[test]
fn an_invite_nobody_answers_fails_with_408() {
    let mut sim = Sim::registered(Transport::Udp);
    // The server is gone: every INVITE is lost.
    sim.lose = Box::new(|to_server, bytes| to_server && bytes.starts_with(b"INVITE"));
    let now = sim.now;
    let call = sim.ua.place_call(now, "2004", local_media()).unwrap();
    // Timer B: 64·T1 = 32 s.
    sim.run(Duration::from_secs(31));
    assert!(sim.take_events().is_empty());
    sim.run(Duration::from_secs(2));
    assert!(matches!(
        sim.take_events().as_slice(),
        [Event::Failed { call: c, status: 408, .. }] if *c == call
    ));
    assert_eq!(sim.ua.call_count(), 0);
    assert_eq!(sim.ua.hang_up(sim.now, call), Err(Error::UnknownCall));
}

#[test]
fn an_invite_from_anyone_but_the_server_is_refused() {
    let mut sim = Sim::registered(Transport::Udp);
    let stranger: std::net::SocketAddr = "203.0.113.66:5060".parse().unwrap();
    let mut config = EndpointConfig::new(stranger.ip().into(), Some(5060));
    config.seed = Some(11);
    let mut scanner = sip::transaction::Endpoint::new(config);
    let uri: Uri = format!("sip:201@{}", sim.ua_addr).parse().unwrap();
    let mut invite = Request::new(Method::Invite, uri);
    for (name, value) in [
        ("Max-Forwards", "70"),
        ("From", "<sip:100@203.0.113.66>;tag=x1"),
        ("To", "<sip:201@198.51.100.7>"),
        ("Call-ID", "scan-1"),
        ("CSeq", "1 INVITE"),
        ("Contact", "<sip:100@203.0.113.66>"),
    ] {
        invite.headers.push(name, value);
    }
    let ua = Peer {
        transport: Transport::Udp,
        addr: sim.ua_addr,
    };
    let now = sim.now;
    scanner.send_request(now, invite, ua).unwrap();
    let datagram = scanner.poll_transmit().unwrap();
    let from = Peer {
        transport: Transport::Udp,
        addr: stranger,
    };
    sim.ua.handle_input(now, from, &datagram.bytes);
    let answer = sim.ua.poll_transmit().expect("an answer");
    assert_eq!(answer.dest, stranger);
    scanner.handle_datagram(now, ua, &answer.bytes);
    assert!(matches!(
        scanner.poll_event(),
        Some(TxEvent::Response { response, .. }) if response.status == 403
    ));
    assert!(sim.ua.poll_event().is_none());
    assert_eq!(sim.ua.call_count(), 0);
}

#[test]
fn a_second_challenge_fails_the_call_and_bad_targets_are_refused() {
    let mut sim = Sim::registered(Transport::Udp);
    let now = sim.now;
    assert_eq!(
        sim.ua.place_call(now, "", local_media()),
        Err(Error::BadTarget)
    );
    assert_eq!(
        sim.ua.place_call(now, "20 01", local_media()),
        Err(Error::BadTarget)
    );
    let call = sim.ua.place_call(now, "2005", local_media()).unwrap();
    let mut digest =
        sip::auth::DigestServer::with_secret(now, sip::auth::DigestConfig::default(), [1; 32]);
    for round in 0..2 {
        sim.run(MS);
        let (key, invite) = sim.take_request(Method::Invite).expect("an INVITE");
        assert_eq!(invite.headers.get("Authorization").is_some(), round == 1);
        let mut challenge = sip::Response::for_request(&invite, 401, "Unauthorized");
        challenge
            .headers
            .set("To", invite.to().unwrap().with_tag("c1").to_string());
        for value in digest.challenge(sim.now, ua_sim::REALM, false) {
            challenge.headers.push("WWW-Authenticate", value);
        }
        sim.server.send_response(sim.now, &key, challenge).unwrap();
    }
    sim.run(MS);
    // The answered challenge came back: the password is wrong, no third INVITE.
    assert!(sim.take_request(Method::Invite).is_none());
    assert!(matches!(
        sim.take_events().as_slice(),
        [Event::Failed { call: c, status: 401, .. }] if *c == call
    ));
}
