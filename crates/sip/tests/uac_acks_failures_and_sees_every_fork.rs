//! RFC 3261 §17.1.1.3 and RFC 6026 §7.2: the INVITE client transaction ACKs a failure
//! itself (and again for each retransmission), and in Accepted passes every forked 2xx
//! to the TU; retransmissions of an ACKed 2xx are answered with the TU's ACK.

mod support;

use sip::transaction::Event;
use sip::{Method, Response};
use support::{outgoing, udp, Driver};

fn ok_with_tag(req: &sip::Request, tag: &str) -> Response {
    let mut resp = Response::for_request(req, 200, "OK");
    let to = resp.to().expect("to").with_tag(tag);
    resp.headers.set("To", to.to_string());
    resp
}

#[test]
fn failure_is_acked_once_per_copy_and_reported_once() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 8));
    let uas = udp("192.0.2.20:5060");
    let key =
        d.ep.send_request(d.now, outgoing("INVITE", 1, "f1"), uas)
            .expect("invite");
    let invite = support::parsed_request(&d.take_sent()[0].bytes);
    let busy = support::answer(&invite, 486).to_bytes();
    d.receive(uas, &busy);
    d.receive(uas, &busy);
    let sent = d.take_sent();
    assert_eq!(sent.len(), 2);
    let ack = support::parsed_request(&sent[0].bytes);
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.uri, invite.uri);
    assert_eq!(
        ack.cseq().map(|c| (c.seq, c.method)),
        Some((1, Method::Ack))
    );
    assert_eq!(ack.top_via(), invite.top_via());
    assert_eq!(
        ack.to().and_then(|t| t.tag().map(str::to_owned)),
        Some("b2".into())
    );
    assert_eq!(sent[0].bytes, sent[1].bytes);
    let finals: Vec<_> = d
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::Response { key: k, .. } if *k == key))
        .collect();
    assert_eq!(finals.len(), 1);
    // Timer D: 32 s over UDP, then the transaction is gone.
    d.run_until(31.0);
    assert_eq!(d.ep.transaction_count(), 1);
    d.run_until(33.0);
    assert_eq!(d.ep.transaction_count(), 0);
}

#[test]
fn forked_2xx_each_reach_the_tu_and_acked_ones_are_reacked_here() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 8));
    let uas = udp("192.0.2.20:5060");
    let key =
        d.ep.send_request(d.now, outgoing("INVITE", 1, "f2"), uas)
            .expect("invite");
    let invite = support::parsed_request(&d.take_sent()[0].bytes);
    let first = ok_with_tag(&invite, "fork1");
    let second = ok_with_tag(&invite, "fork2");
    d.receive(uas, &first.to_bytes());
    assert_eq!(d.take_events().len(), 1);

    let mut ack = support::outgoing("ACK", 1, "f2");
    ack.headers.set("To", first.headers.get("To").expect("to"));
    d.ep.send_ack(d.now, &key, ack, uas).expect("ack");
    let ack_bytes = d.take_sent()[0].bytes.clone();
    let sent_ack = support::parsed_request(&ack_bytes);
    assert_ne!(
        sent_ack
            .top_via()
            .and_then(|v| v.branch().map(str::to_owned)),
        invite.top_via().and_then(|v| v.branch().map(str::to_owned)),
        "ACK for 2xx has a branch of its own"
    );

    // Retransmitted 2xx from fork 1: the same ACK again, no event.
    d.receive(uas, &first.to_bytes());
    assert!(d.take_events().is_empty());
    assert_eq!(d.take_sent()[0].bytes, ack_bytes);

    // A 2xx from another fork goes to the TU.
    d.receive(uas, &second.to_bytes());
    let events = d.take_events();
    assert!(matches!(
        events.as_slice(),
        [Event::Response { key: k, response, .. }]
            if *k == key && response.to().and_then(|t| t.tag().map(str::to_owned)).as_deref() == Some("fork2")
    ));
    // Timer M ends Accepted after 64*T1.
    d.run_until(33.0);
    assert_eq!(d.ep.transaction_count(), 0);
}

#[test]
fn transport_error_fails_the_transactions_to_that_target() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 8));
    let uas = support::tcp("192.0.2.20:5060");
    let key =
        d.ep.send_request(d.now, outgoing("OPTIONS", 1, "t1"), uas)
            .expect("options");
    let other =
        d.ep.send_request(d.now, outgoing("OPTIONS", 2, "t2"), udp("192.0.2.30:5060"))
            .expect("options");
    d.ep.handle_transport_error(d.now, uas);
    assert_eq!(d.take_events(), vec![Event::TransportError { key }]);
    assert_eq!(d.ep.transaction_count(), 1);
    d.run_until(40.0);
    assert_eq!(d.take_events(), vec![Event::Timeout { key: other }]);
}
