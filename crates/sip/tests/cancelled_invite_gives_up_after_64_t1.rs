//! RFC 3261 §9.1: after sending CANCEL, a client waits 64*T1 for the INVITE's final
//! response; a callee that never sends one (it vanished mid-ring) must not keep the
//! INVITE transaction alive forever.

mod support;

use sip::transaction::Event;
use support::{outgoing, udp, Driver};

fn ringing_invite(d: &mut Driver, call_id: &str) -> sip::transaction::ClientKey {
    let uas = udp("192.0.2.20:5060");
    let invite =
        d.ep.send_request(d.now, outgoing("INVITE", 1, call_id), uas)
            .expect("invite");
    let sent_invite = support::parsed_request(&d.take_sent()[0].bytes);
    d.receive(uas, &support::answer(&sent_invite, 180).to_bytes());
    d.take_events();
    invite
}

fn timeouts(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Timeout { .. }))
        .count()
}

#[test]
fn cancelled_invite_without_final_response_times_out_at_64_t1() {
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 7));
    let invite = ringing_invite(&mut d, "call-gone");
    let before = d.ep.transaction_count();
    d.ep.cancel(d.now, &invite).expect("cancellable");

    // Nothing answers, neither the CANCEL nor the INVITE.
    d.run_until(31.9);
    let events = d.take_events();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::Timeout { key } if *key == invite)),
        "gave up too early: {events:?}"
    );
    d.run_until(32.1);
    let events = d.take_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Timeout { key } if *key == invite)),
        "INVITE never gave up: {events:?}"
    );
    d.run_until(40.0);
    assert!(
        d.ep.transaction_count() < before,
        "INVITE transaction still held"
    );
}

#[test]
fn invite_that_is_not_cancelled_waits_for_its_final_response() {
    // Without CANCEL the TU decides how long to ring (§17.1.1.2: Timer B stops at the
    // first provisional), so nothing times out.
    let mut d = Driver::new(support::endpoint("192.0.2.10", 5060, 8));
    ringing_invite(&mut d, "call-ringing");
    d.run_until(120.0);
    assert_eq!(timeouts(&d.take_events()), 0);
}
