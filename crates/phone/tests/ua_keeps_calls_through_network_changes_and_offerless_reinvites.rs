//! A call survives the machine moving to another network (new Contact, new RTP
//! address by re-INVITE), and a re-INVITE without an offer is answered with ours.

mod ua_sim;

use std::time::Duration;

use media::sdp::SessionDescription;
use phone::ua::{CallHandle, Event, RegistrationEvent};
use phone::Error;
use sip::dialog::Dialog;
use sip::{Method, Transport};
use ua_sim::{local_media, server_sdp, Sim};

const MS: Duration = Duration::from_millis(100);

/// An outgoing call answered by the server; returns the server's view of the dialog.
fn call_up(sim: &mut Sim) -> (CallHandle, Dialog) {
    let now = sim.now;
    let call = sim.ua.place_call(now, "2001", local_media()).unwrap();
    sim.run(MS);
    let (key, invite) = sim.take_request(Method::Invite).unwrap();
    let ok = sim.respond(
        key,
        &invite,
        200,
        Some(server_sdp(30000, "0 101", "sendrecv")),
    );
    sim.run(MS);
    sim.take_events();
    sim.inbox.clear();
    let dialog = Dialog::from_uas(&invite, &ok).unwrap();
    (call, dialog)
}

#[test]
fn a_call_moves_to_the_new_network_with_a_reinvite() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, mut server_dialog) = call_up(&mut sim);
    let new_addr = "10.1.2.3:5062".parse().unwrap();
    sim.ua_addr = new_addr;
    let now = sim.now;
    sim.ua.network_changed(now, new_addr);
    sim.ua
        .move_media(now, call, "10.1.2.3:40000".parse().unwrap())
        .unwrap();
    assert_eq!(
        sim.ua
            .move_media(now, call, "10.1.2.3:40002".parse().unwrap()),
        Err(Error::WrongState),
        "one re-INVITE at a time"
    );
    sim.run(MS);
    assert!(sim
        .events
        .contains(&Event::Registration(RegistrationEvent::Registered {
            expires: 120
        })));
    let (k, reinvite) = sim.take_request(Method::Invite).expect("a re-INVITE");
    assert_eq!(
        reinvite.headers.get("Contact"),
        Some("<sip:201@10.1.2.3:5062>")
    );
    let offer = SessionDescription::parse(std::str::from_utf8(&reinvite.body).unwrap()).unwrap();
    assert_eq!(
        offer.audio().unwrap().socket_addr(),
        Some("10.1.2.3:40000".parse().unwrap())
    );
    // The server's dialog follows the new Contact (a target refresh).
    server_dialog.on_request(&reinvite).unwrap();
    assert_eq!(
        server_dialog.remote_target().to_string(),
        "sip:201@10.1.2.3:5062"
    );
    sim.respond(
        k,
        &reinvite,
        200,
        Some(server_sdp(30000, "0 101", "sendrecv")),
    );
    sim.run(MS);
    assert!(sim.events.iter().any(|e| matches!(
        e,
        Event::MediaChanged { call: c, held_locally: false, .. } if *c == call
    )));
    // The call still ends normally from the far side.
    sim.events.clear();
    let bye = server_dialog.create_request(Method::Bye);
    sim.send(bye);
    sim.run(MS);
    assert_eq!(
        sim.take_events(),
        vec![Event::Ended {
            call,
            reason: phone::ua::EndReason::Remote
        }]
    );
}

#[test]
fn a_reinvite_without_an_offer_gets_ours_and_the_ack_answers() {
    let mut sim = Sim::registered(Transport::Udp);
    let (call, mut server_dialog) = call_up(&mut sim);
    let reinvite = server_dialog.create_request(Method::Invite);
    let key = sim.send(reinvite.clone());
    sim.run(MS);
    let (k, ok) = loop {
        let (k, r) = sim.take_response().expect("a 200");
        if r.status >= 200 {
            break (k, r);
        }
    };
    assert_eq!(k, key);
    assert_eq!(ok.status, 200);
    let offer = SessionDescription::parse(std::str::from_utf8(&ok.body).unwrap()).unwrap();
    assert_eq!(
        offer.audio().unwrap().socket_addr(),
        Some("198.51.100.7:40000".parse().unwrap())
    );
    // Until the answer arrives our side cannot start another offer.
    let now = sim.now;
    assert_eq!(sim.ua.hold(now, call), Err(Error::WrongState));

    // The ACK carries the answer: audio now goes to a new address.
    let mut ack = server_dialog.create_request(Method::Ack);
    ack.headers.push("Content-Type", "application/sdp");
    ack.body = server_sdp(32000, "0", "sendrecv");
    let peer = sim.ua_peer();
    sim.server.send_ack(sim.now, &k, ack, peer).unwrap();
    sim.run(MS);
    let events = sim.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [Event::MediaChanged { media: Some(m), .. }]
                if m.addr == Some("203.0.113.5:32000".parse().unwrap())
        ),
        "{events:?}"
    );
    let now = sim.now;
    assert_eq!(sim.ua.hold(now, call), Ok(()));
}
