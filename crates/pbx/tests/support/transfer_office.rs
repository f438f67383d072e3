//! The office for transfer and pickup tests: Alice, Bob and Carol each with a desk
//! phone, and a helper that connects a call between two of them.

use std::time::Duration;

use super::{CallState, SimPhone, World};

/// Carol's desk phone (extension 102).
pub fn carol(seed: u64) -> SimPhone {
    SimPhone::new(
        "102",
        "carol-secret",
        "192.168.1.40:5060",
        "192.168.1.40:4300",
        seed,
    )
}

/// Phone `from` dials `number`, phone `to` answers; returns the call's index on each.
pub fn connect(w: &mut World, from: usize, number: &str, to: usize) -> (usize, usize) {
    let before = incoming_count(&w.phones[to]);
    let call = w.with(from, |p, now| p.call(now, number));
    assert!(
        w.run_until(Duration::from_secs(5), |w| incoming_count(&w.phones[to])
            > before),
        "phone {to} rings"
    );
    let incoming = w.phones[to].incoming(before).expect("incoming call");
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[to].calls[incoming]
            .state
            == CallState::Ringing),
        "phone {to} rings"
    );
    w.with(to, |p, now| p.answer(now, incoming));
    assert!(
        w.run_until(Duration::from_secs(5), |w| {
            w.phones[from].calls[call].state == CallState::Confirmed
                && w.phones[to].calls[incoming].acks_received > 0
        }),
        "the call is connected"
    );
    (call, incoming)
}

fn incoming_count(p: &SimPhone) -> usize {
    p.calls.iter().filter(|c| !c.outgoing).count()
}

/// Alice (phone 0), Bob (1) and Carol (2), registered.
pub fn office(seed: u64) -> World {
    let mut w = World::lan(seed);
    w.add(super::alice(seed + 1));
    w.add(super::bob(seed + 2));
    w.add(carol(seed + 3));
    w.register_all();
    w
}
