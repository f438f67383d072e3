//! A microphone and speaker chosen while a call runs take over at once: the call's tone
//! plays on the newly chosen speaker (at that device's own rate) and no longer on the old
//! one, and the frames the call sends come from the new microphone. A choice that cannot
//! be opened leaves the call on the device it had.

mod direct_pair;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use media::tone::{detect_tone, Tone, ToneGenerator};
use phone::audio::{
    AudioBackend, AudioError, CallDevices, Capture, ChoiceStamp, DeviceInfo, FileBackend,
    FileSource, Playback, Selected,
};

use direct_pair::{direct_call, hang_up};

const RATE: u32 = 8_000;
const HEADSET_MIC: f64 = 1_000.0;
const LAPTOP_MIC: f64 = 600.0;
const CALL_TONE: f64 = 400.0;

/// Two sound cards, "Headset" (48 kHz) and "Laptop" (16 kHz, the default), each a file
/// device with a microphone tone of its own and a speaker recording to its own file.
struct TwoCards {
    headset: FileBackend,
    laptop: FileBackend,
}

impl TwoCards {
    fn new(dir: &Path) -> TwoCards {
        TwoCards {
            headset: FileBackend::new(
                FileSource::Tone(HEADSET_MIC),
                Some(dir.join("headset.wav")),
                48_000,
            ),
            laptop: FileBackend::new(
                FileSource::Tone(LAPTOP_MIC),
                Some(dir.join("laptop.wav")),
                16_000,
            ),
        }
    }

    fn card(&self, name: Option<&str>) -> Result<&FileBackend, AudioError> {
        match name {
            Some("Headset") => Ok(&self.headset),
            Some("Laptop") | None => Ok(&self.laptop),
            Some(other) => Err(AudioError::DeviceNotFound(other.to_owned())),
        }
    }
}

fn names() -> Vec<DeviceInfo> {
    ["Headset", "Laptop"]
        .iter()
        .map(|n| DeviceInfo {
            name: (*n).to_owned(),
            is_default: *n == "Laptop",
        })
        .collect()
}

impl AudioBackend for TwoCards {
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        Ok(names())
    }
    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        Ok(names())
    }
    fn open_capture(&self, device: Option<&str>, rate: u32) -> Result<Capture, AudioError> {
        self.card(device)?.open_capture(None, rate)
    }
    fn open_playback(&self, device: Option<&str>, rate: u32) -> Result<Playback, AudioError> {
        self.card(device)?.open_playback(None, rate)
    }
}

/// The call's side for `frames` microphone frames: each one read is answered with a
/// frame of the far end's tone to the speaker. Returns the frames read.
fn talk(devices: &mut CallDevices, tone: &mut ToneGenerator, frames: usize) -> Vec<Vec<i16>> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut read = Vec::new();
    let mut frame = Vec::new();
    let mut out = vec![0i16; 160];
    while read.len() < frames {
        assert!(Instant::now() < deadline, "no frames: {devices:?}");
        devices.check(Instant::now());
        if devices.read_frame(&mut frame) {
            read.push(frame.clone());
            tone.fill(&mut out);
            devices.write_frame(&out);
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    read
}

fn strongest(frames: &[Vec<i16>], hz: f64) -> f64 {
    frames
        .iter()
        .map(|f| detect_tone(f, RATE, hz))
        .fold(0.0, f64::max)
}

/// The samples of a finished WAV file and its rate.
fn wav(path: &PathBuf) -> (Vec<i16>, u32) {
    let reader = hound::WavReader::open(path).expect("a finished recording");
    let rate = reader.spec().sample_rate;
    let samples = reader.into_samples::<i16>().map(|s| s.expect("sample"));
    (samples.collect(), rate)
}

/// Blocks of 100 ms carrying the tone.
fn blocks_with(samples: &[i16], rate: u32, hz: f64) -> usize {
    samples
        .chunks(rate as usize / 10)
        .filter(|c| detect_tone(c, rate, hz) > 0.5)
        .count()
}

#[test]
fn the_call_moves_to_the_devices_chosen_during_it() {
    let dir = tempfile::tempdir().expect("dir");
    let cards: Arc<dyn AudioBackend> = Arc::new(TwoCards::new(dir.path()));
    let chosen = Selected::new(cards, Some("Headset".into()), Some("Headset".into()));
    let mut devices = CallDevices::open(Arc::new(chosen.clone()), RATE, Instant::now());
    let mut tone = ToneGenerator::new(Tone::continuous(CALL_TONE), RATE);

    let on_headset = talk(&mut devices, &mut tone, 25);
    assert!(strongest(&on_headset[5..], HEADSET_MIC) > 0.9);
    assert!(strongest(&on_headset[5..], LAPTOP_MIC) < 0.1);
    assert_eq!(devices.moved(), 0);

    // The user picks the laptop's microphone and speakers mid-call.
    chosen.choose(Some("Laptop".into()), Some("Laptop".into()));
    // The headset's speaker is closed by the move: its recording is finished then.
    let after = talk(&mut devices, &mut tone, 1);
    assert_eq!(
        devices.moved(),
        2,
        "microphone and speaker moved: {devices:?}"
    );
    let (headset_then, headset_rate) = wav(&dir.path().join("headset.wav"));
    let after = [after, talk(&mut devices, &mut tone, 40)].concat();
    assert!(
        strongest(&after[10..], LAPTOP_MIC) > 0.9,
        "the new microphone"
    );
    assert!(
        strongest(&after[10..], HEADSET_MIC) < 0.1,
        "not the old one"
    );
    assert!(devices.has_capture() && devices.has_playback());
    drop(devices);

    // The call's tone was played on the headset until the move, and nothing since.
    assert_eq!(headset_rate, 48_000);
    assert!(blocks_with(&headset_then, headset_rate, CALL_TONE) >= 2);
    let (headset_now, _) = wav(&dir.path().join("headset.wav"));
    assert_eq!(
        headset_now.len(),
        headset_then.len(),
        "the old speaker kept playing"
    );
    // Then on the laptop's speakers, at their own rate.
    let (laptop, laptop_rate) = wav(&dir.path().join("laptop.wav"));
    assert_eq!(laptop_rate, 16_000);
    assert!(
        blocks_with(&laptop, laptop_rate, CALL_TONE) >= 3,
        "the tone on the new speakers"
    );
}

#[test]
fn a_chosen_device_that_will_not_open_leaves_the_call_where_it_was() {
    let dir = tempfile::tempdir().expect("dir");
    let cards: Arc<dyn AudioBackend> = Arc::new(TwoCards::new(dir.path()));
    let chosen = Selected::new(Arc::clone(&cards), Some("Headset".into()), None);
    let mut devices = CallDevices::open(Arc::new(chosen.clone()), RATE, Instant::now());
    let mut tone = ToneGenerator::new(Tone::continuous(CALL_TONE), RATE);
    talk(&mut devices, &mut tone, 5);

    // Gone before it could be opened: the choice falls back to the default (the laptop),
    // and the call keeps a microphone throughout.
    chosen.choose(Some("Unplugged".into()), None);
    let frames = talk(&mut devices, &mut tone, 30);
    assert_eq!(devices.moved(), 1, "{devices:?}");
    assert!(strongest(&frames[10..], LAPTOP_MIC) > 0.9);

    // A sound system that fails to open anything now: the move fails, the call keeps
    // the microphone and speaker it has.
    let flaky = Arc::new(Flaky {
        chosen: chosen.clone(),
        broken: AtomicBool::new(true),
    });
    let mut kept = CallDevices::open(
        Arc::clone(&flaky) as Arc<dyn AudioBackend>,
        RATE,
        Instant::now(),
    );
    assert!(!kept.has_capture(), "nothing opens while broken");
    flaky.broken.store(false, Ordering::Relaxed);
    kept.check(Instant::now() + phone::audio::REOPEN_EVERY);
    assert!(kept.has_capture() && kept.has_playback());
    flaky.broken.store(true, Ordering::Relaxed);
    chosen.choose(Some("Headset".into()), Some("Headset".into()));
    let frames = talk(&mut kept, &mut tone, 20);
    assert_eq!(kept.moved(), 0);
    assert!(kept.has_capture() && kept.has_playback());
    assert!(
        strongest(&frames[5..], LAPTOP_MIC) > 0.9,
        "still the laptop"
    );
}

/// The chosen devices, unless `broken`: then nothing opens.
struct Flaky {
    chosen: Selected,
    broken: AtomicBool,
}

impl AudioBackend for Flaky {
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.chosen.input_devices()
    }
    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.chosen.output_devices()
    }
    fn open_capture(&self, device: Option<&str>, rate: u32) -> Result<Capture, AudioError> {
        if self.broken.load(Ordering::Relaxed) {
            return Err(AudioError::NoDevice);
        }
        self.chosen.open_capture(device, rate)
    }
    fn open_playback(&self, device: Option<&str>, rate: u32) -> Result<Playback, AudioError> {
        if self.broken.load(Ordering::Relaxed) {
            return Err(AudioError::NoDevice);
        }
        self.chosen.open_playback(device, rate)
    }
    fn choice_stamp(&self) -> ChoiceStamp {
        self.chosen.choice_stamp()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_call_plays_on_the_speaker_chosen_during_it() {
    // Two phones calling each other directly: "desk" has the two sound cards, "far"
    // plays a tone into the call.
    let far_audio = Arc::new(FileBackend::new(FileSource::Tone(CALL_TONE), None, 8_000));
    let dir = tempfile::tempdir().expect("dir");
    let cards: Arc<dyn AudioBackend> = Arc::new(TwoCards::new(dir.path()));
    let chosen = Selected::new(cards, Some("Headset".into()), Some("Headset".into()));
    let talking = direct_call(Arc::new(chosen.clone()), far_audio).await;

    // The user picks the laptop's speakers; the headset's recording ends with the move.
    chosen.choose(Some("Headset".into()), Some("Laptop".into()));
    // Its recording is only readable once finished, when the move closed it.
    let deadline = Instant::now() + Duration::from_secs(5);
    let (headset_then, rate) = loop {
        let read = hound::WavReader::open(dir.path().join("headset.wav")).ok();
        if let Some(r) = read.filter(|r| r.len() > 0) {
            let rate = r.spec().sample_rate;
            let samples: Vec<i16> = r
                .into_samples::<i16>()
                .map(|s| s.expect("sample"))
                .collect();
            break (samples, rate);
        }
        assert!(Instant::now() < deadline, "the headset was never closed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        blocks_with(&headset_then, rate, CALL_TONE) >= 2,
        "the far end's tone on the headset first"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (headset_later, _) = wav(&dir.path().join("headset.wav"));
    assert_eq!(
        headset_later.len(),
        headset_then.len(),
        "nothing more on the old speaker"
    );

    hang_up(talking).await;
    let (laptop, laptop_rate) = wav(&dir.path().join("laptop.wav"));
    assert!(
        blocks_with(&laptop, laptop_rate, CALL_TONE) >= 3,
        "the call went on, on the laptop's speakers"
    );
}
