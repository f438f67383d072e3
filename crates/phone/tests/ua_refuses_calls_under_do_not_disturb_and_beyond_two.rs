//! Do not disturb and call waiting: with DND on a new call gets 486 without ringing and
//! is reported as refused; a second call rings while one is answered; a third gets 486.

mod ua_sim;

use std::time::Duration;

use phone::ua::{CallHandle, Event, RefuseReason, MAX_CALLS};
use sip::{Method, Request, Response, Transport, Uri};
use ua_sim::{local_media, server_sdp, Sim};

const MS: Duration = Duration::from_millis(100);

fn invite(sim: &Sim, n: u32) -> Request {
    let uri: Uri = format!("sip:201@{}", sim.ua_addr).parse().unwrap();
    let mut r = Request::new(Method::Invite, uri);
    let h = &mut r.headers;
    h.push("Max-Forwards", "70");
    h.push(
        "From",
        format!("\"Caller {n}\" <sip:30{n}@office.example>;tag=c{n}"),
    );
    h.push("To", "<sip:201@office.example>");
    h.push("Call-ID", format!("call-{n}"));
    h.push("CSeq", "1 INVITE");
    h.push("Contact", "<sip:pbx@192.0.2.1:5060>");
    h.push("Content-Type", "application/sdp");
    r.body = server_sdp(30000 + n as u16 * 2, "0", "sendrecv");
    r
}

/// The server sends call `n`; returns the final (or last provisional) status and events.
fn call_in(sim: &mut Sim, n: u32) -> (u16, Vec<Event>) {
    let req = invite(sim, n);
    sim.send(req);
    sim.run(MS);
    let mut last: Option<Response> = None;
    while let Some((_, r)) = sim.take_response() {
        last = Some(r);
    }
    (last.map_or(0, |r| r.status), sim.take_events())
}

fn incoming(events: &[Event]) -> CallHandle {
    match events.first() {
        Some(Event::Incoming { call, .. }) => *call,
        other => panic!("expected Incoming, got {other:?}"),
    }
}

#[test]
fn do_not_disturb_answers_busy_and_reports_the_caller() {
    let mut sim = Sim::registered(Transport::Udp);
    sim.ua.set_dnd(true);
    assert!(sim.ua.dnd());
    let (status, events) = call_in(&mut sim, 1);
    assert_eq!(status, 486);
    let [Event::Refused { caller, reason }] = events.as_slice() else {
        panic!("expected Refused, got {events:?}");
    };
    assert_eq!(caller.number, "301");
    assert_eq!(caller.name.as_deref(), Some("Caller 1"));
    assert_eq!(*reason, RefuseReason::DoNotDisturb);
    assert_eq!(sim.ua.call_count(), 0);
    // Off again, calls ring.
    sim.ua.set_dnd(false);
    let (status, events) = call_in(&mut sim, 2);
    assert_eq!(status, 180);
    incoming(&events);
}

#[test]
fn a_second_call_rings_during_a_call_and_a_third_is_busy() {
    let mut sim = Sim::registered(Transport::Udp);
    let (_, events) = call_in(&mut sim, 1);
    let first = incoming(&events);
    let now = sim.now;
    sim.ua.answer(now, first, local_media()).unwrap();
    sim.run(MS);
    sim.take_events();
    while sim.take_response().is_some() {}

    let (status, events) = call_in(&mut sim, 2);
    assert_eq!(status, 180, "the waiting call rings");
    let second = incoming(&events);
    assert_ne!(first, second);
    assert_eq!(sim.ua.call_count(), MAX_CALLS);

    let (status, events) = call_in(&mut sim, 3);
    assert_eq!(status, 486, "no room for a third");
    assert!(matches!(
        events.as_slice(),
        [Event::Refused {
            reason: RefuseReason::TooManyCalls,
            ..
        }]
    ));

    // The first call on hold, the second answered: both stay.
    let now = sim.now;
    sim.ua.hold(now, first).unwrap();
    sim.ua.answer(now, second, local_media()).unwrap();
    sim.run(MS);
    let (key, reinvite) = sim
        .take_request(Method::Invite)
        .expect("the hold re-INVITE");
    assert!(String::from_utf8_lossy(&reinvite.body).contains("a=sendonly"));
    sim.respond(
        key,
        &reinvite,
        200,
        Some(server_sdp(30002, "0", "recvonly")),
    );
    sim.run(MS);
    let events = sim.take_events();
    assert!(events.iter().any(|e| matches!(e,
        Event::MediaChanged { call, held_locally: true, .. } if *call == first)));
    assert!(events.iter().any(|e| matches!(e,
        Event::Answered { call, .. } if *call == second)));
    assert_eq!(sim.ua.call_count(), 2);
}
