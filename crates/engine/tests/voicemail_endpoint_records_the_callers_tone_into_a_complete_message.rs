//! A voicemail endpoint over real loopback sockets: the caller hears the greeting, its
//! 1 kHz tone after the beep ends up in the message's WAV, `#` ends the message, the row
//! is inserted after the file is complete under its final name, and no temporary file is
//! left; a BYE (close) during the recording keeps what was said; silence and the length
//! limit end a message by themselves.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use engine::media_endpoint::{EndpointEvent, Endpoints, VOICEMAIL_DIR};
use media::codec::ulaw_encode;
use media::rtp::{RtpPacket, TelephoneEvent};
use media::sdp::PayloadFormat;
use media::tone::detect_tone;
use media::wav_prompts::Prompt;
use pbx::{MediaEndpoints, VoicemailRecording};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const TONE_HZ: f64 = 1000.0;

fn format(pt: u8, encoding: &str) -> PayloadFormat {
    PayloadFormat {
        payload_type: pt,
        encoding: encoding.to_owned(),
        clock_rate: 8000,
        channels: None,
        fmtp: None,
    }
}

/// How long the greeting and beep play before the recording starts.
fn greeting() -> Duration {
    let clip = Prompt::VoicemailUnavailable.load(8000).expect("greeting");
    Duration::from_millis(clip.duration_ms() + 200 + 400)
}

/// Sends a 1 kHz tone in PCMU for `length` from `socket` to `to`; returns how many RTP
/// packets arrived from the endpoint meanwhile.
async fn talk(socket: &UdpSocket, to: SocketAddr, length: Duration, seq: &mut u16) -> usize {
    let frames = length.as_millis() / 20;
    let mut received = 0;
    let mut buf = [0u8; 1500];
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for _ in 0..frames {
        tick.tick().await;
        let start = u32::from(*seq) * 160;
        let payload: Vec<u8> = (0..160u32)
            .map(|i| {
                let t = f64::from(start + i) / 8000.0;
                ulaw_encode((8000.0 * (std::f64::consts::TAU * TONE_HZ * t).sin()) as i16)
            })
            .collect();
        let mut out = Vec::new();
        RtpPacket::new(0, *seq, start, 0x1234, &payload).write(&mut out);
        *seq = seq.wrapping_add(1);
        socket.send_to(&out, to).await.expect("send");
        while let Ok((n, _)) = socket.try_recv_from(&mut buf) {
            if RtpPacket::parse(&buf[..n]).is_ok_and(|p| p.payload_type == 0) {
                received += 1;
            }
        }
    }
    received
}

/// Presses `#` as RFC 4733 events (start, then three end packets).
async fn press_hash(socket: &UdpSocket, to: SocketAddr, seq: &mut u16) {
    for (i, end) in [false, false, true, true, true].into_iter().enumerate() {
        let ev = TelephoneEvent {
            event: 11,
            end,
            volume: 10,
            duration: 160 * (i as u16 + 1),
        };
        let bytes = ev.to_bytes();
        let mut out = Vec::new();
        RtpPacket::new(101, *seq, 900_000, 0x1234, &bytes).write(&mut out);
        *seq = seq.wrapping_add(1);
        socket.send_to(&out, to).await.expect("send");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

struct Rig {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    endpoints: Endpoints,
    events: mpsc::UnboundedReceiver<EndpointEvent>,
    caller: UdpSocket,
    endpoint: SocketAddr,
    id: pbx::EndpointId,
}

async fn rig(ports: std::ops::RangeInclusive<u16>) -> Rig {
    rig_with(ports, Duration::from_secs(60), Duration::from_secs(10)).await
}

async fn rig_with(
    ports: std::ops::RangeInclusive<u16>,
    max_duration: Duration,
    silence: Duration,
) -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    let store = store::Store::open(&data).expect("store");
    store
        .create_extension("201", "Bob", "office.example", 0)
        .expect("extension");
    store.enable_mailbox("201", "7392").expect("mailbox");
    // A leftover of an earlier crash is removed on start.
    std::fs::create_dir_all(data.join(VOICEMAIL_DIR)).expect("dir");
    std::fs::write(data.join(VOICEMAIL_DIR).join(".old.wav.part"), b"RIFF").expect("leftover");
    let (endpoints, mut alloc, events) = Endpoints::new(ports, data.clone());
    assert!(!data.join(VOICEMAIL_DIR).join(".old.wav.part").exists());
    let port = alloc.allocate(LOCALHOST).expect("a port");
    let caller = UdpSocket::bind((LOCALHOST, 0))
        .await
        .expect("caller socket");
    let spec = VoicemailRecording {
        endpoint: port.id,
        peer: caller.local_addr().expect("addr"),
        format: format(0, "PCMU"),
        dtmf: Some(format(101, "telephone-event")),
        mailbox: "201".to_owned(),
        caller_number: "0612345678".to_owned(),
        caller_name: Some("Ann".to_owned()),
        business_name: None,
        max_duration,
        silence,
        purpose: pbx::EndpointUse::Deposit,
        srtp: None,
    };
    endpoints.start(spec, 1_730_419_200);
    Rig {
        _dir: dir,
        data,
        endpoints,
        events,
        caller,
        endpoint: port.addr,
        id: port.id,
    }
}

async fn saved(events: &mut mpsc::UnboundedReceiver<EndpointEvent>) -> Vec<EndpointEvent> {
    let mut all = Vec::new();
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
        let done = matches!(e, EndpointEvent::MessageSaved { .. });
        all.push(e);
        if done {
            break;
        }
    }
    all
}

/// The message's samples, and checks the folder holds exactly that one complete file.
fn message(data: &std::path::Path) -> (store::VoicemailMessage, Vec<i16>) {
    let store = store::Store::open(data).expect("store");
    let rows = store.voicemail_messages(Some("201")).expect("rows");
    assert_eq!(rows.len(), 1, "one message row");
    let row = rows[0].clone();
    let names: Vec<String> = std::fs::read_dir(data.join(VOICEMAIL_DIR))
        .expect("dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert_eq!(
        names,
        vec![row.file.clone()],
        "only the final file, no temp"
    );
    let mut reader = hound::WavReader::open(data.join(VOICEMAIL_DIR).join(&row.file)).expect("wav");
    assert_eq!(reader.spec().sample_rate, 8000);
    assert_eq!(reader.spec().channels, 1);
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    (row, samples)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_tone_is_recorded_and_hash_ends_the_message() {
    let mut r = rig(47_000..=47_098).await;
    let mut seq = 1;
    let heard = talk(
        &r.caller,
        r.endpoint,
        greeting() + Duration::from_secs(2),
        &mut seq,
    )
    .await;
    assert!(
        heard > 50,
        "the caller hears the greeting ({heard} packets)"
    );
    press_hash(&r.caller, r.endpoint, &mut seq).await;

    let events = saved(&mut r.events).await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EndpointEvent::Ended(id) if *id == r.id)),
        "# ends the recording: {events:?}"
    );
    assert!(
        events.iter().any(|e| matches!(
            e,
            EndpointEvent::MessageSaved { mailbox, new: 1, old: 0 } if mailbox == "201"
        )),
        "{events:?}"
    );

    let (row, samples) = message(&r.data);
    assert_eq!(row.caller_number, "0612345678");
    assert!(!row.heard);
    assert!(
        row.duration_ms >= 1000,
        "about 2 s recorded: {}",
        row.duration_ms
    );
    assert_eq!(row.duration_ms, samples.len() as u64 * 1000 / 8000);
    let middle = &samples[samples.len() / 4..samples.len() * 3 / 4];
    assert!(
        detect_tone(middle, 8000, TONE_HZ) > 0.8,
        "the caller's tone is in the message"
    );
    assert!(detect_tone(middle, 8000, 1500.0) < 0.1);
    r.endpoints.close(r.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_up_during_the_recording_keeps_the_message() {
    let mut r = rig(47_100..=47_198).await;
    let mut seq = 1;
    talk(
        &r.caller,
        r.endpoint,
        greeting() + Duration::from_secs(2),
        &mut seq,
    )
    .await;
    r.endpoints.close(r.id);
    let events = saved(&mut r.events).await;
    assert!(
        !events.iter().any(|e| matches!(e, EndpointEvent::Ended(_))),
        "a close asked for by the core is not reported back: {events:?}"
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, EndpointEvent::MessageSaved { .. })));
    let (_, samples) = message(&r.data);
    let middle = &samples[samples.len() / 4..samples.len() * 3 / 4];
    assert!(detect_tone(middle, 8000, TONE_HZ) > 0.8);
}

/// Waits for the endpoint to end the message itself; returns what it reported.
async fn ended_by_itself(
    events: &mut mpsc::UnboundedReceiver<EndpointEvent>,
    id: pbx::EndpointId,
) -> Vec<EndpointEvent> {
    let events = saved(events).await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EndpointEvent::Ended(e) if *e == id)),
        "the endpoint ends the message itself: {events:?}"
    );
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_after_speaking_ends_the_message() {
    let mut r = rig_with(
        47_200..=47_298,
        Duration::from_secs(60),
        Duration::from_secs(1),
    )
    .await;
    let mut seq = 1;
    talk(
        &r.caller,
        r.endpoint,
        greeting() + Duration::from_millis(1500),
        &mut seq,
    )
    .await;
    // The caller stops talking (sends nothing): a second later the message ends.
    let events = ended_by_itself(&mut r.events, r.id).await;
    assert!(events
        .iter()
        .any(|e| matches!(e, EndpointEvent::MessageSaved { .. })));
    let (row, samples) = message(&r.data);
    assert!(row.duration_ms >= 1000, "{}", row.duration_ms);
    let middle = &samples[samples.len() / 4..samples.len() / 2];
    assert!(detect_tone(middle, 8000, TONE_HZ) > 0.8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_length_limit_ends_a_long_message() {
    let limit = Duration::from_secs(2);
    let mut r = rig_with(47_300..=47_398, limit, Duration::from_secs(10)).await;
    let mut seq = 1;
    // Talks well past the limit; the endpoint ends the message at it.
    let talking = talk(
        &r.caller,
        r.endpoint,
        greeting() + Duration::from_secs(4),
        &mut seq,
    );
    let (_, events) = tokio::join!(talking, async {
        // (No event can come before the greeting is over.)
        tokio::time::sleep(greeting()).await;
        ended_by_itself(&mut r.events, r.id).await
    });
    assert!(events
        .iter()
        .any(|e| matches!(e, EndpointEvent::MessageSaved { .. })));
    let (row, _) = message(&r.data);
    // The caller talked 4 s after the beep; the message stops at the 2 s limit.
    assert!(
        row.duration_ms < 3_500,
        "cut at the limit: {} ms",
        row.duration_ms
    );
}
