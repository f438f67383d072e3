//! RFC 3261 §17.1.2.2: a non-INVITE request over UDP is retransmitted on Timer E,
//! doubling from T1 but never beyond T2, and at T2 once a provisional arrived.

mod support;

use sip::transaction::Event;
use support::{outgoing, udp, Driver};

#[test]
fn timer_e_doubles_to_t2_then_f_fires() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 2));
    let key =
        d.ep.send_request(d.now, outgoing("REGISTER", 1, "r1"), udp("192.0.2.20:5060"))
            .expect("accepted");
    d.run_until(40.0);
    let times = d.send_times("REGISTER");
    assert_eq!(&times[..6], &[0.0, 0.5, 1.5, 3.5, 7.5, 11.5]);
    let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().all(|g| *g <= 4.0), "{gaps:?}");
    assert!(times.iter().all(|t| *t < 32.0));
    let timeouts: Vec<_> = d
        .events
        .iter()
        .filter(|(_, e)| *e == Event::Timeout { key })
        .map(|(at, _)| at.as_secs_f64())
        .collect();
    assert_eq!(timeouts, vec![32.0]);
}

#[test]
fn proceeding_retransmits_every_t2() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 2));
    let uas = udp("192.0.2.20:5060");
    d.ep.send_request(d.now, outgoing("OPTIONS", 1, "o1"), uas)
        .expect("accepted");
    d.run_until(0.1);
    let sent = support::parsed_request(&d.sent[0].1.bytes);
    d.receive(uas, &support::answer(&sent, 100).to_bytes());
    d.run_until(13.0);
    // The pending E at 0.5 still fires; from then on it is reset to T2 each time.
    assert_eq!(d.send_times("OPTIONS"), vec![0.0, 0.5, 4.5, 8.5, 12.5]);
}

#[test]
fn final_response_completes_and_retransmissions_are_absorbed() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 2));
    let uas = udp("192.0.2.20:5060");
    let key =
        d.ep.send_request(d.now, outgoing("OPTIONS", 1, "o1"), uas)
            .expect("accepted");
    d.drain();
    let sent = support::parsed_request(&d.sent[0].1.bytes);
    let ok = support::answer(&sent, 200).to_bytes();
    d.receive(uas, &ok);
    d.receive(uas, &ok);
    let responses: Vec<_> = d
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::Response { key: k, .. } if *k == key))
        .collect();
    assert_eq!(responses.len(), 1);
    // Timer K (T4) then ends the transaction; nothing more is sent.
    d.run_until(10.0);
    assert_eq!(d.send_times("OPTIONS"), vec![0.0]);
    assert_eq!(d.ep.transaction_count(), 0);
}
