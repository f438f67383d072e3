//! A server may challenge requests inside a call as it challenged the INVITE (RFC 3261
//! §22.2): a BYE, a re-INVITE and an INFO are sent again once with credentials and a new
//! CSeq, and a second challenge fails the request.

mod ua_sim;

use std::time::Duration;

use phone::ua::{CallHandle, Event};
use sip::auth::{DigestConfig, DigestServer, Secret, Verdict};
use sip::transaction::ServerKey;
use sip::{Method, Request, Response, Transport};
use ua_sim::{local_media, server_sdp, Sim, PASSWORD, REALM};

const MS: Duration = Duration::from_millis(100);

/// A registered phone with an answered outgoing call.
fn in_call() -> (Sim, CallHandle, DigestServer) {
    let mut sim = Sim::registered(Transport::Udp);
    let now = sim.now;
    let call = sim.ua.place_call(now, "2001", local_media()).unwrap();
    sim.run(MS);
    let (key, invite) = sim.take_request(Method::Invite).unwrap();
    sim.respond(
        key,
        &invite,
        200,
        Some(server_sdp(30000, "0 101", "sendrecv")),
    );
    sim.run(MS);
    sim.inbox.clear();
    sim.events.clear();
    let digest = DigestServer::with_secret(sim.now, DigestConfig::default(), [5; 32]);
    (sim, call, digest)
}

fn challenge(sim: &mut Sim, digest: &mut DigestServer, key: ServerKey, req: &Request, proxy: bool) {
    let (status, reason, header) = if proxy {
        (407, "Proxy Authentication Required", "Proxy-Authenticate")
    } else {
        (401, "Unauthorized", "WWW-Authenticate")
    };
    let mut response = Response::for_request(req, status, reason);
    for value in digest.challenge(sim.now, REALM, false) {
        response.headers.push(header, value);
    }
    sim.server.send_response(sim.now, &key, response).unwrap();
    sim.run(MS);
}

fn verify(sim: &Sim, digest: &mut DigestServer, req: &Request, header: &str) -> Verdict {
    let answer = req.headers.get(header).expect("credentials");
    digest.verify(sim.now, req.method.as_str(), answer, |u, _| {
        (u == "201").then(|| Secret::Password(PASSWORD.to_owned()))
    })
}

fn authorized() -> Verdict {
    Verdict::Authorized {
        user: "201".to_owned(),
    }
}

#[test]
fn a_challenged_bye_is_sent_again_with_credentials() {
    let (mut sim, call, mut digest) = in_call();
    let now = sim.now;
    sim.ua.hang_up(now, call).unwrap();
    sim.run(MS);
    let (key, bye) = sim.take_request(Method::Bye).unwrap();
    assert!(bye.headers.get("Authorization").is_none());
    challenge(&mut sim, &mut digest, key, &bye, false);

    let (key2, retry) = sim.take_request(Method::Bye).expect("a second BYE");
    assert_eq!(retry.call_id(), bye.call_id());
    assert_eq!(retry.cseq().unwrap().seq, bye.cseq().unwrap().seq + 1);
    assert_eq!(
        verify(&sim, &mut digest, &retry, "Authorization"),
        authorized()
    );
    sim.respond(key2, &retry, 200, None);
    sim.run(Duration::from_secs(40));
    assert!(sim.take_request(Method::Bye).is_none());
    assert_eq!(sim.ua.call_count(), 0);
}

#[test]
fn a_challenged_reinvite_is_sent_again_and_its_answer_applied() {
    let (mut sim, call, mut digest) = in_call();
    let now = sim.now;
    sim.ua.hold(now, call).unwrap();
    sim.run(MS);
    let (key, reinvite) = sim.take_request(Method::Invite).unwrap();
    challenge(&mut sim, &mut digest, key, &reinvite, true);

    let (key2, retry) = sim
        .take_request(Method::Invite)
        .expect("a second re-INVITE");
    assert_eq!(retry.cseq().unwrap().seq, reinvite.cseq().unwrap().seq + 1);
    assert_eq!(retry.body, reinvite.body, "the same offer");
    assert_eq!(
        verify(&sim, &mut digest, &retry, "Proxy-Authorization"),
        authorized()
    );
    assert!(sim.events.is_empty(), "{:?}", sim.events);
    sim.respond(
        key2,
        &retry,
        200,
        Some(server_sdp(30000, "0 101", "recvonly")),
    );
    sim.run(MS);
    assert!(
        sim.events.iter().any(|e| matches!(
            e,
            Event::MediaChanged { call: c, held_locally: true, .. } if *c == call
        )),
        "{:?}",
        sim.events
    );
    let ack = sim.inbox.iter().find_map(|e| match e {
        sip::transaction::Event::Ack { request, .. } => Some(request.clone()),
        _ => None,
    });
    assert_eq!(
        ack.expect("an ACK").cseq().unwrap().seq,
        retry.cseq().unwrap().seq
    );
}

#[test]
fn a_second_challenge_to_an_info_fails_it() {
    let (mut sim, call, mut digest) = in_call();
    let now = sim.now;
    sim.ua.send_dtmf_info(now, call, '5', 160).unwrap();
    sim.run(MS);
    let (key, info) = sim.take_request(Method::Info).unwrap();
    challenge(&mut sim, &mut digest, key, &info, false);
    let (key2, retry) = sim.take_request(Method::Info).expect("a second INFO");
    assert_eq!(
        verify(&sim, &mut digest, &retry, "Authorization"),
        authorized()
    );
    assert_eq!(retry.body, info.body);
    challenge(&mut sim, &mut digest, key2, &retry, false);

    assert!(sim.take_request(Method::Info).is_none(), "no third INFO");
    assert_eq!(sim.events, vec![Event::RequestFailed { call, status: 401 }]);
    assert_eq!(sim.ua.call_count(), 1, "the call goes on");
}
