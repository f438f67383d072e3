//! Behind a NAT: the server's `received`/`rport` (RFC 3581) make the phone register its
//! public address, calls use it, and keep-alives (RFC 5626 §4.4.1) hold the mapping open
//! over UDP and the connection over TCP, only while registered.

mod ua_sim;

use std::net::SocketAddr;
use std::time::Duration;

use phone::ua::{Event, RegistrationEvent, KEEPALIVE_INTERVAL};
use sip::transaction::Peer;
use sip::{Method, NameAddr, Request, Transport, Uri};
use ua_sim::{local_media, Sim};

fn public() -> SocketAddr {
    "203.0.113.50:61000".parse().unwrap()
}

fn contact_of(request: &Request) -> SocketAddr {
    let contact: NameAddr = request.headers.get("Contact").unwrap().parse().unwrap();
    let ip = contact.uri.host.to_string().parse().unwrap();
    SocketAddr::new(ip, contact.uri.port.unwrap())
}

fn registered_behind_nat(transport: Transport) -> Sim {
    let mut sim = Sim::new(transport);
    sim.nat = Some(public());
    let now = sim.now;
    sim.ua.register(now);
    sim.run(Duration::from_secs(1));
    sim
}

#[test]
fn the_public_address_is_registered_after_the_first_answer() {
    let sim = registered_behind_nat(Transport::Udp);
    let accepted = &sim.registrar.accepted;
    assert_eq!(accepted.len(), 2, "one REGISTER at each address");
    assert_eq!(contact_of(&accepted[0]), sim.ua_addr);
    assert_eq!(contact_of(&accepted[1]), public());
    // The binding at the private address is removed by the same REGISTER (RFC 3261
    // §10.2.2), and only by that one.
    let contacts: Vec<&str> = accepted[1].headers.get_all("Contact").collect();
    assert_eq!(contacts.len(), 2, "{contacts:?}");
    let stale: NameAddr = contacts[1].parse().unwrap();
    assert_eq!(stale.uri.port, Some(sim.ua_addr.port()));
    assert_eq!(stale.expires(), Some(0));
    assert_eq!(accepted[0].headers.get_all("Contact").count(), 1);
    // RFC 3581 §3: every request asks for rport.
    for r in &sim.registrar.registers {
        assert!(r.headers.get("Via").unwrap().contains(";rport"), "{r:?}");
    }
    assert_eq!(sim.ua.public_address(), Some(public()));
    let registered = sim
        .events
        .iter()
        .filter(|e| matches!(e, Event::Registration(RegistrationEvent::Registered { .. })))
        .count();
    assert_eq!(registered, 2, "{:?}", sim.events);
}

#[test]
fn calls_come_in_through_the_registered_contact_and_go_out_with_it() {
    let mut sim = registered_behind_nat(Transport::Udp);
    sim.events.clear();
    let contact = contact_of(sim.registrar.accepted.last().unwrap());
    let uri: Uri = format!("sip:201@{contact}").parse().unwrap();
    let mut invite = Request::new(Method::Invite, uri);
    let h = &mut invite.headers;
    h.push("Max-Forwards", "70");
    h.push("From", "<sip:300@office.example>;tag=pbx1");
    h.push("To", "<sip:201@office.example>");
    h.push("Call-ID", "nat-in-1");
    h.push("CSeq", "1 INVITE");
    h.push("Contact", "<sip:pbx@192.0.2.1:5060>");
    let peer = Peer {
        transport: Transport::Udp,
        addr: contact,
    };
    let now = sim.now;
    sim.server.send_request(now, invite, peer).unwrap();
    sim.run(Duration::from_millis(100));
    assert!(
        matches!(sim.events.first(), Some(Event::Incoming { .. })),
        "{:?}",
        sim.events
    );

    let now = sim.now;
    sim.ua
        .place_call(now, "sip:300@office.example", local_media())
        .unwrap();
    sim.run(Duration::from_millis(100));
    let (_, out) = sim.take_request(Method::Invite).unwrap();
    assert_eq!(contact_of(&out), public());
}

#[test]
fn udp_behind_nat_pings_every_25_seconds_while_registered() {
    let mut sim = registered_behind_nat(Transport::Udp);
    sim.run(Duration::from_secs(120));
    let pings = &sim.keepalives;
    assert!(pings.len() >= 4, "{pings:?}");
    for pair in pings.windows(2) {
        assert_eq!(pair[1] - pair[0], KEEPALIVE_INTERVAL);
    }
    // The registration was refreshed at half its lifetime all the same, at the public
    // address, without another correction.
    let last = sim.registrar.accepted.last().unwrap();
    assert_eq!(contact_of(last), public());
    assert_eq!(last.headers.get_all("Contact").count(), 1);
    assert!(sim.registrar.accepted.len() >= 4);

    let now = sim.now;
    sim.ua.unregister(now);
    sim.run(Duration::from_secs(1));
    let before = sim.keepalives.len();
    sim.run(Duration::from_secs(120));
    assert_eq!(
        sim.keepalives.len(),
        before,
        "no keep-alive once unregistered"
    );
}

#[test]
fn udp_without_nat_sends_no_keepalives() {
    let mut sim = Sim::registered(Transport::Udp);
    sim.run(Duration::from_secs(120));
    assert!(sim.keepalives.is_empty());
    assert_eq!(sim.ua.public_address(), None);
    assert_eq!(
        contact_of(sim.registrar.accepted.last().unwrap()),
        sim.ua_addr
    );
}

#[test]
fn tcp_pings_its_connection_and_takes_the_pong_quietly() {
    let mut sim = Sim::registered(Transport::Tcp);
    sim.run(Duration::from_secs(100));
    assert_eq!(sim.keepalives.len(), 4, "{:?}", sim.keepalives);
    for pair in sim.keepalives.windows(2) {
        assert_eq!(pair[1] - pair[0], KEEPALIVE_INTERVAL);
    }
    // The pongs made no event; only refreshes were reported.
    assert!(
        sim.events
            .iter()
            .all(|e| matches!(e, Event::Registration(RegistrationEvent::Registered { .. }))),
        "{:?}",
        sim.events
    );
}

#[test]
fn a_new_network_without_nat_registers_the_local_address_again() {
    let mut sim = registered_behind_nat(Transport::Udp);
    sim.nat = None;
    let moved: SocketAddr = "198.51.100.9:5062".parse().unwrap();
    sim.ua_addr = moved;
    let now = sim.now;
    sim.ua.network_changed(now, moved);
    sim.run(Duration::from_secs(1));
    assert_eq!(contact_of(sim.registrar.accepted.last().unwrap()), moved);
    assert_eq!(sim.ua.public_address(), None);
    let before = sim.keepalives.len();
    sim.run(Duration::from_secs(60));
    assert_eq!(sim.keepalives.len(), before, "no NAT, no UDP keep-alive");
}
