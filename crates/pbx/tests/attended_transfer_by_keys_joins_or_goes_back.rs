//! Attended transfer by keys: `*2` + number puts the presser through to the number on a
//! relay of its own while the other party hears music; hanging up joins the two others,
//! `*` or the target hanging up or refusing brings the presser back, and hanging up
//! while the target still rings makes it ring for the waiting party instead.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use pbx::{Action, MediaSource, RelayPorts, Side};
use sip::Method;
use support::transfer_office::{connect, office};
use support::{sdp, CallState, SimPhone, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

fn press_by_info(w: &mut World, phone: usize, idx: usize, keys: &str) {
    for key in keys.chars() {
        let body = SimPhone::dtmf_relay(key, 160);
        w.with(phone, |p, now| {
            p.info(now, idx, "application/dtmf-relay", &body)
        });
        w.run_for(Duration::from_millis(100));
    }
}

/// The address one side of one relay was last pointed at.
fn peer_of(w: &World, relay: RelayPorts, side: Side) -> Option<SocketAddr> {
    w.actions.iter().rev().find_map(|a| match a {
        Action::RelayPeer { id, side: s, peer } if *id == relay.id && *s == side => Some(*peer),
        _ => None,
    })
}

/// The audio address of the last SDP `phone` received in call `idx`.
fn last_offer(w: &World, phone: usize, idx: usize) -> Option<SocketAddr> {
    w.phones[phone].calls[idx]
        .sdp_received
        .last()
        .and_then(sdp::audio_addr)
}

struct Consulting {
    a_call: usize,
    b_call: usize,
    c_call: usize,
    held: RelayPorts,
    consult: RelayPorts,
}

/// Alice calls Bob; Bob presses `*2102#`; Carol's phone rings.
fn bob_consults_carol(seed: u64) -> (World, Consulting) {
    let mut w = office(seed);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    press_by_info(&mut w, BOB, b_call, "*2102#");
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL]
            .incoming(0)
            .is_some()),
        "Carol's phone rings"
    );
    let c_call = w.phones[CAROL].incoming(0).expect("Carol's call");
    let from = w.phones[CAROL].calls[c_call].invite.from().expect("From");
    assert_eq!(from.uri.user(), Some("101"), "Carol sees Bob calling");
    let relays = w.relays_allocated();
    assert_eq!(relays.len(), 2, "the consultation has a relay of its own");
    let (held, consult) = (relays[0], relays[1]);
    w.run_for(Duration::from_millis(500));
    assert_eq!(
        last_offer(&w, BOB, b_call),
        Some(consult.a),
        "Bob is moved onto the consultation's relay"
    );
    assert!(w.actions.iter().any(|a| matches!(
        a,
        Action::MediaPlay { id, to: Side::A, source: MediaSource::MusicOnHold, .. } if *id == held.id
    )), "Alice hears music");
    assert_eq!(
        peer_of(&w, held, Side::B),
        Some("0.0.0.0:0".parse().unwrap()),
        "nothing of Alice reaches Bob meanwhile"
    );
    let c = Consulting {
        a_call,
        b_call,
        c_call,
        held,
        consult,
    };
    (w, c)
}

fn carol_answers(w: &mut World, c: &Consulting) {
    w.with(CAROL, |p, now| p.answer(now, c.c_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c.c_call]
            .acks_received
            > 0)
    );
    assert_eq!(peer_of(w, c.consult, Side::B), Some(w.phones[CAROL].media));
}

#[test]
fn hanging_up_after_carol_answers_joins_alice_and_carol() {
    let (mut w, c) = bob_consults_carol(90);
    carol_answers(&mut w, &c);
    w.with(BOB, |p, now| p.hang_up(now, c.b_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| {
            last_offer(w, CAROL, c.c_call) == Some(c.held.b)
        }),
        "Carol is re-INVITEd onto Bob's old socket"
    );
    w.run_for(Duration::from_secs(1));
    assert_eq!(peer_of(&w, c.held, Side::B), Some(w.phones[CAROL].media));
    assert_eq!(w.phones[ALICE].calls[c.a_call].state, CallState::Confirmed);
    assert_eq!(w.phones[CAROL].calls[c.c_call].state, CallState::Confirmed);
    assert!(
        w.actions.iter().any(|a| matches!(
            a,
            Action::MediaStop { id, to: Side::A } if *id == c.held.id
        )),
        "Alice's music stops"
    );
    assert!(w
        .actions
        .iter()
        .any(|a| matches!(a, Action::RelayClose { id } if *id == c.consult.id)));
    // Alice and Carol talk; Alice hangs up and Carol is told.
    w.with(ALICE, |p, now| p.hang_up(now, c.a_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c.c_call]
            .state
            == CallState::RemoteHungUp)
    );
    w.settle();
    assert!(w.relays_all_closed());
}

#[test]
fn star_brings_bob_back_to_alice() {
    let (mut w, c) = bob_consults_carol(91);
    carol_answers(&mut w, &c);
    let (now, unix) = (w.now, w.unix_now());
    w.pbx.dtmf_received(now, unix, c.consult.id, Side::A, '*');
    w.flush();
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c.c_call]
            .state
            == CallState::RemoteHungUp),
        "Carol is let go"
    );
    assert!(
        w.run_until(Duration::from_secs(5), |w| last_offer(w, BOB, c.b_call)
            == Some(c.held.b)),
        "Bob is moved back"
    );
    w.run_for(Duration::from_secs(1));
    assert_eq!(peer_of(&w, c.held, Side::B), Some(w.phones[BOB].media));
    assert_eq!(w.phones[ALICE].calls[c.a_call].state, CallState::Confirmed);
    assert_eq!(w.phones[BOB].calls[c.b_call].state, CallState::Confirmed);
    assert!(w.actions.iter().any(|a| matches!(
        a,
        Action::MediaStop { id, to: Side::A } if *id == c.held.id
    )));
}

#[test]
fn carol_hanging_up_or_refusing_brings_bob_back() {
    let (mut w, c) = bob_consults_carol(92);
    carol_answers(&mut w, &c);
    w.with(CAROL, |p, now| p.hang_up(now, c.c_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| last_offer(w, BOB, c.b_call)
            == Some(c.held.b))
    );
    assert_eq!(w.phones[BOB].calls[c.b_call].state, CallState::Confirmed);
    assert_eq!(
        w.phones[BOB].calls[c.b_call].got_request(Method::Bye),
        0,
        "Bob's call goes on"
    );

    let (mut w, c) = bob_consults_carol(93);
    w.with(CAROL, |p, now| p.reject(now, c.c_call, 486));
    assert!(
        w.run_until(Duration::from_secs(5), |w| last_offer(w, BOB, c.b_call)
            == Some(c.held.b)),
        "a busy Carol sends Bob back"
    );
    assert_eq!(w.phones[ALICE].calls[c.a_call].state, CallState::Confirmed);
}

#[test]
fn hanging_up_while_carol_rings_rings_her_for_alice() {
    let (mut w, c) = bob_consults_carol(94);
    let before = w.phones[CAROL].calls.len();
    w.with(BOB, |p, now| p.hang_up(now, c.b_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls.len()
            > before)
    );
    let again = w.phones[CAROL].incoming(1).expect("Carol rings again");
    let from = w.phones[CAROL].calls[again].invite.from().expect("From");
    assert_eq!(from.uri.user(), Some("100"), "now for Alice");
    w.with(CAROL, |p, now| p.answer(now, again));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[again]
            .acks_received
            > 0)
    );
    assert_eq!(w.phones[ALICE].calls[c.a_call].state, CallState::Confirmed);
    assert_eq!(peer_of(&w, c.held, Side::B), Some(w.phones[CAROL].media));
}

#[test]
fn alice_hanging_up_leaves_bob_and_carol_talking() {
    let (mut w, c) = bob_consults_carol(95);
    carol_answers(&mut w, &c);
    w.with(ALICE, |p, now| p.hang_up(now, c.a_call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[BOB].calls[c.b_call].state, CallState::Confirmed);
    assert_eq!(w.phones[CAROL].calls[c.c_call].state, CallState::Confirmed);
    w.with(BOB, |p, now| p.hang_up(now, c.b_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c.c_call]
            .state
            == CallState::RemoteHungUp)
    );
    w.settle();
    assert!(w.relays_all_closed());
}

#[test]
fn the_caller_can_consult_and_join_too() {
    let mut w = office(96);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    press_by_info(&mut w, ALICE, a_call, "*2102#");
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[CAROL]
        .incoming(0)
        .is_some()));
    let c_call = w.phones[CAROL].incoming(0).expect("Carol's call");
    let relays = w.relays_allocated();
    let (held, consult) = (relays[0], relays[1]);
    assert!(
        w.actions.iter().any(|a| matches!(
            a,
            Action::MediaPlay { id, to: Side::B, .. } if *id == held.id
        )),
        "Bob hears music"
    );
    w.with(CAROL, |p, now| p.answer(now, c_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c_call]
            .acks_received
            > 0)
    );
    assert_eq!(last_offer(&w, ALICE, a_call), Some(consult.a));
    w.with(ALICE, |p, now| p.hang_up(now, a_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| last_offer(w, CAROL, c_call)
            == Some(held.a)),
        "Carol takes Alice's socket"
    );
    w.run_for(Duration::from_secs(1));
    assert_eq!(peer_of(&w, held, Side::A), Some(w.phones[CAROL].media));
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::Confirmed);
    w.with(BOB, |p, now| p.hang_up(now, b_call));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c_call]
            .state
            == CallState::RemoteHungUp)
    );
    w.settle();
    assert!(w.relays_all_closed());
}

#[test]
fn other_codes_mean_nothing_during_the_consultation() {
    let (mut w, c) = bob_consults_carol(97);
    carol_answers(&mut w, &c);
    let (now, unix) = (w.now, w.unix_now());
    // Bob on the consultation's relay, Alice on the held call's: neither transfers.
    for key in "##100#".chars() {
        w.pbx.dtmf_received(now, unix, c.consult.id, Side::A, key);
    }
    for key in "##102#".chars() {
        w.pbx.dtmf_received(now, unix, c.held.id, Side::A, key);
    }
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.phones[ALICE].calls.len(), 1, "Alice is not rung");
    assert_eq!(w.phones[CAROL].calls.len(), 1, "Carol is not rung again");
    assert_eq!(w.phones[BOB].calls[c.b_call].state, CallState::Confirmed);
    assert_eq!(w.phones[CAROL].calls[c.c_call].state, CallState::Confirmed);
    // Hanging up still joins Alice and Carol.
    w.with(BOB, |p, now| p.hang_up(now, c.b_call));
    assert!(w.run_until(Duration::from_secs(5), |w| {
        last_offer(w, CAROL, c.c_call) == Some(c.held.b)
    }));
}
