//! Calling out is for extensions with permission (emergency numbers always go), a number
//! no route takes is not found, and a dialled string with anything but digits, `+`, `*`
//! and `#` is refused before it could reach a trunk.

mod support;

use std::time::Duration;

use pbx::dialplan::{DialPlan, OutboundRoute};
use pbx::{Direction, Outcome};
use support::trunk_office::{ip_trunk, provider, uk_route, PROVIDER};
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const MAIN: usize = 2;

/// Alice may call out, Bob may not; 0… and 999 have routes.
fn office(seed: u64) -> World {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.add(provider(seed + 3));
    for phone in [ALICE, BOB] {
        w.with(phone, |p, now| p.register(now));
    }
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered
            && w.phones[BOB].registered)
    );
    let emergency = OutboundRoute {
        id: 2,
        name: "Emergency".into(),
        patterns: vec!["999".into()],
        strip: 0,
        prepend: String::new(),
        trunks: vec![1],
    };
    w.install(DialPlan {
        trunks: vec![ip_trunk(1, "Provider", PROVIDER, 2)],
        outbound_routes: vec![uk_route(vec![1]), emergency],
        outbound_allowed: vec!["100".into()],
        emergency_numbers: vec!["999".into()],
        ..DialPlan::default()
    });
    w
}

/// `phone` dials `number`; returns the final status it heard.
fn dial(w: &mut World, phone: usize, number: &str) -> CallState {
    let call = w.with(phone, |p, now| p.call(now, number));
    w.run_for(Duration::from_secs(3));
    w.phones[phone].calls[call].state
}

#[test]
fn an_extension_without_permission_is_forbidden() {
    let mut w = office(100);
    assert_eq!(dial(&mut w, BOB, "02079460000"), CallState::Failed(403));
    assert!(
        w.phones[MAIN].calls.is_empty(),
        "nothing reached the provider"
    );
    assert_eq!(w.lines_in_use(1), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].direction, Direction::Outbound);
    assert_eq!(records[0].caller_number, "101");
    assert!(
        records[0].reason.starts_with("403"),
        "{}",
        records[0].reason
    );
}

#[test]
fn an_emergency_number_goes_out_without_permission() {
    let mut w = office(101);
    let call = w.with(BOB, |p, now| p.call(now, "999"));
    assert!(w.run_until(Duration::from_secs(3), |w| w.phones[MAIN]
        .incoming(0)
        .is_some()
        && w.phones[BOB].calls[call].state == CallState::Ringing));
    let idx = w.phones[MAIN].incoming(0).expect("arrived");
    assert_eq!(
        w.phones[MAIN].calls[idx].invite.uri.to_string(),
        format!("sip:999@{PROVIDER}")
    );
}

#[test]
fn a_number_no_route_takes_is_not_found() {
    let mut w = office(102);
    assert_eq!(dial(&mut w, ALICE, "12345"), CallState::Failed(404));
    assert!(w.phones[MAIN].calls.is_empty());
    assert_eq!(w.records()[0].outcome, Outcome::NotFound);
}

#[test]
fn characters_other_than_digits_plus_star_hash_are_refused_with_484() {
    let mut w = office(103);
    for dialled in ["0207abc", "020%2079460000", "0207%3Bx=1", "%2B%2A%23x"] {
        assert_eq!(
            dial(&mut w, ALICE, dialled),
            CallState::Failed(484),
            "{dialled}"
        );
    }
    assert!(
        w.phones[MAIN].calls.is_empty(),
        "nothing reached the provider"
    );
    let records = w.records();
    assert_eq!(records.len(), 4);
    assert!(records.iter().all(|r| r.outcome == Outcome::NotFound));
    // Digits, + * # are fine (# escaped, as a URI user part needs).
    assert_eq!(dial(&mut w, ALICE, "0207*946%23"), CallState::Ringing);
    let idx = w.phones[MAIN].incoming(0).expect("it went out");
    let uri = &w.phones[MAIN].calls[idx].invite.uri;
    assert_eq!(uri.user_unescaped().as_deref(), Some("+44207*946#"));
}
