//! Call recording: the caller on the left, the callee on the right, aligned in time
//! however each side's frames arrive.

use std::cell::RefCell;
use std::io::{self, Cursor, Seek, SeekFrom, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use media::recorder::{CallRecorder, Side};
use media::tone::{detect_tone, Tone, ToneGenerator};
use media::Error;

const RATE: u32 = 8000;
const FRAME: usize = 160;
const CALLER_HZ: f64 = 700.0;
const CALLEE_HZ: f64 = 1300.0;

/// A file both the recorder and the test can see: the test reads what was written
/// before the recording is finished.
#[derive(Clone, Default)]
struct SharedFile(Rc<RefCell<Cursor<Vec<u8>>>>);

impl Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.borrow_mut().seek(pos)
    }
}

impl SharedFile {
    fn len(&self) -> usize {
        self.0.borrow().get_ref().len()
    }

    /// Left and right channels of the finished file.
    fn channels(&self) -> (Vec<i16>, Vec<i16>) {
        let bytes = self.0.borrow().get_ref().clone();
        let mut reader = hound::WavReader::new(Cursor::new(bytes)).expect("valid wav");
        assert_eq!(reader.spec().channels, 2);
        assert_eq!(reader.spec().sample_rate, RATE);
        let all: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
        let left = all.iter().step_by(2).copied().collect();
        let right = all.iter().skip(1).step_by(2).copied().collect();
        (left, right)
    }
}

fn tone(hz: f64) -> ToneGenerator {
    ToneGenerator::new(Tone::continuous(hz), RATE)
}

fn frame(generator: &mut ToneGenerator) -> Vec<i16> {
    let mut frame = vec![0; FRAME];
    generator.fill(&mut frame);
    frame
}

fn ms(n: usize) -> usize {
    n * RATE as usize / 1000
}

#[test]
fn each_side_is_heard_only_in_its_own_channel() {
    let file = SharedFile::default();
    let mut recorder = CallRecorder::new(file.clone(), RATE, Instant::now()).unwrap();
    let (mut caller, mut callee) = (tone(CALLER_HZ), tone(CALLEE_HZ));
    for n in 0..50u64 {
        recorder
            .push(Side::Caller, n * 160, &frame(&mut caller))
            .unwrap();
        recorder
            .push(Side::Callee, n * 160, &frame(&mut callee))
            .unwrap();
    }
    recorder.finish().unwrap();
    let (left, right) = file.channels();
    assert_eq!(left.len(), 8000);
    assert!(detect_tone(&left, RATE, CALLER_HZ) > 0.9);
    assert!(detect_tone(&left, RATE, CALLEE_HZ) < 0.01);
    assert!(detect_tone(&right, RATE, CALLEE_HZ) > 0.9);
    assert!(detect_tone(&right, RATE, CALLER_HZ) < 0.01);
}

#[test]
fn a_side_that_starts_late_is_silent_until_it_speaks() {
    let file = SharedFile::default();
    let start = Instant::now();
    let mut recorder = CallRecorder::new(file.clone(), RATE, start).unwrap();
    let (mut caller, mut callee) = (tone(CALLER_HZ), tone(CALLEE_HZ));
    for n in 0..100u64 {
        let now = start + Duration::from_millis(n * 20);
        recorder
            .push_at(Side::Caller, now, &frame(&mut caller))
            .unwrap();
        if n >= 25 {
            recorder
                .push_at(Side::Callee, now, &frame(&mut callee))
                .unwrap();
        }
    }
    recorder.finish().unwrap();
    let (left, right) = file.channels();
    assert_eq!(left.len(), ms(2000));
    assert!(right[..ms(500)].iter().all(|&s| s == 0));
    assert!(detect_tone(&right[ms(500)..], RATE, CALLEE_HZ) > 0.9);
    assert!(detect_tone(&left[..ms(500)], RATE, CALLER_HZ) > 0.9);
}

#[test]
fn a_gap_in_one_side_is_filled_with_silence_and_the_rest_stays_aligned() {
    let file = SharedFile::default();
    let mut recorder = CallRecorder::new(file.clone(), RATE, Instant::now()).unwrap();
    let (mut caller, mut callee) = (tone(CALLER_HZ), tone(CALLEE_HZ));
    for n in 0..100u64 {
        let caller_frame = frame(&mut caller);
        // The caller's frames for 1.0 s to 1.5 s are lost.
        if !(50..75).contains(&n) {
            recorder.push(Side::Caller, n * 160, &caller_frame).unwrap();
        }
        recorder
            .push(Side::Callee, n * 160, &frame(&mut callee))
            .unwrap();
    }
    recorder.finish().unwrap();
    let (left, right) = file.channels();
    assert_eq!(left.len(), ms(2000));
    assert!(left[ms(1000)..ms(1500)].iter().all(|&s| s == 0));
    assert!(detect_tone(&left[ms(1500)..], RATE, CALLER_HZ) > 0.9);
    // Samples after the gap sit exactly where the generator put them.
    let mut reference = vec![0; ms(2000)];
    tone(CALLER_HZ).fill(&mut reference);
    assert_eq!(&left[ms(1500)..], &reference[ms(1500)..]);
    assert!(detect_tone(&right, RATE, CALLEE_HZ) > 0.9);
}

#[test]
fn a_silent_side_does_not_hold_back_the_other() {
    let file = SharedFile::default();
    let mut recorder = CallRecorder::new(file.clone(), RATE, Instant::now()).unwrap();
    let mut caller = tone(CALLER_HZ);
    // Five seconds of the caller alone, the callee on hold sending nothing.
    for n in 0..250u64 {
        recorder
            .push(Side::Caller, n * 160, &frame(&mut caller))
            .unwrap();
    }
    // At most a second stays buffered: four seconds of frames are already in the file.
    let header = 44;
    assert!(file.len() >= header + ms(4000) * 4, "{} bytes", file.len());
    assert_eq!(recorder.duration_ms(), 5000);
    recorder.finish().unwrap();
    let (left, right) = file.channels();
    assert_eq!(left.len(), ms(5000));
    assert!(right.iter().all(|&s| s == 0));
}

#[test]
fn frames_arriving_with_jitter_join_without_gaps() {
    let file = SharedFile::default();
    let start = Instant::now();
    let mut recorder = CallRecorder::new(file.clone(), RATE, start).unwrap();
    let mut caller = tone(CALLER_HZ);
    // A deterministic jitter of up to ±15 ms around each 20 ms tick.
    let mut seed = 7u64;
    for n in 0..100i64 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let jitter = (seed >> 33) as i64 % 31 - 15;
        let at = (n * 20 + 40 + jitter).max(0) as u64;
        let now = start + Duration::from_millis(at);
        recorder
            .push_at(Side::Caller, now, &frame(&mut caller))
            .unwrap();
    }
    recorder.finish().unwrap();
    let (left, _) = file.channels();
    let first = left.iter().position(|&s| s != 0).unwrap();
    let mut reference = vec![0; 100 * FRAME];
    tone(CALLER_HZ).fill(&mut reference);
    assert_eq!(
        &left[first - 1..first - 1 + reference.len()],
        &reference[..]
    );
}

#[test]
fn audio_more_than_a_second_late_is_dropped() {
    let file = SharedFile::default();
    let mut recorder = CallRecorder::new(file.clone(), RATE, Instant::now()).unwrap();
    let mut caller = tone(CALLER_HZ);
    for n in 0..150u64 {
        recorder
            .push(Side::Caller, n * 160, &frame(&mut caller))
            .unwrap();
    }
    recorder.push(Side::Callee, 0, &[9999; FRAME]).unwrap();
    recorder.finish().unwrap();
    let (left, right) = file.channels();
    assert_eq!(left.len(), ms(3000));
    assert!(right.iter().all(|&s| s == 0));
}

#[test]
fn a_position_an_hour_ahead_is_refused() {
    let mut recorder = CallRecorder::new(Cursor::new(Vec::new()), RATE, Instant::now()).unwrap();
    let result = recorder.push(Side::Caller, 3601 * u64::from(RATE), &[0; FRAME]);
    assert!(matches!(result, Err(Error::AudioParameter(_))));
}
