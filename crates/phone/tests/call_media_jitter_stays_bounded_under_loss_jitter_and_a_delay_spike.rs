//! Under 10 % loss and 30 ms of jitter (which reorders packets) the receiving end's
//! jitter buffer keeps a bounded delay, conceals about what was lost without runs of
//! underruns, and still plays the tone; after a delay spike it settles back.

mod call_media_sim;

use std::time::{Duration, Instant};

use call_media_sim::{joined, run_one_way, spec, Network, Sine, Spike, Tick};
use media::tone::detect_tone;
use phone::call_media::CallMedia;

/// Ticks whose frames were concealed, in the longest unbroken run among `ticks`.
fn longest_concealed_run(ticks: &[Tick]) -> usize {
    let (mut longest, mut run) = (0, 0);
    for tick in ticks {
        run = if tick.concealed { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn lossy_jittery(encoding: &str, pt: u8, clock: u32) {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec(encoding, pt, clock, 3)).expect("codec");
    let mut b = CallMedia::new(&spec(encoding, pt, clock, 4)).expect("codec");
    let rate = a.sample_rate();
    let mut net = Network::new(21, start, 0.10, 40, 30);
    let ticks = run_one_way(
        &mut a,
        &mut b,
        &mut net,
        start,
        3000,
        &mut Sine::new(1000.0, rate),
    );
    assert!(net.reordered > 0, "the jitter reorders packets");

    let settled = &ticks[100..];
    let max_delay = settled
        .iter()
        .map(|t| t.target_delay)
        .max()
        .unwrap_or_default();
    assert!(
        max_delay <= Duration::from_millis(200),
        "{encoding}: target delay reached {max_delay:?}"
    );
    let concealed = settled.iter().filter(|t| t.concealed).count();
    let share = concealed as f64 / settled.len() as f64;
    assert!(share < 0.16, "{encoding}: {share:.3} of frames concealed");
    let run = longest_concealed_run(settled);
    assert!(run <= 4, "{encoding}: {run} frames in a row concealed");

    let stats = b.stats();
    let lost_share = stats.lost as f64 / 3000.0;
    assert!(
        (0.07..0.13).contains(&lost_share),
        "{encoding}: loss counted {lost_share:.3}: {stats:?}"
    );
    assert!(stats.jitter > Duration::from_millis(2), "{stats:?}");
    assert!(stats.concealed_frames >= stats.lost / 2, "{stats:?}");
    let heard = detect_tone(&joined(&ticks, 2900), rate, 1000.0);
    assert!(heard > 0.5, "{encoding}: tone heard at {heard}");
}

#[test]
fn pcmu_under_ten_percent_loss_and_thirty_ms_jitter() {
    lossy_jittery("PCMU", 0, 8000);
}

#[test]
fn opus_under_ten_percent_loss_and_thirty_ms_jitter_rebuilds_from_fec() {
    lossy_jittery("opus", 111, 48_000);
}

#[test]
fn opus_losses_are_partly_rebuilt_from_the_next_packets_fec() {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec("opus", 111, 48_000, 5)).expect("codec");
    let mut b = CallMedia::new(&spec("opus", 111, 48_000, 6)).expect("codec");
    let mut net = Network::new(22, start, 0.10, 40, 30);
    run_one_way(
        &mut a,
        &mut b,
        &mut net,
        start,
        1500,
        &mut Sine::new(600.0, 16_000),
    );
    let stats = b.stats();
    assert!(stats.fec_recovered > 0, "{stats:?}");
    assert!(stats.fec_recovered <= stats.concealed_frames, "{stats:?}");
}

#[test]
fn after_a_delay_spike_the_delay_settles_and_the_tone_plays_on() {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec("PCMU", 0, 8000, 7)).expect("codec");
    let mut b = CallMedia::new(&spec("PCMU", 0, 8000, 8)).expect("codec");
    let mut net = Network::new(23, start, 0.02, 40, 10);
    net.spike = Some(Spike {
        from: Duration::from_secs(10),
        to: Duration::from_millis(10_500),
        extra: Duration::from_millis(300),
    });
    let ticks = run_one_way(
        &mut a,
        &mut b,
        &mut net,
        start,
        2000,
        &mut Sine::new(1000.0, 8000),
    );
    let peak = ticks
        .iter()
        .map(|t| t.target_delay)
        .max()
        .unwrap_or_default();
    let end = ticks.last().map(|t| t.target_delay).unwrap_or_default();
    assert!(peak <= Duration::from_millis(500), "delay capped: {peak:?}");
    assert!(
        end <= Duration::from_millis(150),
        "delay settled to {end:?}"
    );
    let after = &ticks[1000..];
    assert!(
        longest_concealed_run(after) <= 4,
        "no underrun storm after the spike"
    );
    let heard = detect_tone(&joined(&ticks, 1900), 8000, 1000.0);
    assert!(heard > 0.5, "tone heard at {heard}");
}
