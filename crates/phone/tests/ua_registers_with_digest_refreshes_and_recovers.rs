//! Registration: the 401 is answered, the binding refreshed at half its lifetime, lost
//! packets retransmitted, failures backed off, and a new network re-registers at once.

mod ua_sim;

use std::time::Duration;

use phone::ua::{Event, RegistrationEvent};
use sip::Transport;
use ua_sim::Sim;

fn registrations(events: &[Event]) -> Vec<RegistrationEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Registration(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_challenged_register_is_answered_with_digest_and_granted() {
    let mut sim = Sim::new(Transport::Udp);
    let now = sim.now;
    sim.ua.register(now);
    sim.run(Duration::from_secs(1));
    assert_eq!(
        registrations(&sim.events),
        vec![RegistrationEvent::Registered { expires: 120 }]
    );
    let [first, second] = sim.registrar.registers.as_slice() else {
        panic!("expected two REGISTERs, got {:?}", sim.registrar.registers);
    };
    assert!(first.headers.get("Authorization").is_none());
    assert!(second.headers.get("Authorization").is_some());
    // RFC 3261 §10.2.4: same Call-ID, CSeq one higher.
    assert_eq!(first.call_id(), second.call_id());
    assert_eq!(second.cseq().unwrap().seq, first.cseq().unwrap().seq + 1);
    assert_eq!(
        second.headers.get("Contact"),
        Some("<sip:201@198.51.100.7:5062>")
    );
    assert_eq!(second.headers.get("Expires"), Some("120"));
}

#[test]
fn the_binding_is_refreshed_at_half_the_granted_lifetime() {
    let mut sim = Sim::registered(Transport::Udp);
    sim.registrar.granted = 60;
    sim.run(Duration::from_secs(58));
    assert!(sim.registrar.accepted.len() == 1, "no refresh before 60 s");
    sim.run(Duration::from_secs(3));
    assert_eq!(sim.registrar.accepted.len(), 2);
    // The refresh reuses the nonce, so it is not challenged again.
    assert_eq!(sim.registrar.registers.len(), 3);
    // Refreshed at 60 s and granted 60 s: the next refresh comes 30 s later, at 90 s.
    sim.run(Duration::from_secs(26)); // 88 s
    assert_eq!(sim.registrar.accepted.len(), 2);
    sim.run(Duration::from_secs(3));
    assert_eq!(sim.registrar.accepted.len(), 3);
    assert!(registrations(&sim.events)
        .iter()
        .all(|r| matches!(r, RegistrationEvent::Registered { .. })));
}

#[test]
fn lost_registers_and_answers_are_retransmitted() {
    let mut sim = Sim::new(Transport::Udp);
    // Lose the first two REGISTERs towards the server and the first answer back.
    let mut lost_out = 0;
    let mut lost_back = 0;
    sim.lose = Box::new(move |to_server, bytes| {
        let text = String::from_utf8_lossy(bytes);
        if to_server && text.starts_with("REGISTER") && lost_out < 2 {
            lost_out += 1;
            return true;
        }
        if !to_server && text.starts_with("SIP/2.0 200") && lost_back < 1 {
            lost_back += 1;
            return true;
        }
        false
    });
    let now = sim.now;
    sim.ua.register(now);
    sim.run(Duration::from_secs(10));
    assert_eq!(
        registrations(&sim.events),
        vec![RegistrationEvent::Registered { expires: 120 }]
    );
    let sent = sim
        .server_received
        .iter()
        .filter(|m| m.starts_with("REGISTER"))
        .count();
    // Two lost, one challenged, one granted whose answer was lost and resent: the
    // retransmission after the lost 200 reached the server too.
    assert!(sent >= 3, "only {sent} REGISTERs arrived");
    assert_eq!(sim.registrar.accepted.len(), 1);
}

#[test]
fn a_silent_server_is_retried_with_backoff() {
    let mut sim = Sim::new(Transport::Udp);
    sim.registrar.answering = false;
    let now = sim.now;
    sim.ua.register(now);
    // Timer F: 64·T1 = 32 s.
    sim.run(Duration::from_secs(33));
    let failed = registrations(&sim.events);
    let [RegistrationEvent::Failed {
        status: 408,
        retry_in: Some(wait),
        ..
    }] = failed.as_slice()
    else {
        panic!("expected one 408 failure, got {failed:?}");
    };
    // RFC 5626 §4.5 with one failure: 50–100 % of 30 s.
    assert!((15..=30).contains(&wait.as_secs()), "waited {wait:?}");
    let before = sim.registrar.registers.len();
    sim.registrar.answering = true;
    sim.run(*wait + Duration::from_secs(1));
    assert!(sim.registrar.registers.len() > before);
    assert_eq!(
        registrations(&sim.events).last(),
        Some(&RegistrationEvent::Registered { expires: 120 })
    );
}

#[test]
fn a_refused_password_is_not_retried() {
    let mut sim = Sim::new(Transport::Udp);
    let mut account = ua_sim::account(Transport::Udp);
    account.password = "wrong".to_owned();
    sim.ua = phone::ua::UserAgent::new(account, sim.ua_addr, Some(5));
    let now = sim.now;
    sim.ua.register(now);
    sim.run(Duration::from_secs(600));
    let events = registrations(&sim.events);
    assert_eq!(events.len(), 1);
    assert!(matches!(
        events.first(),
        Some(RegistrationEvent::Failed {
            status: 401,
            retry_in: None,
            ..
        })
    ));
    assert_eq!(sim.registrar.registers.len(), 2);
}

#[test]
fn a_network_change_registers_the_new_contact_at_once() {
    let mut sim = Sim::registered(Transport::Udp);
    sim.run(Duration::from_secs(5));
    let new_addr = "10.1.2.3:5062".parse().unwrap();
    sim.ua_addr = new_addr;
    let now = sim.now;
    sim.ua.network_changed(now, new_addr);
    sim.run(Duration::from_secs(1));
    let last = sim.registrar.accepted.last().unwrap();
    assert_eq!(sim.registrar.accepted.len(), 2);
    assert_eq!(last.headers.get("Contact"), Some("<sip:201@10.1.2.3:5062>"));
    assert!(last
        .top_via()
        .unwrap()
        .to_string()
        .contains("10.1.2.3:5062"));
}

#[test]
fn unregister_sends_expires_zero_over_tcp() {
    let mut sim = Sim::registered(Transport::Tcp);
    let first = sim.registrar.accepted.first().unwrap();
    assert_eq!(
        first.headers.get("Contact"),
        Some("<sip:201@198.51.100.7:5062;transport=tcp>")
    );
    let now = sim.now;
    sim.ua.unregister(now);
    sim.run(Duration::from_secs(1));
    assert_eq!(
        sim.registrar
            .accepted
            .last()
            .unwrap()
            .headers
            .get("Expires"),
        Some("0")
    );
    assert_eq!(
        registrations(&sim.events),
        vec![RegistrationEvent::Unregistered]
    );
    // Nothing more is sent once unregistered.
    let count = sim.registrar.registers.len();
    sim.run(Duration::from_secs(600));
    assert_eq!(sim.registrar.registers.len(), count);
}

#[test]
fn a_lost_connection_fails_the_register_and_it_is_retried() {
    let mut sim = Sim::new(Transport::Tcp);
    sim.registrar.answering = false;
    let now = sim.now;
    sim.ua.register(now);
    sim.run(Duration::from_secs(1));
    // The engine reports the TCP connection to the server as gone.
    let now = sim.now;
    sim.ua.handle_transport_error(now);
    let failed = registrations(&sim.ua_events_now());
    let [RegistrationEvent::Failed {
        status: 503,
        retry_in: Some(wait),
        ..
    }] = failed.as_slice()
    else {
        panic!("expected one 503 failure, got {failed:?}");
    };
    sim.registrar.answering = true;
    sim.run(*wait + Duration::from_secs(1));
    assert_eq!(
        registrations(&sim.events).last(),
        Some(&RegistrationEvent::Registered { expires: 120 })
    );
}
