//! Two phones on loopback UDP in one room, one in PCMU and one in PCMA: each hears the
//! other's tone and not its own; muting one takes its tone out of what the other hears;
//! the owner removing one is reported to the core as `Left`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use media::codec::{by_rtpmap, Codec};
use media::rtp::RtpPacket;
use media::sdp::PayloadFormat;
use media::tone::{detect_tone, Tone, ToneGenerator};
use pbx::{ConferenceJoin, EndpointId, MediaEndpoints};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use super::{ConferenceCommand, ConferenceEvent, Conferences};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A phone: its socket, codec and tone.
struct Phone {
    socket: UdpSocket,
    format: PayloadFormat,
    tone: ToneGenerator,
    encoder: Box<dyn Codec>,
    decoder: Box<dyn Codec>,
    seq: u16,
    /// Where the room's endpoint for this phone listens.
    room: SocketAddr,
    heard: Vec<i16>,
}

impl Phone {
    async fn new(encoding: &str, payload_type: u8, hz: f64) -> Phone {
        Phone {
            socket: UdpSocket::bind((LOOPBACK, 0)).await.expect("bind"),
            format: PayloadFormat {
                payload_type,
                encoding: encoding.to_owned(),
                clock_rate: 8000,
                channels: None,
                fmtp: None,
            },
            tone: ToneGenerator::new(Tone::continuous(hz), 8000),
            encoder: by_rtpmap(encoding, 8000).expect("codec"),
            decoder: by_rtpmap(encoding, 8000).expect("codec"),
            seq: 0,
            room: SocketAddr::new(LOOPBACK, 0),
            heard: Vec::new(),
        }
    }

    fn join(&self, endpoint: EndpointId, number: &str) -> ConferenceJoin {
        ConferenceJoin {
            endpoint,
            peer: self.socket.local_addr().expect("addr"),
            format: self.format.clone(),
            dtmf: None,
            room: "800".to_owned(),
            room_name: "Board".to_owned(),
            pin_hash: None,
            caller_number: number.to_owned(),
            caller_name: None,
            call_id: format!("call-{number}"),
            srtp: None,
        }
    }

    /// Sends one 20 ms packet of its tone, and keeps what arrived meanwhile.
    async fn talk(&mut self) {
        let mut frame = [0i16; 160];
        self.tone.fill(&mut frame);
        let mut payload = Vec::new();
        self.encoder.encode(&frame, &mut payload);
        let mut packet = Vec::new();
        RtpPacket::new(
            self.format.payload_type,
            self.seq,
            u32::from(self.seq) * 160,
            7,
            &payload,
        )
        .write(&mut packet);
        self.seq = self.seq.wrapping_add(1);
        let _ = self.socket.send_to(&packet, self.room).await;
        let mut buf = [0u8; 1500];
        while let Ok((len, _)) = self.socket.try_recv_from(&mut buf) {
            if let Ok(p) = RtpPacket::parse(&buf[..len]) {
                self.decoder.decode(Some(p.payload), &mut self.heard);
            }
        }
    }
}

/// Both phones talk for `ms`; returns what each heard in that time.
async fn talk(a: &mut Phone, b: &mut Phone, ms: u64) -> (Vec<i16>, Vec<i16>) {
    a.heard.clear();
    b.heard.clear();
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for _ in 0..ms / 20 {
        tick.tick().await;
        a.talk().await;
        b.talk().await;
    }
    (std::mem::take(&mut a.heard), std::mem::take(&mut b.heard))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_in_two_codecs_hear_each_other_and_mute_silences_one() {
    let (mut rooms, mut allocator, mut events) = Conferences::new(47_000..=47_099);
    let mut a = Phone::new("PCMU", 0, 440.0).await;
    let mut b = Phone::new("PCMA", 8, 1000.0).await;
    let pa = allocator.allocate(LOOPBACK).expect("port for A");
    let pb = allocator.allocate(LOOPBACK).expect("port for B");
    a.room = pa.addr;
    b.room = pb.addr;
    rooms.join(a.join(pa.id, "1001"));
    rooms.join(b.join(pb.id, "1002"));

    // The join tones and "you are the only person" are over after a few seconds.
    talk(&mut a, &mut b, 4_000).await;
    let (a_heard, b_heard) = talk(&mut a, &mut b, 1_000).await;
    assert!(
        a_heard.len() > 4_000,
        "A received {} samples",
        a_heard.len()
    );
    assert!(detect_tone(&a_heard, 8000, 1000.0) > 0.6, "A hears B");
    assert!(
        detect_tone(&a_heard, 8000, 440.0) < 0.05,
        "A does not hear itself"
    );
    assert!(detect_tone(&b_heard, 8000, 440.0) > 0.6, "B hears A");
    assert!(
        detect_tone(&b_heard, 8000, 1000.0) < 0.05,
        "B does not hear itself"
    );

    let listed = rooms.shared();
    let names: Vec<String> = super::lock(&listed)
        .values()
        .flatten()
        .filter(|p| p.room == "800")
        .map(|p| p.number.clone())
        .collect();
    assert_eq!(names, vec!["1001".to_owned(), "1002".to_owned()]);

    let (tx, rx) = oneshot::channel();
    rooms.command(
        ConferenceCommand::Mute {
            id: pa.id.0,
            muted: true,
        },
        tx,
    );
    assert!(rx.await.expect("answer"), "A is found");
    talk(&mut a, &mut b, 300).await;
    let (a_heard, b_heard) = talk(&mut a, &mut b, 1_000).await;
    assert!(
        detect_tone(&b_heard, 8000, 440.0) < 0.05,
        "muted A is not heard"
    );
    assert!(
        detect_tone(&a_heard, 8000, 1000.0) > 0.6,
        "muted A still hears B"
    );

    let (tx, rx) = oneshot::channel();
    rooms.command(ConferenceCommand::Remove { id: pb.id.0 }, tx);
    assert!(rx.await.expect("answer"));
    let left = loop {
        match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
            Ok(Some(ConferenceEvent::Left(id))) => break id,
            Ok(Some(ConferenceEvent::Changed(_))) => continue,
            other => panic!("no Left event: {other:?}"),
        }
    };
    assert_eq!(left, pb.id);

    rooms.leave(pa.id);
    rooms.leave(pb.id);
    let (tx, rx) = oneshot::channel();
    rooms.command(ConferenceCommand::Remove { id: pa.id.0 }, tx);
    assert!(!rx.await.expect("answer"), "nobody is left to remove");
}

/// The 20 ms frames of `pcm` that are clearly the note `hz` (loud enough and pure).
fn frames_of(pcm: &[i16], hz: f64) -> Vec<usize> {
    pcm.chunks(160)
        .enumerate()
        .filter(|(_, frame)| {
            let level = frame
                .iter()
                .map(|s| u64::from(s.unsigned_abs()))
                .sum::<u64>()
                / 160;
            level > 500 && detect_tone(frame, 8000, hz) > 0.8
        })
        .map(|(i, _)| i)
        .collect()
}

/// Asserts `pcm` holds the two notes, `first` then `second`, about 130 ms each.
fn assert_notes(pcm: &[i16], first: f64, second: f64, what: &str) {
    let (a, b) = (frames_of(pcm, first), frames_of(pcm, second));
    assert!(a.len() >= 4, "{what}: {first} Hz in frames {a:?}");
    assert!(b.len() >= 4, "{what}: {second} Hz in frames {b:?}");
    assert!(
        a.iter().max() < b.iter().min(),
        "{what}: {first} Hz comes first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoever_is_in_the_room_hears_rising_notes_on_a_join_and_falling_ones_on_a_leave() {
    let (mut rooms, mut allocator, _events) = Conferences::new(47_100..=47_199);
    // Both phones send silence, so all A hears is the room's own sounds.
    let mut a = Phone::new("PCMU", 0, 0.0).await;
    let mut b = Phone::new("PCMU", 0, 0.0).await;
    let pa = allocator.allocate(LOOPBACK).expect("port for A");
    let pb = allocator.allocate(LOOPBACK).expect("port for B");
    a.room = pa.addr;
    b.room = pb.addr;
    rooms.join(a.join(pa.id, "1001"));
    // "You are the only person in this conference" is over by then.
    talk(&mut a, &mut b, 4_500).await;

    rooms.join(b.join(pb.id, "1002"));
    let (joined, _) = talk(&mut a, &mut b, 1_000).await;
    assert_notes(&joined, 660.0, 990.0, "a join rises");

    rooms.leave(pb.id);
    let (left, _) = talk(&mut a, &mut b, 1_000).await;
    assert_notes(&left, 990.0, 660.0, "a leave falls");
    rooms.leave(pa.id);
}

/// Whether participant `id` is listed as in the room (past the PIN).
fn in_room(rooms: &Conferences, id: EndpointId) -> Option<bool> {
    let listed = rooms.shared();
    let list = super::lock(&listed);
    list.values()
        .flatten()
        .find(|p| p.id == id.0)
        .map(|p| p.in_room)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_pin_lets_a_caller_in_and_three_wrong_ones_end_the_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store::Store::open(dir.path()).expect("store");
    store
        .create_conference_room("800", "Board", Some("4711"))
        .expect("room");
    let hash = store.conference_room_access().expect("rooms")[0]
        .pin_hash
        .clone();
    assert!(hash.is_some());
    let (mut rooms, mut allocator, mut events) = Conferences::new(47_200..=47_299);
    let mut a = Phone::new("PCMU", 0, 440.0).await;
    let mut b = Phone::new("PCMU", 0, 1000.0).await;
    let pa = allocator.allocate(LOOPBACK).expect("port for A");
    let pb = allocator.allocate(LOOPBACK).expect("port for B");
    a.room = pa.addr;
    b.room = pb.addr;
    for (phone, port, number) in [(&a, pa, "1001"), (&b, pb, "1002")] {
        let mut join = phone.join(port.id, number);
        join.pin_hash = hash.clone();
        rooms.join(join);
    }
    talk(&mut a, &mut b, 200).await;
    assert_eq!(
        in_room(&rooms, pa.id),
        Some(false),
        "A is asked for the PIN"
    );

    // Keys as SIP INFO brings them: a wrong PIN first, then the right one.
    for key in "1234#".chars() {
        rooms.key(pa.id, key);
    }
    talk(&mut a, &mut b, 1_000).await;
    assert_eq!(
        in_room(&rooms, pa.id),
        Some(false),
        "a wrong PIN keeps A out"
    );
    for key in "4711#".chars() {
        rooms.key(pa.id, key);
    }
    for _ in 0..50 {
        if in_room(&rooms, pa.id) == Some(true) {
            break;
        }
        talk(&mut a, &mut b, 100).await;
    }
    assert_eq!(
        in_room(&rooms, pa.id),
        Some(true),
        "the right PIN lets A in"
    );

    for _ in 0..3 {
        for key in "9#".chars() {
            rooms.key(pb.id, key);
        }
        talk(&mut a, &mut b, 1_000).await;
    }
    // "Too many wrong PINs", "goodbye", then B's call is ended.
    let left = loop {
        match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
            Ok(Some(ConferenceEvent::Left(id))) => break id,
            Ok(Some(ConferenceEvent::Changed(_))) => continue,
            other => panic!("no Left event: {other:?}"),
        }
    };
    assert_eq!(left, pb.id);
    assert_eq!(in_room(&rooms, pb.id), Some(false), "B never got in");
}
