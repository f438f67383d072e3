//! RFC 3261 §17.2: server transactions pass a request to the TU once, answer its
//! retransmissions with the latest response, and send 100 Trying for a slow INVITE.

mod support;

use sip::transaction::Event;
use support::{incoming, udp, Driver};

const CLIENT: &str = "192.0.2.10:5060";

fn requests(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Request { .. }))
        .count()
}

#[test]
fn retransmitted_register_reaches_the_tu_once_and_gets_the_final_again() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let reg = incoming("REGISTER", "192.0.2.10:5060", "z9hG4bKr1", "reg1", 1);
    d.receive(udp(CLIENT), &reg);
    d.receive(udp(CLIENT), &reg);
    let events = d.take_events();
    assert_eq!(requests(&events), 1);
    // Nothing sent while the TU has not answered.
    assert!(d.take_sent().is_empty());

    let Some(Event::Request { key, request, .. }) = events.into_iter().next() else {
        panic!("request event expected");
    };
    d.ep.send_response(d.now, &key, support::answer(&request, 200))
        .expect("first final");
    d.receive(udp(CLIENT), &reg);
    let sent = d.take_sent();
    assert_eq!(sent.len(), 2, "the 200, then the 200 again");
    assert_eq!(sent[0].bytes, sent[1].bytes);
    assert!(sent[0].bytes.starts_with(b"SIP/2.0 200"));
    assert_eq!(requests(&d.take_events()), 0);

    // A second final in the same transaction is a TU bug and is refused.
    assert!(d
        .ep
        .send_response(d.now, &key, support::answer(&request, 500))
        .is_err());
    // After Timer J (64*T1) the transaction is gone.
    d.run_until(33.0);
    assert_eq!(d.ep.transaction_count(), 0);
}

#[test]
fn slow_invite_gets_100_trying_after_200ms() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let inv = incoming("INVITE", "192.0.2.10:5060", "z9hG4bKi1", "inv1", 1);
    d.receive(udp(CLIENT), &inv);
    assert!(d.take_sent().is_empty());
    d.run_until(1.0);
    assert_eq!(d.send_times("SIP/2.0 100"), vec![0.2]);
    let trying = support::response(&d.sent[0].1.bytes);
    assert!(trying.to().is_some_and(|to| to.tag().is_none()));
}

#[test]
fn prompt_answer_suppresses_100_trying_and_retransmission_gets_latest_provisional() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let inv = incoming("INVITE", "192.0.2.10:5060", "z9hG4bKi1", "inv1", 1);
    d.receive(udp(CLIENT), &inv);
    let Some(Event::Request { key, request, .. }) = d.take_events().into_iter().next() else {
        panic!("request event expected");
    };
    d.ep.send_response(d.now, &key, support::answer(&request, 180))
        .expect("ringing");
    d.run_until(0.5);
    d.receive(udp(CLIENT), &inv);
    assert_eq!(d.send_times("SIP/2.0 180"), vec![0.0, 0.5]);
    assert!(d.send_times("SIP/2.0 100").is_empty());
    assert_eq!(requests(&d.take_events()), 0);
}

#[test]
fn failure_response_is_retransmitted_on_g_until_ack() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let inv = incoming("INVITE", "192.0.2.10:5060", "z9hG4bKi2", "inv2", 1);
    d.receive(udp(CLIENT), &inv);
    let Some(Event::Request { key, request, .. }) = d.take_events().into_iter().next() else {
        panic!("request event expected");
    };
    d.ep.send_response(d.now, &key, support::answer(&request, 486))
        .expect("busy");
    d.run_until(4.0);
    assert_eq!(d.send_times("SIP/2.0 486"), vec![0.0, 0.5, 1.5, 3.5]);
    // The ACK for a failure shares the INVITE's branch and is absorbed.
    let ack = incoming("ACK", "192.0.2.10:5060", "z9hG4bKi2", "inv2", 1);
    d.receive(udp(CLIENT), &ack);
    d.run_until(40.0);
    assert_eq!(d.send_times("SIP/2.0 486").len(), 4);
    assert!(d.take_events().is_empty());
    assert_eq!(d.ep.transaction_count(), 0);
}

#[test]
fn unacked_failure_gives_up_on_timer_h() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let inv = incoming("INVITE", "192.0.2.10:5060", "z9hG4bKi3", "inv3", 1);
    d.receive(udp(CLIENT), &inv);
    let Some(Event::Request { key, request, .. }) = d.take_events().into_iter().next() else {
        panic!("request event expected");
    };
    d.ep.send_response(d.now, &key, support::answer(&request, 603))
        .expect("decline");
    d.run_until(40.0);
    let times = d.send_times("SIP/2.0 603");
    assert_eq!(&times[..5], &[0.0, 0.5, 1.5, 3.5, 7.5]);
    assert!(times.windows(2).all(|w| w[1] - w[0] <= 4.0));
    assert!(times.iter().all(|t| *t < 32.0));
    assert_eq!(d.take_events(), vec![Event::AckTimeout { key }]);
}

#[test]
fn request_that_fails_checks_is_answered_in_a_transaction() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let text = String::from_utf8(incoming("OPTIONS", "192.0.2.10:5060", "z9hG4bKo9", "o9", 1))
        .expect("utf8")
        .replace(
            "Content-Length: 0",
            "Require: 100rel-unknown\r\nContent-Length: 0",
        );
    d.receive(udp(CLIENT), text.as_bytes());
    d.receive(udp(CLIENT), text.as_bytes());
    assert!(d.take_events().is_empty());
    let sent = d.take_sent();
    assert_eq!(sent.len(), 2);
    assert!(sent[0].bytes.starts_with(b"SIP/2.0 420"));
    assert_eq!(sent[0].bytes, sent[1].bytes);
    assert!(support::response(&sent[0].bytes)
        .to()
        .is_some_and(|to| to.tag().is_some()));
}

#[test]
fn malformed_request_gets_400_and_malformed_response_is_dropped() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let bad = b"OPTIONS sip:bob@192.0.2.20 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKx\r\nCSeq: nonsense\r\nCall-ID: x\r\n\r\n";
    d.receive(udp(CLIENT), bad);
    let sent = d.take_sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].bytes.starts_with(b"SIP/2.0 400"));
    d.receive(udp(CLIENT), b"SIP/2.0 200 OK\r\nCSeq: nonsense\r\n\r\n");
    d.receive(udp(CLIENT), b"\x00\xff garbage");
    assert!(d.take_sent().is_empty());
    assert!(d.take_events().is_empty());
}

#[test]
fn rfc2543_request_without_magic_cookie_is_still_matched() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let old = incoming("OPTIONS", "192.0.2.10:5060", "oldstyle1", "legacy", 4);
    d.receive(udp(CLIENT), &old);
    d.receive(udp(CLIENT), &old);
    assert_eq!(requests(&d.take_events()), 1);
    // A different CSeq is a different transaction.
    let next = incoming("OPTIONS", "192.0.2.10:5060", "oldstyle1", "legacy", 5);
    d.receive(udp(CLIENT), &next);
    assert_eq!(requests(&d.take_events()), 1);
}

#[test]
fn over_tcp_a_non_invite_transaction_ends_with_its_final_response() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 3));
    let reg = incoming("REGISTER", "192.0.2.10:5060", "z9hG4bKt1", "tcp1", 1);
    d.receive(support::tcp(CLIENT), &reg);
    let Some(Event::Request { key, request, .. }) = d.take_events().into_iter().next() else {
        panic!("request event expected");
    };
    d.ep.send_response(d.now, &key, support::answer(&request, 200))
        .expect("ok");
    // Timer J is zero on reliable transports (RFC 3261 §17.2.2).
    assert_eq!(d.ep.transaction_count(), 0);
    assert_eq!(d.ep.poll_timeout(), None);
}
