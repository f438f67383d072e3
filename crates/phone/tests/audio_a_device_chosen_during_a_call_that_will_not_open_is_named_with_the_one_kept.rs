//! A microphone chosen during a call that cannot be opened leaves the call on the one it
//! has, and the call says so, naming both, for the Phone page to show next to the
//! choice; the next choice that opens clears it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use phone::audio::{
    AudioBackend, AudioError, CallDevices, Capture, DeviceInfo, FileBackend, FileSource, Playback,
    Selected,
};

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

fn account(user: &str, server: std::net::SocketAddr) -> phone::ua::Account {
    phone::ua::Account {
        server,
        transport: sip::Transport::Udp,
        domain: None,
        user: user.into(),
        auth_user: None,
        password: String::new(),
        display_name: None,
        expires: 300,
    }
}

/// The next event `want` matches.
async fn event(
    events: &mut tokio::sync::broadcast::Receiver<phone::runtime::PhoneEvent>,
    want: impl Fn(&phone::runtime::PhoneEvent) -> bool,
) -> phone::runtime::PhoneEvent {
    loop {
        let e = tokio::time::timeout(std::time::Duration::from_secs(8), events.recv())
            .await
            .expect("an event in time")
            .expect("events");
        if want(&e) {
            return e;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_call_reports_the_device_it_could_not_move_to() {
    use phone::runtime::{Phone, PhoneEvent, PhoneOptions};

    let free = std::net::UdpSocket::bind("127.0.0.1:0").expect("a free port");
    let desk_addr = free.local_addr().expect("addr");
    drop(free);
    let direct = |listen: std::net::SocketAddr| PhoneOptions {
        register: false,
        listen: Some(listen),
        ..PhoneOptions::default()
    };
    let far_audio = Arc::new(FileBackend::new(FileSource::Tone(440.0), None, 8_000));
    let far = Phone::start_with(
        account("far", desk_addr),
        far_audio,
        direct("127.0.0.1:0".parse().expect("addr")),
    )
    .await
    .expect("far starts");
    let cards = Arc::new(Refusing {
        files: FileBackend::new(FileSource::Tone(600.0), None, 8_000),
        refuse: AtomicBool::new(false),
    });
    let chosen = Selected::new(
        Arc::clone(&cards) as Arc<dyn AudioBackend>,
        None,
        Some("Laptop speakers".into()),
    );
    let desk = Phone::start_with(
        account("desk", far.sip_addr()),
        Arc::new(chosen.clone()),
        direct(desk_addr),
    )
    .await
    .expect("desk starts");
    let mut far_events = far.subscribe();
    let mut desk_events = desk.subscribe();

    let call = desk.dial("far").await.expect("dial");
    let PhoneEvent::Incoming { call: incoming, .. } = event(&mut far_events, |e| {
        matches!(e, PhoneEvent::Incoming { .. })
    })
    .await
    else {
        unreachable!()
    };
    far.answer(incoming).await.expect("answer");
    event(&mut desk_events, |e| matches!(e, PhoneEvent::Codec { .. })).await;
    // The call's loop opens its devices once it runs, just after telling its codec.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;

    cards.refuse.store(true, Ordering::Relaxed);
    chosen.choose(None, Some("Headset".into()));
    let told = event(&mut desk_events, |e| {
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

    desk.hang_up(call).await.expect("hang up");
    event(&mut desk_events, |e| matches!(e, PhoneEvent::Ended { .. })).await;
    desk.shutdown().await.expect("desk stops");
    far.shutdown().await.expect("far stops");
}
