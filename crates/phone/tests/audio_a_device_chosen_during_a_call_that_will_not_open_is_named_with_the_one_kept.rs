//! A microphone chosen during a call that cannot be opened leaves the call on the one it
//! has, and the call says so, naming both, for the Phone page to show next to the
//! choice; the next choice that opens clears it.

mod direct_pair;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use phone::audio::{
    AudioBackend, AudioError, CallDevices, Capture, DeviceInfo, FileBackend, FileSource, Playback,
    Selected,
};

use direct_pair::{direct_call, event, hang_up};
use phone::runtime::PhoneEvent;

/// File devices under any name, refusing to open anything while `refuse` is set (a
/// device that is listed but will not open, with no default to fall back on either).
struct Refusing {
    files: FileBackend,
    refuse: AtomicBool,
}

impl Refusing {
    fn check(&self, device: Option<&str>) -> Result<(), AudioError> {
        if self.refuse.load(Ordering::Relaxed) {
            return Err(AudioError::DeviceNotFound(
                device.unwrap_or("default").to_owned(),
            ));
        }
        Ok(())
    }
}

impl AudioBackend for Refusing {
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.files.input_devices()
    }
    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.files.output_devices()
    }
    fn open_capture(&self, device: Option<&str>, rate: u32) -> Result<Capture, AudioError> {
        self.check(device)?;
        self.files.open_capture(None, rate)
    }
    fn open_playback(&self, device: Option<&str>, rate: u32) -> Result<Playback, AudioError> {
        self.check(device)?;
        self.files.open_playback(None, rate)
    }
}

#[test]
fn the_call_names_the_device_it_could_not_open_and_the_one_it_kept() {
    let cards = Arc::new(Refusing {
        files: FileBackend::new(FileSource::Tone(440.0), None, 8_000),
        refuse: AtomicBool::new(false),
    });
    let chosen = Selected::new(
        Arc::clone(&cards) as Arc<dyn AudioBackend>,
        Some("Laptop mic".into()),
        Some("Laptop speakers".into()),
    );
    let mut devices = CallDevices::open(Arc::new(chosen.clone()), 8_000, Instant::now());
    devices.check(Instant::now());
    assert!(devices.has_capture() && devices.has_playback());
    assert_eq!(devices.take_choice_outcome(), None, "nothing chosen yet");

    cards.refuse.store(true, Ordering::Relaxed);
    chosen.choose(Some("Headset".into()), Some("Laptop speakers".into()));
    devices.check(Instant::now());
    assert_eq!(
        devices.take_choice_outcome(),
        Some(Some(
            "Could not open Headset; the call stays on Laptop mic.".to_owned()
        ))
    );
    assert!(devices.has_capture(), "the call keeps its microphone");
    assert_eq!(devices.moved(), 0);
    assert_eq!(devices.take_choice_outcome(), None, "said once");

    // The speaker too, to the default this time, while nothing opens.
    chosen.choose(Some("Headset".into()), None);
    devices.check(Instant::now());
    assert_eq!(
        devices.take_choice_outcome(),
        Some(Some(
            "Could not open the default speaker; the call stays on Laptop speakers.".to_owned()
        ))
    );

    // The sound system works again: the next choice opens and clears the message.
    cards.refuse.store(false, Ordering::Relaxed);
    chosen.choose(None, None);
    devices.check(Instant::now());
    assert_eq!(devices.take_choice_outcome(), Some(None));
    assert_eq!(devices.moved(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_call_reports_the_device_it_could_not_move_to() {
    let far_audio = Arc::new(FileBackend::new(FileSource::Tone(440.0), None, 8_000));
    let cards = Arc::new(Refusing {
        files: FileBackend::new(FileSource::Tone(600.0), None, 8_000),
        refuse: AtomicBool::new(false),
    });
    let chosen = Selected::new(
        Arc::clone(&cards) as Arc<dyn AudioBackend>,
        None,
        Some("Laptop speakers".into()),
    );
    let mut talking = direct_call(Arc::new(chosen.clone()), far_audio).await;
    let call = talking.call;

    cards.refuse.store(true, Ordering::Relaxed);
    chosen.choose(None, Some("Headset".into()));
    let told = event(&mut talking.desk_events, |e| {
        matches!(e, PhoneEvent::DeviceChoice { .. })
    })
    .await;
    let PhoneEvent::DeviceChoice { call: on, problem } = told else {
        unreachable!()
    };
    assert_eq!(on, call);
    assert_eq!(
        problem.as_deref(),
        Some("Could not open Headset; the call stays on Laptop speakers.")
    );

    hang_up(talking).await;
}
