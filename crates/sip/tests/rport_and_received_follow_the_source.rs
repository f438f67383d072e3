//! RFC 3581 §4 and RFC 3261 §18.2.1/§18.2.2: the server notes the real source in the
//! top Via and sends responses there.

mod support;

use sip::transaction::Event;
use support::{incoming, udp, Driver};

fn first_request(d: &mut Driver) -> (sip::transaction::ServerKey, sip::Request) {
    match d.take_events().into_iter().next() {
        Some(Event::Request { key, request, .. }) => (key, request),
        other => panic!("request expected, got {other:?}"),
    }
}

#[test]
fn rport_is_filled_and_the_response_goes_to_the_nat_mapping() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 7));
    // The phone thinks it is 10.0.0.5:5060; the NAT maps it to 198.51.100.7:40123.
    let reg = incoming("REGISTER", "10.0.0.5:5060;rport", "z9hG4bKn1", "nat1", 1);
    d.receive(udp("198.51.100.7:40123"), &reg);
    let (key, request) = first_request(&mut d);
    let via = request.top_via().expect("via");
    assert_eq!(via.rport(), Some(40123));
    assert_eq!(via.received(), "198.51.100.7".parse().ok());
    d.ep.send_response(d.now, &key, support::answer(&request, 200))
        .expect("ok");
    let sent = d.take_sent();
    assert_eq!(sent[0].dest, support::addr("198.51.100.7:40123"));
    let resp = support::response(&sent[0].bytes);
    assert_eq!(resp.top_via().and_then(|v| v.rport()), Some(40123));
}

#[test]
fn without_rport_received_is_added_and_the_sent_by_port_is_used() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 7));
    let reg = incoming("REGISTER", "pc.example.com:5070", "z9hG4bKn2", "nat2", 1);
    d.receive(udp("192.0.2.33:6000"), &reg);
    let (key, request) = first_request(&mut d);
    let via = request.top_via().expect("via");
    assert_eq!(via.received(), "192.0.2.33".parse().ok());
    assert_eq!(via.rport(), None);
    d.ep.send_response(d.now, &key, support::answer(&request, 200))
        .expect("ok");
    assert_eq!(d.take_sent()[0].dest, support::addr("192.0.2.33:5070"));
}

#[test]
fn matching_source_adds_nothing() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 7));
    let reg = incoming("REGISTER", "192.0.2.10", "z9hG4bKn3", "nat3", 1);
    d.receive(udp("192.0.2.10:5060"), &reg);
    let (key, request) = first_request(&mut d);
    let via = request.top_via().expect("via");
    assert!(via.params.get("received").is_none());
    d.ep.send_response(d.now, &key, support::answer(&request, 200))
        .expect("ok");
    assert_eq!(d.take_sent()[0].dest, support::addr("192.0.2.10:5060"));
}

#[test]
fn retransmission_from_the_same_nat_mapping_still_matches() {
    let mut d = Driver::new(support::endpoint("192.0.2.20", 5060, 7));
    let reg = incoming("REGISTER", "10.0.0.5:5060;rport", "z9hG4bKn4", "nat4", 1);
    d.receive(udp("198.51.100.7:40123"), &reg);
    d.receive(udp("198.51.100.7:40123"), &reg);
    let requests = d
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::Request { .. }))
        .count();
    assert_eq!(requests, 1);
}
