//! When the host moves to another network, requests sent afterwards carry the new
//! address in their Via, while a transaction already under way keeps its Via on
//! retransmissions and still receives its answer (RFC 3261 §17.1.3 matches by branch).

mod support;

use sip::transaction::Event;
use sip::{Host, Request};
use support::{answer, outgoing, parsed_request, udp, Driver};

const SERVER: &str = "192.0.2.20:5060";

fn top_via_host(request: &Request) -> Option<Host> {
    request.top_via().map(|v| v.host)
}

#[test]
fn new_requests_use_the_new_via_and_old_transactions_keep_theirs() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 7));
    let old_key =
        d.ep.send_request(d.now, outgoing("OPTIONS", 1, "c1"), udp(SERVER))
            .expect("accepted");
    let first = parsed_request(&d.take_sent()[0].bytes);
    assert_eq!(
        top_via_host(&first),
        Some("192.0.2.10".parse().expect("host"))
    );

    d.ep.set_via("198.51.100.4".parse().expect("host"), Some(5062));
    d.ep.send_request(d.now, outgoing("OPTIONS", 1, "c2"), udp(SERVER))
        .expect("accepted");
    let second = parsed_request(&d.take_sent()[0].bytes);
    let via = second.top_via().expect("via added");
    assert_eq!(via.host, "198.51.100.4".parse().expect("host"));
    assert_eq!(via.port, Some(5062));

    // Timer E: the first request is retransmitted as it was first sent.
    d.run_until(0.6);
    let again: Vec<Request> = d
        .take_sent()
        .iter()
        .map(|t| parsed_request(&t.bytes))
        .filter(|r| r.call_id() == Some("c1"))
        .collect();
    assert!(!again.is_empty(), "the first request is retransmitted");
    assert!(again
        .iter()
        .all(|r| r.headers.get("Via") == first.headers.get("Via")));

    // Its answer still finds it.
    d.receive(udp(SERVER), &answer(&first, 200).to_bytes());
    assert!(d.take_events().iter().any(
        |e| matches!(e, Event::Response { key, response, .. } if *key == old_key && response.status == 200)
    ));
}
