//! On a busy machine the call loop's 20 ms tick is sometimes served late, then made up.
//! The speaker plays on its own clock all the same, so playout must not read a late tick
//! as a jitter buffer running behind: dropping a frame to catch up, then holding one
//! back, is two jumps in what is heard where the network lost nothing.

mod call_media_sim;

use std::time::{Duration, Instant};

use call_media_sim::{run_one_way_late, spec, Network, Rng, Sine, TICK};
use phone::call_media::CallMedia;

/// One tick in five served up to 30 ms late.
fn busy(seed: u64) -> impl FnMut(u32) -> Duration {
    let mut rng = Rng::new(seed);
    move |_| {
        if rng.unit() < 0.2 {
            Duration::from_secs_f64(rng.unit() * 0.030)
        } else {
            Duration::ZERO
        }
    }
}

#[test]
fn late_ticks_on_a_jittery_network_cost_no_frame() {
    for (encoding, pt, rate, audio) in [("opus", 111, 48_000, 16_000), ("PCMU", 0, 8000, 8000)] {
        let start = Instant::now();
        let mut a = CallMedia::new(&spec(encoding, pt, rate, 7)).expect("codec");
        let mut b = CallMedia::new(&spec(encoding, pt, rate, 8)).expect("codec");
        let mut net = Network::new(31, start, 0.0, 20, 30);
        let ticks = run_one_way_late(
            &mut a,
            &mut b,
            &mut net,
            start,
            1500,
            &mut Sine::new(600.0, audio),
            &mut busy(5),
        );
        let stats = b.stats();
        // Only the frames between the start-up delay (60 ms) and the measured one
        // (about 30 ms here) go, once, as the buffer settles.
        assert!(stats.discarded <= 2, "{encoding}: {stats:?}");
        let concealed = ticks.iter().filter(|t| t.concealed).count();
        assert_eq!(concealed, 0, "{encoding}: {stats:?}");
        assert_eq!(stats.late, 0, "{encoding}: {stats:?}");
    }
}

#[test]
fn after_a_real_stall_playout_follows_the_callers_clock_again() {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec("opus", 111, 48_000, 7)).expect("codec");
    let mut b = CallMedia::new(&spec("opus", 111, 48_000, 8)).expect("codec");
    let mut net = Network::new(31, start, 0.0, 20, 0);
    let mut sine = Sine::new(600.0, 16_000);
    // Ticks 200..225 are all served at once, 500 ms late (the machine slept); the
    // sender went on meanwhile.
    let ticks = run_one_way_late(&mut a, &mut b, &mut net, start, 400, &mut sine, &mut |i| {
        if (200..225).contains(&i) {
            TICK * (225 - i)
        } else {
            Duration::ZERO
        }
    });
    let stats = b.stats();
    assert!(stats.target_delay < Duration::from_millis(100), "{stats:?}");
    // Well after the stall every frame is played from its packet again.
    assert!(ticks.iter().skip(260).all(|t| !t.concealed), "{stats:?}");
}
