//! A call to a conference room's number, dialled by an extension or reached through a
//! business name, is answered by the PBX itself with SDP pointing at a mixer endpoint, in
//! the caller's own codec; the runtime is asked to join the caller to the room (with the
//! room's PIN hash to check). The caller's BYE takes the participant out; the runtime
//! taking it out (wrong PIN, removed) sends the caller BYE. A room that does not exist is
//! refused.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pbx::dialplan::Destination;
use pbx::{Action, ConferenceRoom, EndpointId, EndpointPort, HangupBy, MediaEndpoints, Outcome};
use support::trunk_office::{provider, sales_plan, SALES_NUMBER};
use support::{alice, bob, sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

/// Hands out made-up endpoint sockets from port 42000 and logs them.
#[derive(Default)]
struct FakeEndpoints {
    log: Arc<Mutex<Vec<EndpointPort>>>,
}

impl MediaEndpoints for FakeEndpoints {
    fn allocate(&mut self, ip: IpAddr) -> Option<EndpointPort> {
        let mut log = self.log.lock().ok()?;
        let n = log.len() as u64;
        let port = EndpointPort {
            id: EndpointId(n + 1),
            addr: SocketAddr::new(ip, 42_000 + 2 * n as u16),
        };
        log.push(port);
        Some(port)
    }
}

fn room(number: &str, pin_hash: Option<&str>) -> ConferenceRoom {
    ConferenceRoom {
        number: number.to_owned(),
        name: "Board".to_owned(),
        pin_hash: pin_hash.map(str::to_owned),
    }
}

fn with_rooms(w: &mut World) -> Arc<Mutex<Vec<EndpointPort>>> {
    let endpoints = FakeEndpoints::default();
    let log = Arc::clone(&endpoints.log);
    w.pbx.set_conference_endpoints(Box::new(endpoints));
    w.pbx
        .set_conference_rooms([room("800", Some("$argon2id$fake")), room("801", None)]);
    log
}

fn joins(w: &World) -> Vec<&pbx::ConferenceJoin> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::ConferenceJoin(j) => Some(j.as_ref()),
            _ => None,
        })
        .collect()
}

fn left(w: &World, endpoint: EndpointId) -> bool {
    w.actions
        .iter()
        .any(|a| matches!(a, Action::ConferenceLeave { endpoint: e } if *e == endpoint))
}

#[test]
fn dialling_a_room_joins_it_in_the_callers_codec_and_bye_leaves() {
    let mut w = World::lan(90);
    w.add(alice(91));
    w.add(bob(92));
    w.register_all();
    let log = with_rooms(&mut w);
    // Bob's phone prefers A-law: the room answers him in A-law.
    w.phones[BOB].audio_formats = vec![
        (8, "PCMA/8000".into()),
        (0, "PCMU/8000".into()),
        (101, "telephone-event/8000".into()),
    ];
    let a = w.with(ALICE, |p, now| p.call(now, "800"));
    let b = w.with(BOB, |p, now| p.call(now, "800"));
    w.run_for(Duration::from_secs(1));
    assert_eq!(w.phones[ALICE].calls[a].state, CallState::Confirmed);
    assert_eq!(w.phones[BOB].calls[b].state, CallState::Confirmed);
    let ports = log.lock().expect("log").clone();
    assert_eq!(ports.len(), 2, "one endpoint per participant");
    let alice_answer = w.phones[ALICE].calls[a]
        .sdp_received
        .last()
        .expect("answer");
    assert_eq!(sdp::audio_addr(alice_answer), Some(ports[0].addr));
    assert_eq!(
        sdp::encodings(alice_answer),
        vec!["PCMU".to_owned(), "telephone-event".to_owned()]
    );
    let bob_answer = w.phones[BOB].calls[b].sdp_received.last().expect("answer");
    assert_eq!(sdp::encodings(bob_answer)[0], "PCMA");

    let j = joins(&w);
    assert_eq!(j.len(), 2);
    assert_eq!(j[0].room, "800");
    assert_eq!(j[0].caller_number, "100");
    assert_eq!(j[0].pin_hash.as_deref(), Some("$argon2id$fake"));
    assert_eq!(j[0].peer, w.phones[ALICE].media);
    assert_eq!(j[0].format.encoding, "PCMU");
    assert_eq!(j[1].format.encoding, "PCMA");
    assert!(j[0].dtmf.is_some());

    w.with(ALICE, |p, now| p.hang_up(now, a));
    w.settle();
    assert!(left(&w, ports[0].id), "Alice's BYE takes her out");
    assert!(!left(&w, ports[1].id), "Bob is still in");

    // The runtime removes Bob (the owner pressed Remove): he is sent BYE.
    let unix = w.unix_now();
    w.pbx.conference_left(w.now, unix, ports[1].id);
    w.settle();
    assert_eq!(w.phones[BOB].calls[b].state, CallState::RemoteHungUp);
    assert!(left(&w, ports[1].id));
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.outcome == Outcome::Answered));
    assert!(records
        .iter()
        .all(|r| r.answered_by.as_deref() == Some("conference 800")));
    assert!(records
        .iter()
        .any(|r| r.hangup_by == Some(HangupBy::System)));
}

#[test]
fn a_caller_without_a_mixable_codec_is_refused_with_488() {
    let mut w = World::lan(93);
    w.add(alice(94));
    w.register_all();
    with_rooms(&mut w);
    w.phones[ALICE].audio_formats = vec![(18, "G729/8000".into())];
    let a = w.with(ALICE, |p, now| p.call(now, "801"));
    w.run_for(Duration::from_secs(1));
    assert_eq!(w.phones[ALICE].calls[a].state, CallState::Failed(488));
    assert!(joins(&w).is_empty());
}

#[test]
fn a_business_name_leads_trunk_callers_into_the_room() {
    let mut w = World::lan(95);
    w.add(provider(96));
    let log = with_rooms(&mut w);
    w.install(sales_plan(2, Destination::Conference("801".into())));
    let call = w.with(0, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[0].calls[call].state, CallState::Confirmed);
    assert_eq!(log.lock().expect("log").len(), 1);
    let j = joins(&w);
    assert_eq!(j.len(), 1);
    assert_eq!(j[0].room, "801");
    assert_eq!(j[0].pin_hash, None);
}

#[test]
fn a_destination_naming_a_missing_room_is_refused() {
    let mut w = World::lan(97);
    w.add(provider(98));
    with_rooms(&mut w);
    w.install(sales_plan(2, Destination::Conference("899".into())));
    let call = w.with(0, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[0].calls[call].state, CallState::Failed(404));
    assert!(joins(&w).is_empty());
    assert_eq!(w.records()[0].reason, "no such conference room");
}

#[test]
fn a_blind_transfer_to_the_room_reinvites_the_other_party_into_it() {
    use support::transfer_office::{connect, office};
    let mut w = office(99);
    let log = with_rooms(&mut w);
    // Alice calls Bob, who transfers her into room 801 and is free at once.
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:801@office>", &[]));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.phones[BOB].sipfrags(b_call).last().map(String::as_str),
        Some("SIP/2.0 200 OK"),
        "the transfer succeeded"
    );
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::RemoteHungUp);

    let ports = log.lock().expect("log").clone();
    assert_eq!(ports.len(), 1);
    let j = joins(&w);
    assert_eq!(j.len(), 1);
    assert_eq!(j[0].room, "801");
    assert_eq!(j[0].caller_number, "100");
    // Alice's phone was re-INVITEd to the room's endpoint and stays in the call.
    let alice = &w.phones[ALICE].calls[a_call];
    assert_eq!(alice.state, CallState::Confirmed);
    let offer = alice.sdp_received.last().expect("the room's offer");
    assert_eq!(sdp::audio_addr(offer), Some(ports[0].addr));
    assert!(w.relays_all_closed(), "the relay to Bob is gone");

    w.with(ALICE, |p, now| p.hang_up(now, a_call));
    w.settle();
    assert!(left(&w, ports[0].id));
    assert_eq!(w.pbx.call_count(), 0);
}

#[test]
fn a_participant_holding_the_room_is_answered_recvonly_and_resumes() {
    use media::sdp::Direction;
    let mut w = World::lan(100);
    w.add(alice(101));
    w.register_all();
    let log = with_rooms(&mut w);
    let a = w.with(ALICE, |p, now| p.call(now, "801"));
    w.run_for(Duration::from_secs(1));
    let media = w.phones[ALICE].media;
    let endpoint = log.lock().expect("log")[0].addr;

    w.with(ALICE, |p, now| {
        p.reinvite(now, a, Direction::SendOnly, media)
    });
    w.run_for(Duration::from_secs(1));
    let held = w.phones[ALICE].calls[a]
        .sdp_received
        .last()
        .expect("answer");
    assert_eq!(sdp::direction(held), Some(Direction::RecvOnly));
    assert_eq!(sdp::audio_addr(held), Some(endpoint));
    let held_version = held.origin.session_version;

    w.with(ALICE, |p, now| {
        p.reinvite(now, a, Direction::SendRecv, media)
    });
    w.run_for(Duration::from_secs(1));
    let resumed = w.phones[ALICE].calls[a]
        .sdp_received
        .last()
        .expect("answer");
    assert_eq!(sdp::direction(resumed), Some(Direction::SendRecv));
    assert!(resumed.origin.session_version > held_version);
    assert_eq!(w.phones[ALICE].calls[a].state, CallState::Confirmed);
    assert_eq!(joins(&w).len(), 1, "still the same participant");
}

#[test]
fn keys_sent_by_sip_info_go_to_the_room() {
    let mut w = World::lan(102);
    w.add(alice(103));
    w.register_all();
    let log = with_rooms(&mut w);
    let a = w.with(ALICE, |p, now| p.call(now, "800"));
    w.run_for(Duration::from_secs(1));
    let endpoint = log.lock().expect("log")[0].id;
    let body = support::SimPhone::dtmf_relay('7', 160);
    w.with(ALICE, |p, now| {
        p.info(now, a, "application/dtmf-relay", &body)
    });
    w.run_for(Duration::from_secs(1));
    assert!(w.actions.iter().any(|x| matches!(
        x,
        Action::ConferenceKey { endpoint: e, key: '7' } if *e == endpoint
    )));
    assert_eq!(w.phones[ALICE].calls[a].state, CallState::Confirmed);
}
