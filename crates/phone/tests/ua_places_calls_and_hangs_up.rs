//! Outgoing calls: the INVITE carries our offer, a 407 is answered, ringing and the
//! answer are reported with the far end's media, and the call ends by BYE or CANCEL.

mod ua_sim;

use std::time::Duration;

use media::sdp::SessionDescription;
use phone::ua::{CallHandle, EndReason, Event};
use phone::Error;
use sip::auth::{DigestConfig, DigestServer, Secret, Verdict};
use sip::transaction::ServerKey;
use sip::{Method, Request, Transport};
use ua_sim::{local_media, server_sdp, Sim, PASSWORD, REALM};

const MS: Duration = Duration::from_millis(100);

fn place(sim: &mut Sim, target: &str) -> (CallHandle, ServerKey, Request) {
    let now = sim.now;
    let call = sim.ua.place_call(now, target, local_media()).unwrap();
    sim.run(MS);
    let (key, invite) = sim.take_request(Method::Invite).expect("an INVITE");
    (call, key, invite)
}

/// Rings, answers with PCMA at 203.0.113.5:30000 and collects the ACK.
fn answer(sim: &mut Sim, key: ServerKey, invite: &Request) {
    sim.respond(key, invite, 180, None);
    sim.run(MS);
    sim.respond(
        key,
        invite,
        200,
        Some(server_sdp(30000, "8 101", "sendrecv")),
    );
    sim.run(MS);
}

#[test]
fn a_call_is_offered_rung_answered_and_hung_up() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, key, invite) = place(&mut sim, "2001");
    assert_eq!(invite.uri.to_string(), "sip:2001@office.example");
    assert!(invite.from().unwrap().display_name.as_deref() == Some("Front Desk"));
    let offer = SessionDescription::parse(std::str::from_utf8(&invite.body).unwrap()).unwrap();
    let audio = offer.audio().unwrap();
    assert_eq!(
        audio.socket_addr(),
        Some("198.51.100.7:40000".parse().unwrap())
    );
    let formats = offer.media[0].payload_formats();
    let names: Vec<&str> = formats.iter().map(|f| f.encoding.as_str()).collect();
    assert_eq!(names, ["PCMU", "PCMA", "telephone-event"]);

    answer(&mut sim, key, &invite);
    let events = sim.take_events();
    assert_eq!(events.first(), Some(&Event::Ringing { call, media: None }));
    let Some(Event::Answered {
        call: c,
        media: Some(media),
    }) = events.get(1)
    else {
        panic!("expected Answered, got {events:?}");
    };
    assert_eq!(*c, call);
    assert_eq!(media.addr, Some("203.0.113.5:30000".parse().unwrap()));
    assert_eq!(media.codec.as_ref().unwrap().encoding, "PCMA");
    assert_eq!(media.telephone_event, Some(101));
    assert!(matches!(
        sim.inbox.pop_front(),
        Some(sip::transaction::Event::Ack { .. })
    ));

    let now = sim.now;
    sim.ua.hang_up(now, call).unwrap();
    sim.run(MS);
    let (bye_key, bye) = sim.take_request(Method::Bye).expect("a BYE");
    assert_eq!(bye.call_id(), invite.call_id());
    assert_eq!(bye.uri.to_string(), "sip:pbx@192.0.2.1:5060");
    sim.respond(bye_key, &bye, 200, None);
    sim.run(MS);
    assert_eq!(
        sim.take_events(),
        vec![Event::Ended {
            call,
            reason: EndReason::Local
        }]
    );
    assert_eq!(sim.ua.call_count(), 0);
}

#[test]
fn a_proxy_challenge_is_answered_with_a_new_invite() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, key, invite) = place(&mut sim, "sip:2002@office.example");
    let mut digest = DigestServer::with_secret(sim.now, DigestConfig::default(), [4; 32]);
    let mut challenge = sip::Response::for_request(&invite, 407, "Proxy Authentication Required");
    challenge
        .headers
        .set("To", invite.to().unwrap().with_tag("p1").to_string());
    for value in digest.challenge(sim.now, REALM, false) {
        challenge.headers.push("Proxy-Authenticate", value);
    }
    sim.server.send_response(sim.now, &key, challenge).unwrap();
    sim.run(MS);
    let (key2, retry) = sim.take_request(Method::Invite).expect("a second INVITE");
    assert_eq!(retry.call_id(), invite.call_id());
    assert_eq!(retry.cseq().unwrap().seq, invite.cseq().unwrap().seq + 1);
    let answer = retry.headers.get("Proxy-Authorization").unwrap();
    let verdict = digest.verify(sim.now, "INVITE", answer, |u, _| {
        (u == "201").then(|| Secret::Password(PASSWORD.to_owned()))
    });
    assert_eq!(
        verdict,
        Verdict::Authorized {
            user: "201".to_owned()
        }
    );
    answer_call(&mut sim, key2, &retry);
    assert!(sim
        .take_events()
        .iter()
        .any(|e| matches!(e, Event::Answered { call: c, .. } if *c == call)));
}

fn answer_call(sim: &mut Sim, key: ServerKey, invite: &Request) {
    answer(sim, key, invite)
}

#[test]
fn hanging_up_while_ringing_cancels_the_invite() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, key, invite) = place(&mut sim, "2003");
    sim.respond(key, &invite, 180, None);
    sim.run(MS);
    let now = sim.now;
    sim.ua.hang_up(now, call).unwrap();
    sim.run(MS);
    // The server's transaction layer answered the CANCEL; it ends the INVITE with 487.
    let cancelled = sim
        .inbox
        .iter()
        .any(|e| matches!(e, sip::transaction::Event::Cancelled { invite, .. } if *invite == key));
    assert!(cancelled);
    sim.respond(key, &invite, 487, None);
    sim.run(MS);
    assert_eq!(
        sim.take_events(),
        vec![
            Event::Ringing { call, media: None },
            Event::Ended {
                call,
                reason: EndReason::Local
            }
        ]
    );
    assert_eq!(sim.ua.call_count(), 0);
}

#[test]
fn a_busy_answer_fails_the_call() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, key, invite) = place(&mut sim, "2004");
    sim.respond(key, &invite, 486, None);
    sim.run(MS);
    assert_eq!(
        sim.take_events(),
        vec![Event::Failed {
            call,
            status: 486,
            reason: "Busy Here".to_owned()
        }]
    );
    // The 486 was acknowledged by the transaction layer (RFC 3261 §17.1.1.3).
    assert!(sim.server_received.iter().any(|m| m.starts_with("ACK ")));
    assert_eq!(sim.ua.hang_up(sim.now, call), Err(Error::UnknownCall));
}

#[test]
fn a_lost_invite_and_a_lost_answer_are_retransmitted() {
    let mut sim = Sim::registered(Transport::Udp);
    let mut lost_invite = false;
    let mut lost_ok = false;
    sim.lose = Box::new(move |to_server, bytes| {
        let text = String::from_utf8_lossy(bytes);
        if to_server && text.starts_with("INVITE") && !lost_invite {
            lost_invite = true;
            return true;
        }
        if !to_server && text.starts_with("SIP/2.0 200") && text.contains("INVITE") && !lost_ok {
            lost_ok = true;
            return true;
        }
        false
    });
    let now = sim.now;
    let call = sim.ua.place_call(now, "2005", local_media()).unwrap();
    sim.run(MS);
    assert!(
        sim.take_request(Method::Invite).is_none(),
        "first INVITE was lost"
    );
    // Timer A: resent after T1 = 500 ms.
    sim.run(Duration::from_millis(600));
    let (key, invite) = sim
        .take_request(Method::Invite)
        .expect("the retransmitted INVITE");
    sim.respond(key, &invite, 200, Some(server_sdp(30000, "0", "sendrecv")));
    // The lost 200 is retransmitted by the server until the ACK arrives.
    sim.run(Duration::from_secs(2));
    let events = sim.take_events();
    let answered: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::Answered { .. }))
        .collect();
    assert_eq!(answered.len(), 1);
    assert!(
        matches!(answered[0], Event::Answered { call: c, media: Some(m) } if *c == call && m.codec.as_ref().unwrap().encoding == "PCMU")
    );
    assert!(matches!(
        sim.inbox.pop_front(),
        Some(sip::transaction::Event::Ack { .. })
    ));
}

#[test]
fn hold_and_resume_reinvite_with_sendonly_and_sendrecv() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, key, invite) = place(&mut sim, "2006");
    answer(&mut sim, key, &invite);
    sim.take_events();
    sim.inbox.clear();

    let now = sim.now;
    sim.ua.hold(now, call).unwrap();
    assert_eq!(
        sim.ua.hold(now, call),
        Err(Error::WrongState),
        "one re-INVITE at a time"
    );
    sim.run(MS);
    let (k, reinvite) = sim.take_request(Method::Invite).expect("a re-INVITE");
    assert_eq!(reinvite.call_id(), invite.call_id());
    assert!(String::from_utf8_lossy(&reinvite.body).contains("a=sendonly"));
    sim.respond(k, &reinvite, 200, Some(server_sdp(30000, "8", "recvonly")));
    sim.run(MS);
    let events = sim.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [Event::MediaChanged { held_locally: true, media: Some(m), .. }]
                if m.direction == media::sdp::Direction::RecvOnly
        ),
        "{events:?}"
    );

    let now = sim.now;
    sim.ua.resume(now, call).unwrap();
    sim.run(MS);
    let (k, reinvite) = sim.take_request(Method::Invite).expect("a re-INVITE");
    let body = String::from_utf8_lossy(&reinvite.body).into_owned();
    assert!(body.contains("a=sendrecv"));
    // RFC 3264 §8: the version grew with each change (1 offer, 2 hold, 3 resume).
    assert!(body.contains(" 3 IN IP4"), "{body}");
    sim.respond(k, &reinvite, 200, Some(server_sdp(30000, "8", "sendrecv")));
    sim.run(MS);
    assert!(matches!(
        sim.take_events().as_slice(),
        [Event::MediaChanged {
            held_locally: false,
            ..
        }]
    ));
}

#[test]
fn keys_go_out_as_sip_info() {
    let mut sim = Sim::registered(Transport::Tcp);
    let (call, key, invite) = place(&mut sim, "2007");
    answer(&mut sim, key, &invite);
    let now = sim.now;
    assert_eq!(
        sim.ua.send_dtmf_info(now, call, 'x', 100),
        Err(Error::BadKey)
    );
    sim.ua.send_dtmf_info(now, call, '5', 160).unwrap();
    sim.run(MS);
    let (k, info) = sim.take_request(Method::Info).expect("an INFO");
    assert_eq!(
        info.headers.get("Content-Type"),
        Some("application/dtmf-relay")
    );
    assert_eq!(info.body, b"Signal=5\r\nDuration=160\r\n");
    sim.respond(k, &info, 200, None);
    sim.run(MS);
    assert!(!sim
        .take_events()
        .iter()
        .any(|e| matches!(e, Event::RequestFailed { .. })));
}
