//! Incoming calls: ringing with the caller's name and number, answer with an SDP
//! answer, busy or decline, the caller's CANCEL, the far end's hold and BYE, keys by
//! INFO, and a 200 that is never acknowledged.

mod ua_sim;

use std::time::Duration;

use media::sdp::{Direction, SessionDescription, PCMA};
use phone::ua::{CallHandle, EndReason, Event, LocalMedia, Party};
use phone::Error;
use sip::dialog::Dialog;
use sip::transaction::ClientKey;
use sip::{Method, Request, Response, Transport, Uri};
use ua_sim::{local_media, server_sdp, Sim};

const MS: Duration = Duration::from_millis(100);

fn invite(sim: &Sim, pai: bool, body: Option<Vec<u8>>) -> Request {
    let uri: Uri = format!("sip:201@{}", sim.ua_addr).parse().unwrap();
    let mut r = Request::new(Method::Invite, uri);
    let h = &mut r.headers;
    h.push("Max-Forwards", "70");
    h.push("From", "\"Lobby\" <sip:300@office.example>;tag=pbx1");
    h.push("To", "<sip:201@office.example>");
    h.push("Call-ID", "in-call-1");
    h.push("CSeq", "1 INVITE");
    h.push("Contact", "<sip:pbx@192.0.2.1:5060>");
    if pai {
        h.push(
            "P-Asserted-Identity",
            "\"Jane Doe\" <sip:+15551234567@office.example>",
        );
    }
    if let Some(body) = body {
        h.push("Content-Type", "application/sdp");
        r.body = body;
    }
    r
}

/// Sends an INVITE offering PCMU, PCMA and telephone-event 101; returns the ringing call.
fn ring(sim: &mut Sim, pai: bool) -> (CallHandle, ClientKey, Request) {
    let req = invite(sim, pai, Some(server_sdp(30000, "0 8 101", "sendrecv")));
    let key = sim.send(req.clone());
    sim.run(MS);
    let events = sim.take_events();
    let Some(Event::Incoming { call, .. }) = events.first() else {
        panic!("expected Incoming, got {events:?}");
    };
    (*call, key, req)
}

fn final_response(sim: &mut Sim) -> (ClientKey, Response) {
    loop {
        let (k, r) = sim.take_response().expect("a response");
        if r.status >= 200 {
            return (k, r);
        }
    }
}

#[test]
fn the_caller_is_shown_and_the_answer_picks_a_shared_codec() {
    let mut sim = Sim::registered(Transport::Udp);
    let req = invite(&sim, true, Some(server_sdp(30000, "0 8 101", "sendrecv")));
    sim.send(req.clone());
    sim.run(MS);
    let events = sim.take_events();
    let [Event::Incoming {
        call,
        caller,
        media: Some(media),
    }] = events.as_slice()
    else {
        panic!("expected Incoming, got {events:?}");
    };
    // RFC 3325: the asserted identity wins over From.
    assert_eq!(
        caller,
        &Party {
            name: Some("Jane Doe".to_owned()),
            number: "+15551234567".to_owned()
        }
    );
    assert_eq!(media.addr, Some("203.0.113.5:30000".parse().unwrap()));
    let (_, ringing) = sim.take_response().expect("a 180");
    assert_eq!(ringing.status, 180);
    assert!(ringing.to().unwrap().tag().is_some());

    // We only have PCMA: the answer keeps the offerer's numbers.
    let only_pcma = LocalMedia {
        rtp: "198.51.100.7:40002".parse().unwrap(),
        rtcp_port: None,
        codecs: vec![PCMA],
    };
    let now = sim.now;
    sim.ua.answer(now, *call, only_pcma).unwrap();
    sim.run(MS);
    let (k, ok) = final_response(&mut sim);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.to().unwrap().tag(), ringing.to().unwrap().tag());
    let sdp = SessionDescription::parse(std::str::from_utf8(&ok.body).unwrap()).unwrap();
    let formats = sdp.media[0].payload_formats();
    assert_eq!(formats.len(), 1);
    assert_eq!(formats[0].encoding, "PCMA");
    assert_eq!(
        sdp.audio().unwrap().socket_addr(),
        Some("198.51.100.7:40002".parse().unwrap())
    );
    let answered = sim.take_events();
    assert!(
        matches!(
            answered.as_slice(),
            [Event::Answered { media: Some(m), .. }] if m.codec.as_ref().unwrap().payload_type == 8
        ),
        "{answered:?}"
    );

    let mut dialog = sim.ack(k, &req, &ok);
    sim.run(MS);
    // The far end hangs up.
    let bye = dialog.create_request(Method::Bye);
    sim.send(bye);
    sim.run(MS);
    let (_, bye_ok) = final_response(&mut sim);
    assert_eq!(bye_ok.status, 200);
    assert_eq!(
        sim.take_events(),
        vec![Event::Ended {
            call: *call,
            reason: EndReason::Remote
        }]
    );
    assert_eq!(sim.ua.call_count(), 0);
}

#[test]
fn from_names_the_caller_without_an_asserted_identity() {
    let mut sim = Sim::registered(Transport::Udp);
    let req = invite(&sim, false, None);
    sim.send(req);
    sim.run(MS);
    assert!(matches!(
        sim.take_events().as_slice(),
        [Event::Incoming { caller, media: None, .. }]
            if caller.name.as_deref() == Some("Lobby") && caller.number == "300"
    ));
}

#[test]
fn busy_and_decline_answer_486_and_603() {
    for (busy, status) in [(true, 486), (false, 603)] {
        let mut sim = Sim::registered(Transport::Udp);
        let (call, _, _) = ring(&mut sim, false);
        let now = sim.now;
        sim.ua.decline(now, call, busy).unwrap();
        sim.run(MS);
        let (_, r) = final_response(&mut sim);
        assert_eq!(r.status, status);
        assert_eq!(
            sim.take_events(),
            vec![Event::Ended {
                call,
                reason: EndReason::Local
            }]
        );
        assert_eq!(
            sim.ua.answer(sim.now, call, local_media()),
            Err(Error::UnknownCall)
        );
    }
}

#[test]
fn the_callers_cancel_ends_the_ringing_call_with_487() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, key, _) = ring(&mut sim, false);
    let now = sim.now;
    sim.server.cancel(now, &key).unwrap();
    sim.run(MS);
    assert_eq!(
        sim.take_events(),
        vec![Event::Ended {
            call,
            reason: EndReason::Cancelled
        }]
    );
    let statuses: Vec<u16> = std::iter::from_fn(|| sim.take_response())
        .map(|(_, r)| r.status)
        .collect();
    assert!(statuses.contains(&487), "{statuses:?}");
}

#[test]
fn no_codec_in_common_answers_488() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, _, _) = ring(&mut sim, false);
    let g722 = LocalMedia {
        rtp: "198.51.100.7:40002".parse().unwrap(),
        rtcp_port: None,
        codecs: vec![media::sdp::CodecSpec {
            encoding: "G722",
            clock_rate: 8000,
            static_payload_type: Some(9),
        }],
    };
    let now = sim.now;
    assert_eq!(sim.ua.answer(now, call, g722), Err(Error::NoCommonCodec));
    sim.run(MS);
    let (_, r) = final_response(&mut sim);
    assert_eq!(r.status, 488);
}

fn answered(sim: &mut Sim) -> (CallHandle, Dialog) {
    let (call, _, req) = ring(sim, false);
    let now = sim.now;
    sim.ua.answer(now, call, local_media()).unwrap();
    sim.run(MS);
    let (k, ok) = final_response(sim);
    let dialog = sim.ack(k, &req, &ok);
    sim.run(MS);
    sim.take_events();
    (call, dialog)
}

#[test]
fn the_far_end_holds_and_sends_keys_by_info() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, mut dialog) = answered(&mut sim);

    let mut hold = dialog.create_request(Method::Invite);
    hold.headers.push("Content-Type", "application/sdp");
    hold.body = server_sdp(30000, "0 101", "sendonly");
    let key = sim.send(hold.clone());
    sim.run(MS);
    let (k, ok) = final_response(&mut sim);
    assert_eq!(ok.status, 200);
    // RFC 3264 §8.4: a sendonly offer is answered recvonly.
    assert!(String::from_utf8_lossy(&ok.body).contains("a=recvonly"));
    assert_eq!(k, key);
    sim.ack(k, &hold, &ok);
    sim.run(MS);
    assert!(matches!(
        sim.take_events().as_slice(),
        [Event::MediaChanged { call: c, media: Some(m), held_locally: false }]
            if *c == call && m.direction == Direction::SendOnly
    ));

    let mut info = dialog.create_request(Method::Info);
    info.headers.push("Content-Type", "application/dtmf-relay");
    info.body = b"Signal=#\r\nDuration=100\r\n".to_vec();
    sim.send(info);
    sim.run(MS);
    assert_eq!(sim.take_events(), vec![Event::Dtmf { call, key: '#' }]);
    let (_, ok) = final_response(&mut sim);
    assert_eq!(ok.status, 200);
}

#[test]
fn a_200_never_acknowledged_ends_the_call_with_bye() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, _, _) = ring(&mut sim, false);
    sim.server_received.clear();
    let now = sim.now;
    sim.ua.answer(now, call, local_media()).unwrap();
    // The server never ACKs. The 200 is resent (RFC 3261 §13.3.1.4) for 64·T1.
    sim.run(Duration::from_secs(40));
    let oks = sim
        .server_received
        .iter()
        .filter(|m| m.starts_with("SIP/2.0 200"))
        .count();
    assert!(oks > 3, "the 200 was sent {oks} times");
    let events = sim.take_events();
    assert!(
        events.contains(&Event::Ended {
            call,
            reason: EndReason::NoAck
        }),
        "{events:?}"
    );
    assert!(sim.take_request(Method::Bye).is_some());
    assert_eq!(sim.ua.call_count(), 0);
}
