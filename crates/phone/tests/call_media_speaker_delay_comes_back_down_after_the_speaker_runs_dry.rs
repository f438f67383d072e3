//! A loaded machine serves the call loop's polls late now and then, and the speaker runs
//! dry: every gap delays all that follows. The delay must come back down to its floor
//! once the machine is quiet again, without clicks and without the shrinking itself
//! running the speaker dry. Virtual time in 1 ms steps: a G.711 call on a perfect
//! network, a speaker taking 10 ms every 10 ms from a queue the pacer feeds, polls
//! every 5 ms except during a storm of stalls.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use phone::call_media::{CallMedia, CodecSpec, Pacer};

const RATE: usize = 8_000;
const FRAME: usize = RATE / 50;
const PERIOD_MS: u64 = 10;
const RUN_MS: u64 = 12_000;
/// Stalls of 30 ms every 200 ms between 2 and 3 s.
const STORM: std::ops::Range<u64> = 2_000..3_000;

fn spec(seed: u64) -> CodecSpec {
    CodecSpec {
        encoding: "PCMU".into(),
        payload_type: 0,
        clock_rate: 8_000,
        telephone_event: None,
        ssrc_seed: seed,
    }
}

struct Run {
    /// What the speaker played, one sample per 1/8000 s from the start.
    played: Vec<i16>,
    /// Underruns counted at each millisecond.
    underruns: Vec<u64>,
    won_back: Duration,
}

/// Sends `source` (sample by sample from the start) through a call to a simulated
/// speaker and records what it plays.
fn run(source: impl Fn(usize) -> i16) -> Run {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec(1)).expect("codec");
    let mut b = CallMedia::new(&spec(2)).expect("codec");
    let mut pacer = Pacer::new();
    let mut queue: VecDeque<i16> = VecDeque::new();
    let (mut started, mut underruns) = (false, 0u64);
    let mut played = Vec::new();
    let mut counts = Vec::new();
    let mut pcm = vec![0i16; FRAME];
    for t in 1..=RUN_MS {
        let now = start + Duration::from_millis(t);
        if t % 20 == 0 {
            // The frame that ended now goes out and arrives at once.
            let first = (t as usize / 20 - 1) * FRAME;
            for (i, s) in pcm.iter_mut().enumerate() {
                *s = source(first + i);
            }
            for packet in a.send_frame(now, &pcm) {
                b.receive_rtp(now, &packet);
            }
        }
        if t % PERIOD_MS == 0 {
            let n = RATE * PERIOD_MS as usize / 1000;
            if started && queue.len() < n {
                // The device's buffer came short: played padded with silence.
                underruns += 1;
            }
            for _ in 0..n {
                match queue.pop_front() {
                    Some(s) => {
                        started = true;
                        played.push(s);
                    }
                    None => played.push(0),
                }
            }
        }
        let stalled = STORM.contains(&t) && t % 200 < 30;
        if t % 5 == 0 && !stalled {
            for _ in 0..3 {
                let queued_ms = (queue.len() * 1000 / RATE) as u32;
                if !pacer.speaker_wants(now, queued_ms, PERIOD_MS as u32, underruns) {
                    break;
                }
                b.note_speaker_queue(pacer.speaker_excess(now, queued_ms, PERIOD_MS as u32));
                queue.extend(b.next_frame(now).iter().copied());
            }
        }
        counts.push(underruns);
    }
    Run {
        played,
        underruns: counts,
        won_back: b.stats().won_back,
    }
}

const CLICK_EVERY: usize = RATE * 3 / 10;

/// 5 ms of 1 kHz every 300 ms.
fn clicks(i: usize) -> i16 {
    let at = i % CLICK_EVERY;
    if at < RATE / 200 {
        ((at as f64 / RATE as f64 * 1000.0 * std::f64::consts::TAU).sin() * 16_000.0) as i16
    } else {
        0
    }
}

/// (when in ms, delay in ms) of each click heard.
fn click_delays(played: &[i16]) -> Vec<(u64, f64)> {
    let mut quiet = RATE;
    let mut found = Vec::new();
    for (i, s) in played.iter().enumerate() {
        if s.unsigned_abs() > 3000 {
            if quiet >= RATE / 10 {
                let delay = (i % CLICK_EVERY) as f64 * 1000.0 / RATE as f64;
                found.push(((i * 1000 / RATE) as u64, delay));
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    found
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

#[test]
fn the_added_delay_returns_to_its_floor_within_seconds_after_an_underrun_storm() {
    let r = run(clicks);
    let delays = click_delays(&r.played);
    let within = |from: u64, to: u64| -> Vec<f64> {
        delays
            .iter()
            .filter(|(at, _)| (from..to).contains(at))
            .map(|&(_, d)| d)
            .collect()
    };
    let floor = median(within(1_000, 2_000));
    let storm = within(STORM.start, STORM.end + 500);
    let worst = storm.iter().copied().fold(0.0, f64::max);
    assert!(
        worst > floor + 15.0,
        "the storm must delay the speaker to test anything: {floor} ms, then {worst} ms"
    );
    assert!(
        delays.iter().all(|&(_, d)| d < floor + 150.0),
        "delay grew without bound: {delays:?}"
    );
    // Within a few seconds of the storm (the speaker's cushion is kept 4 s after the
    // last gap), the delay is back within a few ms of where it was.
    let after = within(STORM.end + 6_000, RUN_MS);
    assert!(after.len() >= 8, "{after:?}");
    for d in &after {
        assert!(
            (d - floor).abs() <= 3.0,
            "floor {floor} ms, after the storm {after:?} (all: {delays:?})"
        );
    }
    assert!(r.won_back > Duration::ZERO);
    // The shrinking runs no speaker dry: no underrun once the storm is over.
    let at_storm_end = r.underruns[(STORM.end + 100) as usize];
    assert!(r.underruns[(STORM.start - 1) as usize] < at_storm_end);
    assert_eq!(r.underruns.last().copied(), Some(at_storm_end));
}

#[test]
fn a_tone_keeps_its_pitch_and_has_no_clicks_while_the_delay_is_won_back() {
    // 440 Hz: not a whole number of samples per period at 8 kHz.
    let hz = 440.0;
    let tone =
        |i: usize| ((i as f64 * hz / RATE as f64 * std::f64::consts::TAU).sin() * 12_000.0) as i16;
    let r = run(tone);
    assert!(r.won_back >= Duration::from_millis(15), "{:?}", r.won_back);
    // From after the storm's last gap to the end: no jump larger than the tone's own
    // steepest step (with room for G.711's quantization).
    let from = (STORM.end as usize + 100) * RATE / 1000;
    let heard = r.played.get(from..).unwrap_or_default();
    let steepest = hz * std::f64::consts::TAU / RATE as f64 * 12_000.0;
    let jump = heard
        .windows(2)
        .map(|w| (f64::from(w[1]) - f64::from(w[0])).abs())
        .fold(0.0, f64::max);
    assert!(
        jump <= steepest * 1.1,
        "jump {jump}, tone's steepest {steepest}"
    );
    // Same pitch: zero crossings per second of what was heard.
    let crossings = heard
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count() as f64;
    let seconds = heard.len() as f64 / RATE as f64;
    let measured = crossings / seconds / 2.0;
    assert!(
        (measured - hz).abs() < hz * 0.01,
        "{measured} Hz heard for {hz} Hz"
    );
}
