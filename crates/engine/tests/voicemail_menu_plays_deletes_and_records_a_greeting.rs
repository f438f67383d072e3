//! The `*97` menu on a media endpoint over real loopback sockets, with keys sent the way
//! a phone in SIP INFO mode sends them ([`Endpoints::key`]): the right PIN opens the
//! mailbox, 1 plays the message (its tone reaches the phone) and marks it heard, 3
//! deletes its row and file, 5 records what the phone sends as the mailbox's greeting
//! until #, and # says goodbye and ends the call; each change reports the new counts.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::media_endpoint::{greeting_path, EndpointEvent, Endpoints, VOICEMAIL_DIR};
use media::codec::{ulaw_decode, ulaw_encode};
use media::rtp::RtpPacket;
use media::sdp::PayloadFormat;
use media::tone::detect_tone;
use media::wav::{write_wav, Channels};
use media::wav_prompts::Prompt;
use pbx::{EndpointUse, MediaEndpoints, VoicemailRecording};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// The tone in the message left.
const MESSAGE_HZ: f64 = 1000.0;
/// The tone the owner's phone sends while recording the greeting.
const OWNER_HZ: f64 = 1500.0;

fn format(pt: u8, encoding: &str) -> PayloadFormat {
    PayloadFormat {
        payload_type: pt,
        encoding: encoding.to_owned(),
        clock_rate: 8000,
        channels: None,
        fmtp: None,
    }
}

fn sine(hz: f64, millis: u32) -> Vec<i16> {
    (0..8 * millis)
        .map(|i| (8000.0 * (std::f64::consts::TAU * hz * f64::from(i) / 8000.0).sin()) as i16)
        .collect()
}

/// Collects what the endpoint sends to the phone, decoded, in arrival order.
fn listen(socket: Arc<UdpSocket>) -> Arc<Mutex<Vec<i16>>> {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let into = Arc::clone(&heard);
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((n, _)) = socket.recv_from(&mut buf).await {
            if let Ok(p) = RtpPacket::parse(&buf[..n]) {
                let pcm: Vec<i16> = p.payload.iter().map(|c| ulaw_decode(*c)).collect();
                into.lock().expect("heard").extend(pcm);
            }
        }
    });
    heard
}

/// Sends the owner's tone in PCMU for `length`.
async fn talk(socket: &UdpSocket, to: SocketAddr, length: Duration, seq: &mut u16) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for _ in 0..length.as_millis() / 20 {
        tick.tick().await;
        let start = u32::from(*seq) * 160;
        let payload: Vec<u8> = (0..160u32)
            .map(|i| {
                let t = f64::from(start + i) / 8000.0;
                ulaw_encode((8000.0 * (std::f64::consts::TAU * OWNER_HZ * t).sin()) as i16)
            })
            .collect();
        let mut out = Vec::new();
        RtpPacket::new(0, *seq, start, 0x4321, &payload).write(&mut out);
        *seq = seq.wrapping_add(1);
        socket.send_to(&out, to).await.expect("send");
    }
}

/// Whether some half second of `pcm` is mostly `hz`.
fn contains_tone(pcm: &[i16], hz: f64) -> bool {
    pcm.chunks(4000)
        .any(|w| w.len() == 4000 && detect_tone(w, 8000, hz) > 0.8)
}

/// Waits for a counts report for mailbox 201 with these counts.
async fn counts(events: &mut mpsc::UnboundedReceiver<EndpointEvent>, want: (u32, u32)) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let e = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no counts {want:?} reported"))
            .expect("events open");
        if let EndpointEvent::MessageSaved { mailbox, new, old } = e {
            assert_eq!(mailbox, "201");
            if (new, old) == want {
                return;
            }
        }
    }
}

fn keys(endpoints: &Endpoints, id: pbx::EndpointId, keys: &str) {
    for k in keys.chars() {
        endpoints.key(id, k);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_menu_plays_deletes_records_a_greeting_and_says_goodbye() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    let store = store::Store::open(&data).expect("store");
    store
        .create_extension("201", "Bob", "office.example", 0)
        .expect("extension");
    store.enable_mailbox("201", "7392").expect("mailbox");
    std::fs::create_dir_all(data.join(VOICEMAIL_DIR)).expect("dir");
    let file = "201-1730419200-00000001.wav";
    let wav = std::fs::File::create(data.join(VOICEMAIL_DIR).join(file)).expect("file");
    write_wav(&wav, 8000, Channels::Mono, &sine(MESSAGE_HZ, 2500)).expect("wav");
    store
        .insert_voicemail(&store::NewVoicemail {
            mailbox: "201".to_owned(),
            caller_number: "202".to_owned(),
            caller_name: None,
            business_name: None,
            received_at: 1_730_419_200,
            duration_ms: 2500,
            file: file.to_owned(),
        })
        .expect("row");

    let (endpoints, mut alloc, mut events) = Endpoints::new(47_300..=47_398, data.clone());
    let port = alloc.allocate(LOCALHOST).expect("a port");
    let phone = Arc::new(UdpSocket::bind((LOCALHOST, 0)).await.expect("phone"));
    let heard = listen(Arc::clone(&phone));
    endpoints.start(
        VoicemailRecording {
            endpoint: port.id,
            peer: phone.local_addr().expect("addr"),
            format: format(0, "PCMU"),
            dtmf: Some(format(101, "telephone-event")),
            mailbox: "201".to_owned(),
            caller_number: "201".to_owned(),
            caller_name: None,
            business_name: None,
            max_duration: Duration::from_secs(180),
            silence: Duration::from_secs(10),
            purpose: EndpointUse::Listen,
            srtp: None,
        },
        1_730_419_300,
    );

    // PIN, then 1: "Message one from 2 0 2" and the message. Playing it marks it heard.
    tokio::time::sleep(Duration::from_millis(500)).await;
    keys(&endpoints, port.id, "7392#");
    // The PIN is checked on another thread; a key before it is done would be ignored.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let start = heard.lock().expect("heard").len();
    keys(&endpoints, port.id, "1");
    counts(&mut events, (0, 1)).await;
    tokio::time::sleep(Duration::from_millis(6500)).await;
    let played = heard.lock().expect("heard")[start..].to_vec();
    assert!(
        contains_tone(&played, MESSAGE_HZ),
        "the message's tone is played"
    );

    // 3 deletes it: row and file.
    keys(&endpoints, port.id, "3");
    counts(&mut events, (0, 0)).await;
    assert!(store
        .voicemail_messages(Some("201"))
        .expect("rows")
        .is_empty());
    assert!(!data.join(VOICEMAIL_DIR).join(file).exists());

    // 5: the prompt and the beep, then what the phone says until #.
    keys(&endpoints, port.id, "5");
    let prompt = Prompt::VoicemailRecordGreeting
        .load(8000)
        .expect("prompt")
        .duration_ms();
    tokio::time::sleep(Duration::from_millis(prompt + 200 + 600)).await;
    let mut seq = 1;
    talk(&phone, port.addr, Duration::from_secs(2), &mut seq).await;
    keys(&endpoints, port.id, "#");
    let greeting = greeting_path(&data, "201").expect("a path");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !greeting.exists() {
        assert!(tokio::time::Instant::now() < deadline, "greeting saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut reader = hound::WavReader::open(&greeting).expect("greeting wav");
    assert_eq!(reader.spec().sample_rate, 8000);
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    assert!(
        samples.len() >= 8000,
        "about 2 s: {} samples",
        samples.len()
    );
    assert!(
        contains_tone(&samples, OWNER_HZ),
        "the phone's tone is the greeting"
    );

    // # says goodbye, then the endpoint ends the call itself.
    tokio::time::sleep(Duration::from_millis(300)).await;
    keys(&endpoints, port.id, "#");
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.recv().await {
                Some(EndpointEvent::Ended(id)) => return id,
                Some(_) => continue,
                None => panic!("events closed"),
            }
        }
    })
    .await
    .expect("the menu hangs up after goodbye");
    assert_eq!(ended, port.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_pin_opens_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    let store = store::Store::open(&data).expect("store");
    store
        .create_extension("201", "Bob", "office.example", 0)
        .expect("extension");
    store.enable_mailbox("201", "7392").expect("mailbox");
    let (endpoints, mut alloc, mut events) = Endpoints::new(47_400..=47_498, data.clone());
    let port = alloc.allocate(LOCALHOST).expect("a port");
    let phone = UdpSocket::bind((LOCALHOST, 0)).await.expect("phone");
    endpoints.start(
        VoicemailRecording {
            endpoint: port.id,
            peer: phone.local_addr().expect("addr"),
            format: format(0, "PCMU"),
            dtmf: None,
            mailbox: "201".to_owned(),
            caller_number: "201".to_owned(),
            caller_name: None,
            business_name: None,
            max_duration: Duration::from_secs(180),
            silence: Duration::from_secs(10),
            purpose: EndpointUse::Listen,
            srtp: None,
        },
        1_730_419_300,
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Three wrong PINs, each after the previous one was checked; 5 would record a
    // greeting if the mailbox had opened.
    for _ in 0..3 {
        keys(&endpoints, port.id, "1111#");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        keys(&endpoints, port.id, "5");
    }
    let ended = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("the call ends after three wrong PINs");
    assert!(
        matches!(ended, Some(EndpointEvent::Ended(id)) if id == port.id),
        "{ended:?}"
    );
    assert!(!greeting_path(&data, "201").expect("path").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calling_again_and_again_does_not_allow_more_guesses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    let store = store::Store::open(&data).expect("store");
    store
        .create_extension("201", "Bob", "office.example", 0)
        .expect("extension");
    store.enable_mailbox("201", "7392").expect("mailbox");
    let (endpoints, mut alloc, mut events) = Endpoints::new(47_500..=47_598, data.clone());
    let phone = UdpSocket::bind((LOCALHOST, 0)).await.expect("phone");
    let mut call = |pins: &'static [&'static str]| {
        let port = alloc.allocate(LOCALHOST).expect("a port");
        endpoints.start(
            VoicemailRecording {
                endpoint: port.id,
                peer: phone.local_addr().expect("addr"),
                format: format(0, "PCMU"),
                dtmf: None,
                mailbox: "201".to_owned(),
                caller_number: "201".to_owned(),
                caller_name: None,
                business_name: None,
                max_duration: Duration::from_secs(180),
                silence: Duration::from_secs(10),
                purpose: EndpointUse::Listen,
                srtp: None,
            },
            1_730_419_300,
        );
        (port.id, pins)
    };
    // Two calls of three wrong PINs each…
    for _ in 0..2 {
        let (id, pins) = call(&["1111#", "2222#", "3333#"]);
        for pin in pins {
            tokio::time::sleep(Duration::from_millis(300)).await;
            keys(&endpoints, id, pin);
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
        let ended = tokio::time::timeout(Duration::from_secs(10), events.recv()).await;
        assert!(matches!(ended, Ok(Some(EndpointEvent::Ended(e))) if e == id));
    }
    // …and the right PIN no longer opens the mailbox: 5 records no greeting and the
    // call ends.
    let (id, _) = call(&[]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    keys(&endpoints, id, "7392#");
    tokio::time::sleep(Duration::from_millis(700)).await;
    keys(&endpoints, id, "5");
    let ended = tokio::time::timeout(Duration::from_secs(10), events.recv()).await;
    assert!(
        matches!(ended, Ok(Some(EndpointEvent::Ended(e))) if e == id),
        "{ended:?}"
    );
    assert!(!greeting_path(&data, "201").expect("path").exists());
}
