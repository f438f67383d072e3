//! RFC 3261 §13.3.1.4 as a transaction-layer service, inside RFC 6026's Accepted state:
//! a 2xx to INVITE is retransmitted (T1 doubling to T2) until its ACK, which reaches the
//! TU; without an ACK the TU hears of it after 64*T1. INVITE retransmissions are absorbed.

mod support;

use sip::transaction::Event;
use support::{incoming, tcp, udp, Driver};

const CLIENT: &str = "192.0.2.10:5060";

fn answered(d: &mut Driver, peer: sip::transaction::Peer) -> sip::transaction::ServerKey {
    let inv = incoming("INVITE", "192.0.2.10:5060", "z9hG4bKa1", "call-a", 7);
    d.receive(peer, &inv);
    let Some(Event::Request { key, request, .. }) = d.take_events().into_iter().next() else {
        panic!("request event expected");
    };
    d.ep.send_response(d.now, &key, support::answer(&request, 200))
        .expect("ok");
    key
}

#[test]
fn ok_is_retransmitted_until_the_ack_and_the_ack_reaches_the_tu() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 4));
    let key = answered(&mut d, udp(CLIENT));
    d.run_until(8.0);
    assert_eq!(d.send_times("SIP/2.0 200"), vec![0.0, 0.5, 1.5, 3.5, 7.5]);

    // The ACK for a 2xx carries a new branch (§17.1.1.3).
    let ack = incoming("ACK", "192.0.2.10:5060", "z9hG4bKack", "call-a", 7);
    d.receive(udp(CLIENT), &ack);
    let events = d.take_events();
    assert!(matches!(
        events.as_slice(),
        [Event::Ack { invite: Some(k), .. }] if *k == key
    ));
    d.run_until(40.0);
    assert_eq!(d.send_times("SIP/2.0 200").len(), 5);
    assert!(
        d.take_events().is_empty(),
        "no AckTimeout once acknowledged"
    );
    assert_eq!(d.ep.transaction_count(), 0);
}

#[test]
fn interval_caps_at_t2_and_missing_ack_is_reported() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 4));
    let key = answered(&mut d, udp(CLIENT));
    d.run_until(40.0);
    let times = d.send_times("SIP/2.0 200");
    assert_eq!(&times[..7], &[0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5]);
    assert!(times.iter().all(|t| *t < 32.0));
    let reported: Vec<_> = d
        .events
        .iter()
        .map(|(at, e)| (at.as_secs_f64(), e.clone()))
        .collect();
    assert_eq!(reported, vec![(32.0, Event::AckTimeout { key })]);
}

#[test]
fn invite_retransmission_in_accepted_is_absorbed() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 4));
    answered(&mut d, udp(CLIENT));
    d.run_until(0.2);
    let inv = incoming("INVITE", "192.0.2.10:5060", "z9hG4bKa1", "call-a", 7);
    d.receive(udp(CLIENT), &inv);
    assert!(d.take_events().is_empty());
    assert_eq!(d.send_times("SIP/2.0 200"), vec![0.0]);
}

#[test]
fn over_tcp_the_ok_is_sent_once_but_a_missing_ack_is_still_reported() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 4));
    let key = answered(&mut d, tcp(CLIENT));
    d.run_until(40.0);
    assert_eq!(d.send_times("SIP/2.0 200"), vec![0.0]);
    assert!(d
        .events
        .iter()
        .any(|(at, e)| at.as_secs_f64() == 32.0 && *e == Event::AckTimeout { key }));
}
