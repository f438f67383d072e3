//! Seeded random transfers: Bob (or Alice) transfers blind to Carol or to a number that
//! does not exist, or Bob consults Carol and transfers attended — before or after she
//! answers — while Carol answers, rejects or ignores and anyone may hang up at any
//! moment, on a clean LAN or a lossy, reordering link. However it goes, once everyone
//! has hung up nothing is left: no call in the PBX, every relay closed, no phone ringing
//! or connected.

mod support;

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::net::LinkConfig;
use support::transfer_office::carol;
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;
const SCENARIOS: u64 = 120;

fn link(rng: &mut StdRng) -> LinkConfig {
    if rng.gen_bool(0.5) {
        LinkConfig {
            loss: 0.15,
            duplicate: 0.05,
            delay: Duration::from_millis(20),
            jitter: Duration::from_millis(100),
        }
    } else {
        LinkConfig::perfect(Duration::from_millis(rng.gen_range(1..30)))
    }
}

/// `from` calls `number`; `to` answers once it rings. The two call indexes, if it
/// connected.
fn try_connect(w: &mut World, from: usize, number: &str, to: usize) -> Option<(usize, usize)> {
    let before = w.phones[to].calls.iter().filter(|c| !c.outgoing).count();
    let call = w.with(from, |p, now| p.call(now, number));
    w.run_until(Duration::from_secs(30), |w| {
        w.phones[to]
            .calls
            .iter()
            .filter(|c| !c.outgoing && c.state == CallState::Ringing)
            .count()
            > 0
    });
    let incoming = w.phones[to].incoming(before)?;
    w.with(to, |p, now| p.answer(now, incoming));
    let connected = w.run_until(Duration::from_secs(40), |w| {
        w.phones[from].calls[call].state == CallState::Confirmed
    });
    connected.then_some((call, incoming))
}

/// Runs one scenario; returns whether a transfer was carried out (a call record says
/// transferred).
fn scenario(seed: u64) -> bool {
    let mut rng = StdRng::seed_from_u64(seed);
    let link = link(&mut rng);
    let mut w = World::new(seed, link);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.add(carol(seed + 3));
    w.register_all();
    let ctx = format!("seed {seed} ({link:?})");

    if let Some((a_call, b_call)) = try_connect(&mut w, ALICE, "101", BOB) {
        match rng.gen_range(0..4u8) {
            0 => w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[])),
            1 => w.with(ALICE, |p, now| {
                p.refer(now, a_call, "<sip:102@office>", &[])
            }),
            2 => w.with(BOB, |p, now| p.refer(now, b_call, "<sip:555@office>", &[])),
            _ => {
                // Consult Carol; refer once she answered, or while she still rings.
                let second = w.with(BOB, |p, now| p.call(now, "102"));
                w.run_for(Duration::from_millis(rng.gen_range(100..1500)));
                if rng.gen_bool(0.5) {
                    if let Some(i) = w.phones[CAROL].incoming(0) {
                        if w.phones[CAROL].calls[i].state == CallState::Ringing {
                            w.with(CAROL, |p, now| p.answer(now, i));
                        }
                    }
                    w.run_for(Duration::from_millis(rng.gen_range(50..1500)));
                }
                let c = &w.phones[BOB].calls[second];
                let dialog = match c.state {
                    CallState::Confirmed => Some(w.phones[BOB].replaces_value(second)),
                    CallState::Ringing => c
                        .invite_responses
                        .iter()
                        .find_map(|r| r.to()?.tag().map(str::to_owned))
                        .map(|tag| format!("{};to-tag={tag};from-tag={}", c.call_id, c.local_tag)),
                    _ => None,
                };
                if let Some(value) = dialog {
                    let escaped = value.replace(';', "%3B").replace('=', "%3D");
                    let refer_to = format!("<sip:102@office?Replaces={escaped}>");
                    w.with(BOB, |p, now| p.refer(now, b_call, &refer_to, &[]));
                }
            }
        }
        // Carol answers, rejects or ignores whatever rings at her; someone may hang up.
        let mut plan: Vec<(u64, u8)> = Vec::new();
        if rng.gen_bool(0.8) {
            plan.push((rng.gen_range(0..2000), rng.gen_range(0..2)));
        }
        if rng.gen_bool(0.4) {
            plan.push((rng.gen_range(0..2000), rng.gen_range(2..5)));
        }
        plan.sort_by_key(|(ms, _)| *ms);
        let start = w.now;
        for (ms, what) in plan {
            let at = start + Duration::from_millis(ms);
            if at > w.now {
                w.run_for(at - w.now);
            }
            match what {
                0 | 1 => {
                    let ringing: Vec<usize> = (0..w.phones[CAROL].calls.len())
                        .filter(|&i| w.phones[CAROL].calls[i].state == CallState::Ringing)
                        .collect();
                    for i in ringing {
                        if what == 0 {
                            w.with(CAROL, |p, now| p.answer(now, i));
                        } else {
                            w.with(CAROL, |p, now| p.reject(now, i, 486));
                        }
                    }
                }
                who => hang_up_all(&mut w, usize::from(who - 2)),
            }
        }
    }
    w.run_for(Duration::from_secs(5));
    for phone in [ALICE, BOB, CAROL] {
        hang_up_all(&mut w, phone);
    }
    w.run_for(Duration::from_secs(100));

    assert_eq!(w.pbx.call_count(), 0, "{ctx}: no call left in the PBX");
    assert!(w.relays_all_closed(), "{ctx}: every relay closed");
    for (n, phone) in w.phones.iter().enumerate() {
        for c in &phone.calls {
            assert!(
                !matches!(c.state, CallState::Ringing | CallState::Confirmed),
                "{ctx}: phone {n} left {:?}",
                c.state
            );
        }
    }
    w.records().iter().any(|r| r.reason.contains("transferred"))
}

fn hang_up_all(w: &mut World, phone: usize) {
    for i in 0..w.phones[phone].calls.len() {
        match w.phones[phone].calls[i].state {
            CallState::Confirmed => w.with(phone, |p, now| p.hang_up(now, i)),
            CallState::Calling | CallState::Ringing if w.phones[phone].calls[i].outgoing => {
                w.with(phone, |p, now| {
                    p.cancel(now, i);
                });
            }
            CallState::Ringing => w.with(phone, |p, now| p.reject(now, i, 603)),
            _ => {}
        }
    }
}

#[test]
fn random_transfers_and_hang_ups_always_end_cleanly() {
    let transferred = (0..SCENARIOS).filter(|&seed| scenario(seed)).count();
    assert!(
        transferred as u64 > SCENARIOS / 3,
        "only {transferred} of {SCENARIOS} scenarios got as far as a transfer"
    );
}
