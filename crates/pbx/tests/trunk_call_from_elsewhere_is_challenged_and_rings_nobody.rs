//! Only the trunk's own address skips authentication. The same INVITE from any other
//! address gets the ordinary digest challenge, exactly what an unknown phone gets, and
//! reaches no destination.

mod support;

use std::time::Duration;

use pbx::dialplan::Destination;
use support::trunk_office::{sales_plan, SALES_NUMBER};
use support::{alice, CallState, SimPhone, World, REALM};

const ALICE: usize = 0;
const STRANGER: usize = 1;

#[test]
fn an_invite_from_a_non_trunk_address_is_challenged_and_rings_nobody() {
    let mut w = World::lan(70);
    w.add(alice(71));
    let mut stranger = SimPhone::new(
        "+447700900123",
        "",
        "198.51.100.66:5060",
        "198.51.100.66:30000",
        72,
    );
    stranger.display_name = Some("Jane Doe".into());
    stranger.auto_auth = false;
    w.add(stranger);
    w.with(ALICE, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered));
    w.install(sales_plan(2, Destination::Extension("100".into())));

    let call = w.with(STRANGER, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(5));
    let c = &w.phones[STRANGER].calls[call];
    assert_eq!(c.state, CallState::Failed(401));
    let challenge = c.invite_responses.last().expect("a 401");
    let realm =
        sip::auth::Challenge::first_supported(challenge.headers.get_all("WWW-Authenticate"))
            .map(|c| c.realm);
    assert_eq!(
        realm.as_deref(),
        Some(REALM),
        "the office's usual challenge"
    );
    assert!(w.phones[ALICE].calls.is_empty(), "Alice's phone never rang");
    assert!(w.records().is_empty(), "no record for an unknown caller");
    assert_eq!(w.lines_in_use(1), 0);
    assert!(w.relays_allocated().is_empty());
}
