//! Seeded random scenarios: Bob's two devices answer, reject or ignore a call at random
//! moments while Alice may hang up during ringing; once connected, either side may
//! re-INVITE or hang up; all on a clean LAN or on a lossy, reordering link. Whatever the
//! order, the call must end cleanly: nothing left in the PBX, one record that agrees with
//! what Alice saw, the relay closed, and no phone left ringing or connected.

mod support;

use std::time::Duration;

use media::sdp::Direction;
use pbx::Outcome;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::net::LinkConfig;
use support::{alice, bob, bob_softphone, CallState, World};

const ALICE: usize = 0;
const DEVICES: [usize; 2] = [1, 2];
const SCENARIOS: u64 = 200;

fn link(rng: &mut StdRng) -> LinkConfig {
    if rng.gen_bool(0.5) {
        LinkConfig {
            loss: 0.2,
            duplicate: 0.05,
            delay: Duration::from_millis(20),
            jitter: Duration::from_millis(150),
        }
    } else {
        LinkConfig::perfect(Duration::from_millis(rng.gen_range(1..40)))
    }
}

/// Runs `act` for each `(ms, what)` at that many milliseconds from now, in order.
fn play<T: Copy>(w: &mut World, mut plan: Vec<(u64, T)>, mut act: impl FnMut(&mut World, T)) {
    plan.sort_by_key(|(ms, _)| *ms);
    let start = w.now;
    for (ms, what) in plan {
        let at = start + Duration::from_millis(ms);
        if at > w.now {
            w.run_for(at - w.now);
        }
        act(w, what);
    }
}

fn scenario(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let link = link(&mut rng);
    let mut w = World::new(seed, link);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.add(bob_softphone(seed + 3));
    w.register_all();
    w.phones[ALICE].delayed_offer = rng.gen_bool(0.3);
    let ctx = format!("seed {seed} ({link:?})");

    // Ringing: each device answers (0), rejects (1) or ignores; Alice may hang up (2).
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    w.run_until(Duration::from_secs(40), |w| {
        DEVICES.iter().all(|&d| w.phones[d].incoming(0).is_some())
    });
    let mut plan = Vec::new();
    for d in DEVICES {
        if rng.gen_bool(0.8) {
            plan.push((rng.gen_range(0..300), (d, rng.gen_range(0..2u8))));
        }
    }
    if rng.gen_bool(0.5) {
        plan.push((rng.gen_range(0..300), (ALICE, 2)));
    }
    play(&mut w, plan, |w, (who, what)| match what {
        2 => {
            w.with(who, |p, now| p.cancel(now, call));
        }
        _ => {
            let Some(i) = w.phones[who].incoming(0) else {
                return;
            };
            if w.phones[who].calls[i].state != CallState::Ringing {
                return;
            }
            if what == 0 {
                w.with(who, |p, now| p.answer(now, i));
            } else {
                w.with(who, |p, now| p.reject(now, i, 486));
            }
        }
    });
    w.run_until(Duration::from_secs(70), |w| {
        !matches!(
            w.phones[ALICE].calls[call].state,
            CallState::Calling | CallState::Ringing
        )
    });

    // Connected: Alice (0) or the device that answered (1) re-INVITEs, or it hangs up (2).
    if w.phones[ALICE].calls[call].state == CallState::Confirmed {
        let winner = DEVICES.into_iter().find_map(|d| {
            let i = w.phones[d].incoming(0)?;
            (w.phones[d].calls[i].state == CallState::Confirmed).then_some((d, i))
        });
        let plan = (0..rng.gen_range(0..4))
            .map(|_| (rng.gen_range(0..300), rng.gen_range(0..3u8)))
            .collect();
        play(&mut w, plan, |w, what| {
            let (who, idx) = match (what, winner) {
                (0, _) => (ALICE, call),
                (_, Some(winner)) => winner,
                _ => return,
            };
            if w.phones[who].calls[idx].state != CallState::Confirmed {
                return;
            }
            if what == 2 {
                w.with(who, |p, now| p.hang_up(now, idx));
            } else {
                let media = w.phones[who].media;
                w.with(who, |p, now| {
                    p.reinvite(now, idx, Direction::SendOnly, media)
                });
            }
        });
        w.run_for(Duration::from_secs(2));
        if w.phones[ALICE].calls[call].state == CallState::Confirmed {
            w.with(ALICE, |p, now| p.hang_up(now, call));
        }
    }
    w.run_for(Duration::from_secs(100));

    assert_eq!(w.pbx.call_count(), 0, "{ctx}: no call left in the PBX");
    assert!(w.relays_all_closed(), "{ctx}: relay closed");
    let records = w.records();
    assert_eq!(records.len(), 1, "{ctx}: one record");
    let a = &w.phones[ALICE].calls[call];
    assert!(a.ok_count() <= 1, "{ctx}: at most one answer");
    let expected = match (a.ok_count(), a.final_status()) {
        (1, _) => Outcome::Answered,
        (_, Some(487)) => Outcome::Cancelled,
        (_, Some(486)) => Outcome::Busy,
        (_, Some(480)) => Outcome::NoAnswer,
        other => panic!("{ctx}: Alice ended with {other:?}"),
    };
    assert_eq!(records[0].outcome, expected, "{ctx}");
    assert!(
        matches!(
            a.state,
            CallState::Failed(_) | CallState::HungUp | CallState::RemoteHungUp
        ),
        "{ctx}: Alice left {:?}",
        a.state
    );
    for d in DEVICES {
        for c in &w.phones[d].calls {
            assert!(
                !matches!(c.state, CallState::Ringing | CallState::Confirmed),
                "{ctx}: device {d} left {:?}",
                c.state
            );
        }
    }
}

#[test]
fn random_answers_cancels_holds_and_hang_ups_always_end_cleanly() {
    for seed in 0..SCENARIOS {
        scenario(seed);
    }
}
