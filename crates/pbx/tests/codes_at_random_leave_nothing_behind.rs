//! Seeded random in-call codes: Bob (or Alice) presses `##102#`, `*2102#`, `*70` or `*1`
//! by SIP INFO, then Carol answers, rejects or ignores what rings at her, dials the park
//! slot or not, Bob may press `*` and anyone may hang up at any moment, on a clean LAN or
//! a lossy, reordering link. However it goes, once everyone has hung up (and whatever
//! rings back was refused) nothing is left: no call in the PBX, every relay closed, no
//! phone ringing or connected.

mod support;

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::net::LinkConfig;
use support::transfer_office::carol;
use support::{alice, bob, CallState, SimPhone, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;
const SCENARIOS: u64 = 80;

fn link(rng: &mut StdRng) -> LinkConfig {
    if rng.gen_bool(0.5) {
        LinkConfig {
            loss: 0.1,
            duplicate: 0.05,
            delay: Duration::from_millis(20),
            jitter: Duration::from_millis(60),
        }
    } else {
        LinkConfig::perfect(Duration::from_millis(rng.gen_range(1..30)))
    }
}

fn connect(w: &mut World) -> Option<(usize, usize)> {
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    w.run_until(Duration::from_secs(30), |w| {
        w.phones[BOB]
            .calls
            .iter()
            .any(|c| !c.outgoing && c.state == CallState::Ringing)
    });
    let incoming = w.phones[BOB].incoming(0)?;
    w.with(BOB, |p, now| p.answer(now, incoming));
    let connected = w.run_until(Duration::from_secs(40), |w| {
        w.phones[ALICE].calls[call].state == CallState::Confirmed
    });
    connected.then_some((call, incoming))
}

fn press(w: &mut World, phone: usize, idx: usize, keys: &str) {
    for key in keys.chars() {
        if w.phones[phone].calls[idx].state != CallState::Confirmed {
            return;
        }
        let body = SimPhone::dtmf_relay(key, 160);
        w.with(phone, |p, now| {
            p.info(now, idx, "application/dtmf-relay", &body)
        });
        w.run_for(Duration::from_millis(150));
    }
}

/// Runs one scenario; returns whether a code changed the call (a record says parked or
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

    if let Some((a_call, b_call)) = connect(&mut w) {
        let (who, idx) = if rng.gen_bool(0.7) {
            (BOB, b_call)
        } else {
            (ALICE, a_call)
        };
        let code = ["##102#", "*2102#", "*70", "*1", "##102"][rng.gen_range(0..5)];
        press(&mut w, who, idx, code);
        let mut plan: Vec<(u64, u8)> = (0..rng.gen_range(1..4))
            .map(|_| (rng.gen_range(0..6000), rng.gen_range(0..7)))
            .collect();
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
                2 => {
                    w.with(CAROL, |p, now| p.call(now, "*71"));
                }
                3 => press(&mut w, who, idx, "*"),
                n => hang_up_all(&mut w, usize::from(n - 4)),
            }
        }
    }
    w.run_for(Duration::from_secs(5));
    for _ in 0..2 {
        for phone in [ALICE, BOB, CAROL] {
            hang_up_all(&mut w, phone);
        }
        // Long enough for a parked call to ring back (and be refused above).
        w.run_for(Duration::from_secs(250));
    }

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
    w.records()
        .iter()
        .any(|r| r.reason.contains("parked") || r.reason.contains("transferred"))
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
fn random_codes_and_hang_ups_always_end_cleanly() {
    let acted = (0..SCENARIOS).filter(|&seed| scenario(seed)).count();
    assert!(
        acted as u64 > SCENARIOS / 4,
        "only {acted} of {SCENARIOS} scenarios got as far as a transfer or a park"
    );
}
