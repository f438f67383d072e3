//! Whatever order and timing the two sides' frames come in, every sample in the file is
//! silence or a sample that side sent for exactly that position, both channels are the
//! same length, and the file ends where the last audio ended.

use std::io::Cursor;
use std::time::Instant;

use media::recorder::{CallRecorder, Side};
use proptest::prelude::*;

const RATE: u32 = 8000;

fn channels(bytes: Vec<u8>) -> (Vec<i16>, Vec<i16>) {
    let mut reader = hound::WavReader::new(Cursor::new(bytes)).expect("valid wav");
    let all: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
    assert_eq!(all.len() % 2, 0);
    let left = all.iter().step_by(2).copied().collect();
    let right = all.iter().skip(1).step_by(2).copied().collect();
    (left, right)
}

/// The sample a push puts at `position`: unique per side and position, never zero.
fn marker(side: usize, position: u64) -> i16 {
    (1 + (position % 16_000) as i16) * if side == 0 { 1 } else { -1 }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn samples_land_where_they_were_sent(
        pushes in proptest::collection::vec((0usize..2, 0u64..40_000, 0usize..1200), 0..60)
    ) {
        let mut file = Cursor::new(Vec::new());
        let mut recorder = CallRecorder::new(&mut file, RATE, Instant::now()).unwrap();
        let mut end = 0u64;
        for &(side, position, len) in &pushes {
            let samples: Vec<i16> = (0..len as u64).map(|i| marker(side, position + i)).collect();
            let side_name = if side == 0 { Side::Caller } else { Side::Callee };
            recorder.push(side_name, position, &samples).unwrap();
            if len > 0 {
                end = end.max(position + len as u64);
            }
        }
        recorder.finish().unwrap();
        let (left, right) = channels(file.into_inner());
        prop_assert_eq!(left.len() as u64, end);
        prop_assert_eq!(right.len() as u64, end);
        for (side, channel) in [(0usize, &left), (1, &right)] {
            for (position, &sample) in channel.iter().enumerate() {
                let position = position as u64;
                if sample != 0 {
                    prop_assert_eq!(sample, marker(side, position));
                    let sent = pushes.iter().any(|&(s, p, len)| {
                        s == side && p <= position && position < p + len as u64
                    });
                    prop_assert!(sent, "side {} position {} was never sent", side, position);
                }
            }
        }
    }
}

#[test]
fn in_order_audio_is_never_dropped() {
    let mut file = Cursor::new(Vec::new());
    let mut recorder = CallRecorder::new(&mut file, RATE, Instant::now()).unwrap();
    // The callee's frames come in bursts up to 800 ms late relative to the caller's.
    let mut callee_next = 0u64;
    for n in 0..200u64 {
        let caller: Vec<i16> = (0..160).map(|i| marker(0, n * 160 + i)).collect();
        recorder.push(Side::Caller, n * 160, &caller).unwrap();
        if n % 40 == 39 {
            while callee_next <= n {
                let callee: Vec<i16> = (0..160).map(|i| marker(1, callee_next * 160 + i)).collect();
                recorder
                    .push(Side::Callee, callee_next * 160, &callee)
                    .unwrap();
                callee_next += 1;
            }
        }
    }
    recorder.flush().unwrap();
    recorder.finish().unwrap();
    let (left, right) = channels(file.into_inner());
    assert_eq!(left.len(), 32_000);
    assert!(left
        .iter()
        .enumerate()
        .all(|(p, &s)| s == marker(0, p as u64)));
    assert!(right
        .iter()
        .enumerate()
        .all(|(p, &s)| s == marker(1, p as u64)));
}
