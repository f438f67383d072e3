//! Under loss with jitter, a lost Opus packet must cost one frame rebuilt from the next
//! packet's FEC, no more: not a frame of concealment inserted to grow the delay and
//! a good frame dropped later to win it back. And a packet that comes after the
//! jitter buffer gave its frame up, but before that frame is decoded (playout runs a
//! frame behind once losses are seen), is played as it is rather than concealed.

mod call_media_sim;

use std::time::{Duration, Instant};

use call_media_sim::{run_one_way, spec, Network, Sine};
use phone::call_media::CallMedia;

#[test]
fn ten_percent_loss_costs_one_rebuilt_frame_per_loss_and_no_dropped_frames() {
    for seed in [1, 2] {
        let start = Instant::now();
        let mut a = CallMedia::new(&spec("opus", 111, 48_000, 7)).expect("codec");
        let mut b = CallMedia::new(&spec("opus", 111, 48_000, 8)).expect("codec");
        let mut net = Network::new(seed, start, 0.10, 20, 30);
        run_one_way(
            &mut a,
            &mut b,
            &mut net,
            start,
            1500,
            &mut Sine::new(600.0, 16_000),
        );
        let stats = b.stats();
        assert!(stats.lost >= 100, "too few losses to judge: {stats:?}");
        // Frames dropped to bring the delay down: only the start-up delay's.
        assert!(stats.discarded <= 3, "seed {seed}: {stats:?}");
        // Every frame played from anything but its own packet is one lost or late
        // packet: nothing inserted (but the tick the one-frame hold starts on).
        assert!(
            stats.concealed_frames <= stats.lost + stats.late + 1,
            "seed {seed}: {stats:?}"
        );
        // Single losses (nine in ten at 10 %) are rebuilt from FEC.
        assert!(
            stats.fec_recovered * 10 >= stats.lost * 7,
            "seed {seed}: {stats:?}"
        );
    }
}

#[test]
fn a_packet_later_than_the_jitter_buffer_but_in_time_for_its_frame_is_played() {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec("opus", 111, 48_000, 7)).expect("codec");
    let mut b = CallMedia::new(&spec("opus", 111, 48_000, 8)).expect("codec");
    // One packet in fifty comes 25 ms after the others, too rare for the buffer's
    // delay to cover: the buffer gives its frame up.
    let mut net = Network::new(3, start, 0.03, 20, 2);
    net.straggler = Some((50, Duration::from_millis(25)));
    run_one_way(
        &mut a,
        &mut b,
        &mut net,
        start,
        1500,
        &mut Sine::new(600.0, 16_000),
    );
    let stats = b.stats();
    assert!(stats.late > 0, "nothing came late: {stats:?}");
    assert!(stats.late_played > 0, "{stats:?}");
    assert!(stats.late_played <= stats.late, "{stats:?}");
}
