//! RFC 3261 §9: CANCEL is matched to its INVITE by branch and sent-by; the server
//! answers it itself, and a client holds it until the INVITE has a provisional.

mod support;

use sip::transaction::Event;
use sip::Method;
use support::{incoming, outgoing, udp, Driver};

const CLIENT: &str = "192.0.2.10:5060";

#[test]
fn cancel_for_a_pending_invite_is_answered_and_reported() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 5));
    d.receive(
        udp(CLIENT),
        &incoming("INVITE", "192.0.2.10:5060", "z9hG4bKc1", "call-c", 1),
    );
    let Some(Event::Request {
        key: invite,
        request,
        ..
    }) = d.take_events().into_iter().next()
    else {
        panic!("request event expected");
    };
    let cancel = incoming("CANCEL", "192.0.2.10:5060", "z9hG4bKc1", "call-c", 1);
    d.receive(udp(CLIENT), &cancel);
    let events = d.take_events();
    assert!(matches!(
        events.as_slice(),
        [Event::Cancelled { invite: k, request: r }] if *k == invite && r.method == Method::Cancel
    ));
    let sent = d.take_sent();
    assert_eq!(sent.len(), 1);
    let ok = support::response(&sent[0].bytes);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.cseq().map(|c| c.method), Some(Method::Cancel));

    // A retransmitted CANCEL gets the same 200 and no second event.
    d.receive(udp(CLIENT), &cancel);
    assert!(d.take_events().is_empty());
    assert_eq!(d.take_sent()[0].bytes, sent[0].bytes);

    // The TU terminates the INVITE.
    d.ep.send_response(d.now, &invite, support::answer(&request, 487))
        .expect("487");
    assert!(d.take_sent()[0].bytes.starts_with(b"SIP/2.0 487"));
}

#[test]
fn cancel_from_another_sent_by_or_branch_does_not_match() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 5));
    d.receive(
        udp(CLIENT),
        &incoming("INVITE", "192.0.2.10:5060", "z9hG4bKc2", "call-c", 1),
    );
    d.take_events();
    for (via, branch) in [
        ("192.0.2.11:5060", "z9hG4bKc2"),
        ("192.0.2.10:5060", "z9hG4bKother"),
    ] {
        d.receive(udp(CLIENT), &incoming("CANCEL", via, branch, "call-c", 1));
        assert!(d.take_events().is_empty());
        let sent = d.take_sent();
        assert!(sent[0].bytes.starts_with(b"SIP/2.0 481"), "{via} {branch}");
    }
}

#[test]
fn cancel_after_the_final_response_gets_200_but_no_event() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 5));
    d.receive(
        udp(CLIENT),
        &incoming("INVITE", "192.0.2.10:5060", "z9hG4bKc3", "call-c", 1),
    );
    let Some(Event::Request { key, request, .. }) = d.take_events().into_iter().next() else {
        panic!("request event expected");
    };
    d.ep.send_response(d.now, &key, support::answer(&request, 200))
        .expect("ok");
    d.take_sent();
    d.receive(
        udp(CLIENT),
        &incoming("CANCEL", "192.0.2.10:5060", "z9hG4bKc3", "call-c", 1),
    );
    assert!(d.take_events().is_empty());
    assert!(d.take_sent()[0].bytes.starts_with(b"SIP/2.0 200"));
}

#[test]
fn client_cancel_waits_for_a_provisional_and_copies_the_invite() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 6));
    let uas = udp("192.0.2.20:5060");
    let invite =
        d.ep.send_request(d.now, outgoing("INVITE", 3, "call-x"), uas)
            .expect("invite");
    let cancel_key = d.ep.cancel(d.now, &invite).expect("cancellable");
    assert!(d.ep.cancel(d.now, &invite).is_err(), "only one CANCEL");
    let sent = d.take_sent();
    assert_eq!(sent.len(), 1, "CANCEL held before any provisional");
    let sent_invite = support::parsed_request(&sent[0].bytes);

    d.receive(uas, &support::answer(&sent_invite, 180).to_bytes());
    let sent = d.take_sent();
    assert_eq!(sent.len(), 1);
    let cancel = support::parsed_request(&sent[0].bytes);
    assert_eq!(cancel.method, Method::Cancel);
    assert_eq!(cancel.uri, sent_invite.uri);
    assert_eq!(cancel.call_id(), sent_invite.call_id());
    assert_eq!(
        cancel.cseq().map(|c| (c.seq, c.method)),
        Some((3, Method::Cancel))
    );
    assert_eq!(cancel.top_via(), sent_invite.top_via());
    assert_eq!(cancel.headers.get("From"), sent_invite.headers.get("From"));
    assert_eq!(cancel.headers.get("To"), sent_invite.headers.get("To"));

    // Responses to the CANCEL and to the INVITE go to their own keys.
    d.receive(uas, &support::answer(&cancel, 200).to_bytes());
    d.receive(uas, &support::answer(&sent_invite, 487).to_bytes());
    let keys: Vec<_> = d
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Response { key, response, .. } => Some((key, response.status)),
            _ => None,
        })
        .collect();
    assert_eq!(keys, vec![(invite, 180), (cancel_key, 200), (invite, 487)]);
    // The 487 was ACKed by the transaction.
    let sent = d.take_sent();
    let ack = support::parsed_request(&sent[0].bytes);
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.top_via(), sent_invite.top_via());
}

#[test]
fn held_cancel_is_dropped_when_the_invite_fails_first() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 6));
    let uas = udp("192.0.2.20:5060");
    let invite =
        d.ep.send_request(d.now, outgoing("INVITE", 3, "call-y"), uas)
            .expect("invite");
    d.ep.cancel(d.now, &invite).expect("cancellable");
    let sent_invite = support::parsed_request(&d.take_sent()[0].bytes);
    d.receive(uas, &support::answer(&sent_invite, 486).to_bytes());
    let sent = d.take_sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].bytes.starts_with(b"ACK "));
    assert!(d.ep.cancel(d.now, &invite).is_err());
}
