//! Calls through one trunk, in and out, for tests about what crosses it (codecs, DTMF,
//! caller names): Alice's phone, the provider's UA, sales.acme ringing Alice, and a UK
//! route out through the provider that Alice may use.

use std::time::Duration;

use pbx::dialplan::{Destination, Trunk};

use super::trunk_office::{provider, sales_plan, uk_route, SALES_NUMBER};
use super::{alice, CallState, World};

pub const ALICE: usize = 0;
pub const PROVIDER: usize = 1;
/// A London number as Alice dials it.
pub const DIALLED: &str = "02079460000";

/// The office with its trunk to the provider changed by `trunk` (codecs, DTMF mode…).
pub fn office(seed: u64, trunk: impl FnOnce(&mut Trunk)) -> World {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(provider(seed + 2));
    w.with(ALICE, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered));
    let mut plan = sales_plan(2, Destination::Extension("100".into()));
    if let Some(t) = plan.trunks.first_mut() {
        trunk(t);
    }
    plan.outbound_routes = vec![uk_route(vec![1])];
    plan.outbound_allowed = vec!["100".into()];
    w.install(plan);
    w
}

/// The provider calls sales.acme and Alice answers. Returns (the provider's call,
/// Alice's call).
pub fn call_in(w: &mut World) -> (usize, usize) {
    let call = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE]
            .incoming(0)
            .is_some()),
        "Alice's phone rings"
    );
    let ringing = w.phones[ALICE].incoming(0).expect("ringing");
    w.with(ALICE, |p, now| p.answer(now, ringing));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[PROVIDER].calls[call]
            .state
            == CallState::Confirmed),
        "the provider's caller is connected"
    );
    (call, ringing)
}

/// Alice dials [`DIALLED`] and the provider answers. Returns (Alice's call, the
/// provider's call).
pub fn call_out(w: &mut World) -> (usize, usize) {
    let call = w.with(ALICE, |p, now| p.call(now, DIALLED));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[PROVIDER]
            .incoming(0)
            .is_some()),
        "the provider gets the call"
    );
    let incoming = w.phones[PROVIDER].incoming(0).expect("arrived");
    w.with(PROVIDER, |p, now| p.answer(now, incoming));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].calls[call]
            .state
            == CallState::Confirmed),
        "Alice is connected"
    );
    (call, incoming)
}
