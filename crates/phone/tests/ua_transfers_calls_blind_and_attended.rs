//! Transfers asked of the server: a blind REFER names the new number, an attended one
//! carries Replaces for the consultation call (RFC 3891); the sipfrag NOTIFYs are read,
//! a success ends the call with BYE, a failure leaves it up; a REFER from the far end is
//! refused.

mod ua_sim;

use std::time::Duration;

use phone::ua::{CallHandle, EndReason, Event, TransferProgress};
use phone::Error;
use sip::dialog::Dialog;
use sip::transaction::ServerKey;
use sip::{Method, Request, Transport};
use ua_sim::{local_media, server_sdp, Sim};

const MS: Duration = Duration::from_millis(100);

/// Places a call to `number` that the server answers with to-tag `srv1`; returns the
/// call and the server's side of its dialog.
fn talking(sim: &mut Sim, number: &str) -> (CallHandle, Dialog) {
    let now = sim.now;
    let call = sim.ua.place_call(now, number, local_media()).unwrap();
    sim.run(MS);
    let (key, invite) = sim.take_request(Method::Invite).expect("an INVITE");
    let ok = sim.respond(key, &invite, 200, Some(server_sdp(30000, "0", "sendrecv")));
    sim.run(MS);
    let dialog = Dialog::from_uas(&invite, &ok).unwrap();
    sim.inbox.clear();
    sim.take_events();
    (call, dialog)
}

fn take_refer(sim: &mut Sim) -> (ServerKey, Request) {
    sim.run(MS);
    sim.take_request(Method::Refer).expect("a REFER")
}

fn notify(sim: &mut Sim, dialog: &mut Dialog, frag: &str, last: bool) {
    let mut n = dialog.create_request(Method::Notify);
    n.headers.push("Event", "refer");
    let state = if last {
        "terminated;reason=noresource"
    } else {
        "active;expires=60"
    };
    n.headers.push("Subscription-State", state);
    n.headers
        .push("Content-Type", "message/sipfrag;version=2.0");
    n.body = format!("{frag}\r\n").into_bytes();
    sim.send(n);
    sim.run(MS);
}

fn transfers(events: &[Event]) -> Vec<TransferProgress> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Transfer { progress, .. } => Some(*progress),
            _ => None,
        })
        .collect()
}

#[test]
fn a_blind_transfer_refers_follows_the_notifies_and_leaves_with_bye() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, mut dialog) = talking(&mut sim, "2001");
    let now = sim.now;
    sim.ua.transfer(now, call, "2002").unwrap();
    let (key, refer) = take_refer(&mut sim);
    assert_eq!(refer.call_id(), Some(dialog.id().call_id.as_str()));
    assert_eq!(
        refer.headers.get("Refer-To"),
        Some("<sip:2002@office.example>")
    );
    // A second transfer while one is under way is refused here.
    assert_eq!(sim.ua.transfer(now, call, "2003"), Err(Error::WrongState));
    sim.respond(key, &refer, 202, None);
    sim.run(MS);
    notify(&mut sim, &mut dialog, "SIP/2.0 100 Trying", false);
    notify(&mut sim, &mut dialog, "SIP/2.0 180 Ringing", false);
    notify(&mut sim, &mut dialog, "SIP/2.0 200 OK", true);
    let events = sim.take_events();
    assert_eq!(
        transfers(&events),
        [
            TransferProgress::Accepted,
            TransferProgress::Trying(100),
            TransferProgress::Trying(180),
            TransferProgress::Succeeded
        ]
    );
    assert!(events.contains(&Event::Ended {
        call,
        reason: EndReason::Local
    }));
    let (_, bye) = sim
        .take_request(Method::Bye)
        .expect("a BYE once transferred");
    assert_eq!(bye.call_id(), refer.call_id());
    // Every NOTIFY was answered 200.
    let mut oks = 0;
    while let Some((_, r)) = sim.take_response() {
        assert_eq!(r.status, 200);
        oks += 1;
    }
    assert_eq!(oks, 3);
    assert_eq!(sim.ua.call_count(), 0);
}

#[test]
fn a_transfer_the_target_does_not_answer_keeps_the_call() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, mut dialog) = talking(&mut sim, "2001");
    let now = sim.now;
    sim.ua.transfer(now, call, "2009").unwrap();
    let (key, refer) = take_refer(&mut sim);
    sim.respond(key, &refer, 202, None);
    sim.run(MS);
    notify(&mut sim, &mut dialog, "SIP/2.0 486 Busy Here", true);
    let events = sim.take_events();
    assert_eq!(
        transfers(&events),
        [TransferProgress::Accepted, TransferProgress::Failed(486)]
    );
    assert!(!events.iter().any(|e| matches!(e, Event::Ended { .. })));
    assert!(sim.take_request(Method::Bye).is_none());
    assert_eq!(sim.ua.call_count(), 1);
    // The call can be transferred again.
    let now = sim.now;
    sim.ua.transfer(now, call, "2003").unwrap();
    let (key, refer) = take_refer(&mut sim);
    // A refused REFER also keeps the call.
    sim.respond(key, &refer, 403, None);
    sim.run(MS);
    assert_eq!(
        transfers(&sim.take_events()),
        [TransferProgress::Failed(403)]
    );
    assert_eq!(sim.ua.call_count(), 1);
}

#[test]
fn an_attended_transfer_names_the_consultation_dialog_in_replaces() {
    let mut sim = Sim::registered(Transport::Udp);
    let (first, mut dialog) = talking(&mut sim, "2001");
    let (consult, consult_dialog) = talking(&mut sim, "2002");
    let now = sim.now;
    assert_eq!(
        sim.ua.complete_transfer(now, first, first),
        Err(Error::WrongState)
    );
    sim.ua.complete_transfer(now, first, consult).unwrap();
    let (key, refer) = take_refer(&mut sim);
    assert_eq!(refer.call_id(), Some(dialog.id().call_id.as_str()));
    let refer_to = refer.headers.get("Refer-To").unwrap();
    // The server's tag is the to-tag, the phone's the from-tag (RFC 3891 §3), escaped.
    let id = consult_dialog.id();
    let expected = format!(
        "<sip:2002@office.example?Replaces={}%3Bto-tag%3D{}%3Bfrom-tag%3D{}>",
        id.call_id.replace('@', "%40"),
        id.local_tag,
        id.remote_tag
    );
    assert_eq!(refer_to, expected);
    sim.respond(key, &refer, 202, None);
    sim.run(MS);
    notify(&mut sim, &mut dialog, "SIP/2.0 200 OK", true);
    let events = sim.take_events();
    assert!(events.contains(&Event::Ended {
        call: first,
        reason: EndReason::Local
    }));
    // The consultation call is the server's to end (the target takes its place).
    assert_eq!(sim.ua.call_count(), 1);
}

#[test]
fn a_refer_from_the_far_end_is_refused_and_other_event_packages_too() {
    let mut sim = Sim::registered(Transport::Udp);
    let (_call, mut dialog) = talking(&mut sim, "2001");
    let mut refer = dialog.create_request(Method::Refer);
    refer.headers.push("Refer-To", "<sip:666@office.example>");
    sim.send(refer);
    sim.run(MS);
    let (_, r) = sim.take_response().expect("an answer to the REFER");
    assert_eq!(r.status, 501);
    let mut n = dialog.create_request(Method::Notify);
    n.headers.push("Event", "dialog");
    sim.send(n);
    sim.run(MS);
    let (_, r) = sim.take_response().expect("an answer to the NOTIFY");
    assert_eq!(r.status, 489);
    // A NOTIFY with no transfer under way changes nothing.
    notify(&mut sim, &mut dialog, "SIP/2.0 200 OK", true);
    assert!(transfers(&sim.take_events()).is_empty());
    assert_eq!(sim.ua.call_count(), 1);
}
