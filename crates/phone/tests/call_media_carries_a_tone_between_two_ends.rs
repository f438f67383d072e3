//! A tone sent into one call media end comes out of the other, through a mildly lossy
//! and jittery network, both ways at once, for each codec.

mod call_media_sim;

use std::time::Instant;

use call_media_sim::{spec, Network, Sine, TICK};
use media::tone::detect_tone;
use phone::call_media::CallMedia;

fn tone_both_ways(encoding: &str, pt: u8, clock: u32) {
    let start = Instant::now();
    let mut a = CallMedia::new(&spec(encoding, pt, clock, 1)).expect("codec");
    let mut b = CallMedia::new(&spec(encoding, pt, clock, 2)).expect("codec");
    let rate = a.sample_rate();
    let mut a_to_b = Network::new(11, start, 0.02, 30, 10);
    let mut b_to_a = Network::new(12, start, 0.02, 30, 10);
    let (mut tone_a, mut tone_b) = (Sine::new(700.0, rate), Sine::new(1300.0, rate));
    let (mut heard_by_a, mut heard_by_b) = (Vec::new(), Vec::new());
    for i in 0..250u32 {
        let now = start + TICK * i;
        for p in a.send_frame(now, &tone_a.frame(a.frame_samples())) {
            a_to_b.send(now, p);
        }
        for p in b.send_frame(now, &tone_b.frame(b.frame_samples())) {
            b_to_a.send(now, p);
        }
        for (at, p) in a_to_b.deliver(now) {
            b.receive_rtp(at, &p);
        }
        for (at, p) in b_to_a.deliver(now) {
            a.receive_rtp(at, &p);
        }
        let (pa, pb) = (a.next_frame(now).to_vec(), b.next_frame(now).to_vec());
        assert_eq!(pa.len(), a.frame_samples());
        assert_eq!(pb.len(), b.frame_samples());
        if i >= 200 {
            heard_by_a.extend(pa);
            heard_by_b.extend(pb);
        }
    }
    let b_hears_700 = detect_tone(&heard_by_b, rate, 700.0);
    let a_hears_1300 = detect_tone(&heard_by_a, rate, 1300.0);
    assert!(
        b_hears_700 > 0.5,
        "{encoding}: far end hears 700 Hz at {b_hears_700}"
    );
    assert!(
        a_hears_1300 > 0.5,
        "{encoding}: near end hears 1300 Hz at {a_hears_1300}"
    );
    assert!(
        detect_tone(&heard_by_b, rate, 1300.0) < 0.05,
        "{encoding}: no echo"
    );
    assert!(
        detect_tone(&heard_by_a, rate, 700.0) < 0.05,
        "{encoding}: no echo"
    );
    let stats = b.stats();
    assert!(
        stats.packets_received > 200 && stats.packets_sent > 200,
        "{stats:?}"
    );
    assert!(stats.lost > 0, "the network lost packets: {stats:?}");
}

#[test]
fn pcmu_carries_a_tone_both_ways() {
    tone_both_ways("PCMU", 0, 8000);
}

#[test]
fn pcma_carries_a_tone_both_ways() {
    tone_both_ways("PCMA", 8, 8000);
}

#[test]
fn g722_carries_a_tone_both_ways() {
    tone_both_ways("G722", 9, 8000);
}

#[test]
fn opus_carries_a_tone_both_ways() {
    tone_both_ways("opus", 111, 48_000);
}
