//! The jitter buffer behind a seeded simulated network: frames come out in order, once
//! each; the delay follows the measured jitter up and back down; losses are reported.

#[path = "support/netsim.rs"]
mod netsim;

use std::time::Duration;

use media::jitter::{JitterBuffer, JitterConfig};
use netsim::{run, run_phases, Out, Profile, Sender};

const SENDER: Sender = Sender {
    ssrc: 0x1234_5678,
    first_seq: 1000,
    first_ts: 50_000,
};
const PHASE: Duration = Duration::from_millis(7);

fn buffer() -> JitterBuffer {
    JitterBuffer::new(JitterConfig::new(8000))
}

fn jittery(jitter_ms: u64) -> Profile {
    Profile {
        base_delay: Duration::from_millis(30),
        jitter: Duration::from_millis(jitter_ms),
        loss: 0.02,
        duplicate: 0.02,
        spike_chance: 0.0,
        spike: Duration::ZERO,
        skew_ppm: 0,
    }
}

fn strictly_increasing(indices: &[u32]) -> bool {
    indices.windows(2).all(|w| w[0] < w[1])
}

#[test]
fn a_calm_lan_plays_every_frame_with_little_delay() {
    let mut jb = buffer();
    let r = run(&mut jb, SENDER, Profile::lan(), 1500, 1, PHASE);
    let played = r.played();
    assert!(strictly_increasing(&played));
    let stats = jb.stats();
    // Only frames dropped while the delay came down from its initial value are missing.
    assert_eq!(played.len() as u64 + stats.discarded, 1500);
    assert!(stats.discarded <= 3, "{stats:?}");
    assert_eq!((stats.lost, stats.late), (0, 0));
    // Nothing is concealed between the first frame and the last (after it, the stream
    // has ended and every tick is concealed).
    let first = r.outs.iter().position(|o| matches!(o, Out::Played { .. }));
    let last = r.outs.iter().rposition(|o| matches!(o, Out::Played { .. }));
    let middle = r
        .outs
        .get(first.unwrap_or(0)..=last.unwrap_or(0))
        .unwrap_or_default();
    assert!(middle.iter().all(|o| matches!(o, Out::Played { .. })));
    let delay = r.settled_delay_ms();
    assert!(delay <= 60.0, "settled delay {delay} ms");
    assert!(jb.target_delay() <= Duration::from_millis(25));
}

#[test]
fn jitter_and_reordering_come_out_in_order_once_each() {
    let mut jb = buffer();
    let r = run(&mut jb, SENDER, jittery(80), 3000, 2, PHASE);
    let played = r.played();
    assert!(strictly_increasing(&played), "out of order or repeated");
    let stats = jb.stats();
    assert!(stats.duplicates > 20, "{stats:?}");
    // The network's losses are reported as such; the last packets' fate is unknown.
    let dropped = r.dropped.len() as u64;
    assert!(
        stats.lost <= dropped && stats.lost + 2 >= dropped,
        "{stats:?} vs {dropped}"
    );
    // Nearly everything that arrived was played in time.
    let arrived = 3000 - dropped;
    assert!(
        played.len() as u64 * 100 >= arrived * 96,
        "{} of {arrived}",
        played.len()
    );
    // Every frame not played was concealed, never skipped silently.
    let lost_frames = r.outs.iter().filter(|o| **o == Out::Lost).count() as u64;
    assert!(lost_frames >= dropped.saturating_sub(stats.discarded));
}

#[test]
fn more_jitter_means_more_delay() {
    let mut calm = buffer();
    let calm_run = run(&mut calm, SENDER, jittery(10), 2000, 3, PHASE);
    let mut rough = buffer();
    let rough_run = run(&mut rough, SENDER, jittery(120), 2000, 3, PHASE);
    let (calm_delay, rough_delay) = (calm_run.settled_delay_ms(), rough_run.settled_delay_ms());
    assert!(
        rough_delay > calm_delay + 60.0,
        "{calm_delay} vs {rough_delay}"
    );
    assert!(rough.target_delay() > Duration::from_millis(90));
    assert!(calm.target_delay() < Duration::from_millis(40));
    assert!(rough.stats().jitter > calm.stats().jitter * 4);
    // The rough network still loses little to lateness.
    assert!(rough.stats().late * 100 < 2000 * 4, "{:?}", rough.stats());
}

#[test]
fn delay_comes_back_down_when_the_network_calms() {
    let mut jb = buffer();
    let r = run_phases(
        &mut jb,
        SENDER,
        |k| if k < 1000 { jittery(150) } else { jittery(5) },
        3000,
        4,
        PHASE,
    );
    assert!(strictly_increasing(&r.played()));
    let delays = r.delays();
    let during = delays[700..900].iter().sum::<u64>() / 200;
    let after = delays[delays.len() - 200..].iter().sum::<u64>() / 200;
    assert!(during > after + 80, "rough {during} ms, calm {after} ms");
}

#[test]
fn rare_spikes_do_not_hold_the_delay_high() {
    let mut jb = buffer();
    let spiky = Profile {
        spike_chance: 0.01,
        spike: Duration::from_millis(300),
        ..jittery(20)
    };
    let r = run(&mut jb, SENDER, spiky, 3000, 5, PHASE);
    assert!(strictly_increasing(&r.played()));
    let delay = r.settled_delay_ms();
    assert!(delay < 120.0, "settled delay {delay} ms");
    // The spiked packets come too late and are counted so.
    assert!(jb.stats().late > 10, "{:?}", jb.stats());
}

#[test]
fn the_same_seed_gives_the_same_playout() {
    let mut a = buffer();
    let mut b = buffer();
    let ra = run(&mut a, SENDER, jittery(60), 500, 6, PHASE);
    let rb = run(&mut b, SENDER, jittery(60), 500, 6, PHASE);
    assert_eq!(ra.outs, rb.outs);
    let rc = run(&mut buffer(), SENDER, jittery(60), 500, 7, PHASE);
    assert_ne!(ra.outs, rc.outs, "the seed changes nothing");
}

#[test]
fn clock_drift_between_the_phones_does_not_build_up_delay() {
    // 0.2 % apart: 120 ms over a minute, six frames to drop or to fill in. No loss, so
    // there are no gaps to absorb the drift for free.
    for skew_ppm in [2000, -2000] {
        let mut jb = buffer();
        let drifting = Profile {
            skew_ppm,
            loss: 0.0,
            ..jittery(30)
        };
        let r = run(&mut jb, SENDER, drifting, 3000, 8, PHASE);
        assert!(strictly_increasing(&r.played()));
        let delays = r.delays();
        let early = delays[200..400].iter().sum::<u64>() / 200;
        let late = delays[delays.len() - 200..].iter().sum::<u64>() / 200;
        assert!(
            late.abs_diff(early) < 40,
            "{skew_ppm} ppm: {early} ms then {late} ms"
        );
        let stats = jb.stats();
        let last = r.outs.iter().rposition(|o| matches!(o, Out::Played { .. }));
        let filled_in = r.outs[..last.unwrap_or(0)]
            .iter()
            .filter(|o| **o == Out::Lost)
            .count();
        if skew_ppm > 0 {
            assert!(stats.discarded >= 4, "{stats:?}");
        } else {
            assert!(filled_in >= 4, "{filled_in} {stats:?}");
        }
        assert!(stats.late < 60, "{stats:?}");
    }
}
