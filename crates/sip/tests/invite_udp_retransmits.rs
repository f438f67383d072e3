//! RFC 3261 §17.1.1.2: an unanswered INVITE over UDP is retransmitted on Timer A
//! (T1 doubling) and times out on Timer B (64*T1); over TCP it is never retransmitted.

mod support;

use sip::transaction::Event;
use support::{outgoing, tcp, udp, Driver};

#[test]
fn unanswered_invite_over_udp_backs_off_then_times_out() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 1));
    let key =
        d.ep.send_request(d.now, outgoing("INVITE", 1, "c1"), udp("192.0.2.20:5060"))
            .expect("invite accepted");
    d.run_until(40.0);
    assert_eq!(
        d.send_times("INVITE"),
        vec![0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    );
    let timeouts: Vec<_> = d
        .events
        .iter()
        .filter(|(_, e)| *e == Event::Timeout { key })
        .map(|(at, _)| at.as_secs_f64())
        .collect();
    assert_eq!(timeouts, vec![32.0]);
    assert_eq!(d.ep.transaction_count(), 0);
    assert_eq!(d.ep.poll_timeout(), None);
}

#[test]
fn unanswered_invite_over_tcp_is_sent_once_and_times_out() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 1));
    let key =
        d.ep.send_request(d.now, outgoing("INVITE", 1, "c1"), tcp("192.0.2.20:5060"))
            .expect("invite accepted");
    d.run_until(40.0);
    assert_eq!(d.send_times("INVITE"), vec![0.0]);
    assert!(d
        .sent
        .iter()
        .all(|(_, t)| t.transport == sip::Transport::Tcp));
    let events: Vec<_> = d
        .events
        .iter()
        .map(|(at, e)| (at.as_secs_f64(), e.clone()))
        .collect();
    assert_eq!(events, vec![(32.0, Event::Timeout { key })]);
}

#[test]
fn provisional_response_stops_retransmission() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 1));
    let uas = udp("192.0.2.20:5060");
    d.ep.send_request(d.now, outgoing("INVITE", 1, "c1"), uas)
        .expect("invite accepted");
    d.run_until(1.0);
    let sent = support::parsed_request(&d.sent[0].1.bytes);
    let ringing = support::answer(&sent, 180).to_bytes();
    d.receive(uas, &ringing);
    d.run_until(60.0);
    // Sent at 0 and 0.5, then silence: no more retransmissions and no timeout.
    assert_eq!(d.send_times("INVITE"), vec![0.0, 0.5]);
    assert!(!d
        .events
        .iter()
        .any(|(_, e)| matches!(e, Event::Timeout { .. })));
    assert_eq!(d.ep.transaction_count(), 1);
}

#[test]
fn generated_via_has_a_magic_cookie_branch_and_rport() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 1));
    d.ep.send_request(d.now, outgoing("OPTIONS", 1, "c1"), udp("192.0.2.20:5060"))
        .expect("accepted");
    d.drain();
    let sent = support::parsed_request(&d.sent[0].1.bytes);
    let via = sent.top_via().expect("via added");
    assert!(via
        .branch()
        .is_some_and(|b| b.starts_with("z9hG4bK") && b.len() > 7));
    assert!(via.has_rport());
    assert_eq!(via.port, Some(5060));
}

#[test]
fn ack_is_not_a_transaction() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 1));
    let result =
        d.ep.send_request(d.now, outgoing("ACK", 1, "c1"), udp("192.0.2.20:5060"));
    assert_eq!(
        result,
        Err(sip::transaction::TransactionError::NotATransaction)
    );
    d.drain();
    assert!(d.sent.is_empty());
}

#[test]
fn via_written_by_the_tu_without_a_branch_gets_one_in_place() {
    for via in [
        "SIP/2.0/UDP 192.0.2.10:5070;rport",
        "SIP/2.0/UDP 192.0.2.10:5070;branch;rport",
        "SIP/2.0/UDP 192.0.2.10:5070;branch=oldstyle",
    ] {
        let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 1));
        let mut req = outgoing("INVITE", 1, "c1");
        req.headers.push_front("Via", via);
        d.ep.send_request(d.now, req, udp("192.0.2.20:5060"))
            .expect("accepted");
        d.drain();
        let sent = support::parsed_request(&d.sent[0].1.bytes);
        let vias = sent.vias();
        assert_eq!(vias.len(), 1, "{via}");
        assert_eq!(vias[0].port, Some(5070), "the TU's Via is kept");
        assert!(vias[0].branch().is_some_and(|b| b.starts_with("z9hG4bK")));
        assert!(vias[0].has_rport() || via.contains("oldstyle"));
    }
}

#[test]
fn malformed_via_from_the_tu_is_refused_not_stacked_under_another() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 1));
    let mut req = outgoing("INVITE", 1, "c1");
    req.headers
        .push_front("Via", "SIP/2.0/UDP 192.0.2.10:5070;branch=;rport");
    let result = d.ep.send_request(d.now, req, udp("192.0.2.20:5060"));
    assert_eq!(result, Err(sip::transaction::TransactionError::BadVia));
    d.drain();
    assert!(d.sent.is_empty());
}
