//! `decode(None)` repeats the last frame, fading to silence over a few frames.

use media::codec::{ulaw_encode, Codec, Pcmu};

fn energy(samples: &[i16]) -> f64 {
    samples.iter().map(|s| f64::from(*s).powi(2)).sum()
}

#[test]
fn lost_frames_fade_from_the_last_frame_to_silence() {
    let mut codec = Pcmu::new();
    let frame: Vec<u8> = (0..160)
        .map(|i| ulaw_encode(if i % 2 == 0 { 8000 } else { -8000 }))
        .collect();
    let mut good = Vec::new();
    codec.decode(Some(&frame), &mut good);

    let mut energies = Vec::new();
    for _ in 0..5 {
        let mut out = Vec::new();
        codec.decode(None, &mut out);
        assert_eq!(out.len(), good.len(), "concealment keeps the frame length");
        energies.push(energy(&out));
    }
    assert!(energies[0] > 0.0 && energies[0] < energy(&good));
    assert!(energies.windows(2).all(|w| w[1] <= w[0]), "{energies:?}");
    assert_eq!(*energies.last().unwrap_or(&1.0), 0.0);
    // The first concealed sample continues from the good frame with no jump in level.
    let mut first = Vec::new();
    let mut again = Pcmu::new();
    again.decode(Some(&frame), &mut Vec::new());
    again.decode(None, &mut first);
    assert_eq!(first[0], good[0]);
}

#[test]
fn a_good_frame_after_loss_plays_at_full_level() {
    let mut codec = Pcmu::new();
    let frame = vec![ulaw_encode(4000); 160];
    codec.decode(Some(&frame), &mut Vec::new());
    for _ in 0..4 {
        codec.decode(None, &mut Vec::new());
    }
    let mut out = Vec::new();
    codec.decode(Some(&frame), &mut out);
    let mut concealed = Vec::new();
    codec.decode(None, &mut concealed);
    assert_eq!(concealed[0], out[0]);
}

#[test]
fn loss_before_any_packet_is_a_frame_of_silence() {
    let mut out = Vec::new();
    Pcmu::new().decode(None, &mut out);
    assert_eq!(out.len(), 160);
    assert!(out.iter().all(|s| *s == 0));
}
