//! Calls that never connect: the callee is busy, has no phone registered, or does not
//! exist, or the caller cannot prove who it is. Each gets the answer a phone shows the
//! right message for, and (once the caller is known) a call record saying why.

mod support;

use std::time::Duration;

use pbx::Outcome;
use sip::auth::Challenge;
use sip::Response;
use support::{alice, bob, CallState, SimPhone, World};

const ALICE: usize = 0;
const BOB: usize = 1;

fn office(seed: u64) -> World {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.register_all();
    w
}

/// Dials `number` from phone `from` and runs until the call fails; returns its index.
fn dial_until_failed(w: &mut World, from: usize, number: &str) -> usize {
    let call = w.with(from, |p, now| p.call(now, number));
    let failed = w.run_until(Duration::from_secs(40), |w| {
        matches!(w.phones[from].calls[call].state, CallState::Failed(_))
    });
    assert!(failed, "the call to {number} fails");
    w.settle();
    call
}

#[test]
fn busy_callee_gives_the_caller_486_and_a_busy_record() {
    let mut w = office(20);
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    w.with(BOB, |p, now| p.reject(now, incoming, 486));
    w.settle();

    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(486));
    assert_eq!(w.phones[ALICE].calls[call].ok_count(), 0);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Busy);
    assert_eq!(records[0].reason, "486 Busy Here");
    assert_eq!(records[0].answered_at, None);
}

#[test]
fn extension_without_a_registered_phone_gives_480() {
    let mut w = office(21);
    let call = dial_until_failed(&mut w, ALICE, "102");
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(480));
    assert!(
        w.relays_allocated().is_empty(),
        "no relay for a call going nowhere"
    );
    assert_eq!(w.pbx.call_count(), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Unavailable);
    assert_eq!(records[0].callee, "102");
}

#[test]
fn unknown_number_gives_404() {
    let mut w = office(22);
    let call = dial_until_failed(&mut w, ALICE, "999");
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(404));
    assert!(w.phones[BOB].calls.is_empty());
    assert_eq!(w.pbx.call_count(), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::NotFound);
    assert_eq!(records[0].callee, "999");
}

#[test]
fn invite_without_credentials_is_challenged_and_rings_nobody() {
    let mut w = office(23);
    w.phones[ALICE].auto_auth = false;
    let call = dial_until_failed(&mut w, ALICE, "101");
    let a = &w.phones[ALICE].calls[call];
    assert_eq!(a.state, CallState::Failed(401));
    let challenge = a.invite_responses.last().expect("a 401");
    let offered: Vec<Challenge> = challenges(challenge);
    assert!(!offered.is_empty(), "401 carries a digest challenge");
    assert!(offered.iter().all(|c| c.realm == support::REALM));
    assert!(w.phones[BOB].calls.is_empty(), "Bob's phone never rang");
    assert!(w.relays_allocated().is_empty());
    assert!(w.records().is_empty(), "no record for an unknown caller");
    assert_eq!(w.pbx.call_count(), 0);
}

#[test]
fn wrong_password_looks_exactly_like_an_unknown_user() {
    let mut w = office(24);
    let wrong = w.add(SimPhone::new(
        "100",
        "not-alices-secret",
        "192.168.1.40:5060",
        "192.168.1.40:4000",
        241,
    ));
    let stranger = w.add(SimPhone::new(
        "555",
        "whatever",
        "192.168.1.41:5060",
        "192.168.1.41:4000",
        242,
    ));
    let wrong_call = dial_until_failed(&mut w, wrong, "101");
    let stranger_call = dial_until_failed(&mut w, stranger, "101");

    let answer = |phone: usize, call: usize| -> Response {
        let c = &w.phones[phone].calls[call];
        assert_eq!(c.invite_responses.len(), 2, "challenged, answered, refused");
        c.invite_responses[1].clone()
    };
    let (to_wrong, to_stranger) = (answer(wrong, wrong_call), answer(stranger, stranger_call));
    assert_eq!(to_wrong.status, 401);
    assert_eq!(to_wrong.status, to_stranger.status);
    assert_eq!(to_wrong.reason, to_stranger.reason);
    let names = |r: &Response| -> Vec<String> {
        r.headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect()
    };
    assert_eq!(names(&to_wrong), names(&to_stranger), "same headers");
    let shape = |r: &Response| -> Vec<(String, String, bool, bool, bool)> {
        challenges(r)
            .into_iter()
            .map(|c| {
                (
                    c.realm,
                    c.algorithm.as_str().to_owned(),
                    c.qop_auth,
                    c.stale,
                    c.opaque.is_some(),
                )
            })
            .collect()
    };
    assert_eq!(shape(&to_wrong), shape(&to_stranger), "same challenges");
    assert!(w.phones[BOB].calls.is_empty(), "Bob's phone never rang");
    assert!(w.records().is_empty());
}

fn challenges(response: &Response) -> Vec<Challenge> {
    response
        .headers
        .get_all("WWW-Authenticate")
        .filter_map(Challenge::parse)
        .collect()
}
