//! The whole engine over loopback: a provider's call rings an extension's phone and is
//! answered. Recording is started by Call-ID while each side sends its own tone; the
//! provider then holds the call with a re-INVITE (a=sendonly) and the phone hears the
//! office's music on hold (a WAV with a known tone in the data folder); after resume it
//! hears the provider again. Music the owner puts in the data folder afterwards is what the
//! next hold plays. Stopping the recording gives a stereo WAV with the caller's tone on the
//! left and the callee's on the right.

mod relay_support;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use media::codec::{Codec, Pcmu};
use media::rtp::RtpPacket;
use media::tone::{detect_tone, Tone, ToneGenerator};
use pbx::dialplan::{BusinessName, Destination, DtmfMode, Trunk, TrunkAuth, TrunkTransport};
use tokio::net::UdpSocket;

const NUMBER: &str = "+442071234567";
const CALL_ID: &str = "held-call@provider.test";
const CALLER_HZ: f64 = 440.0;
const CALLEE_HZ: f64 = 1000.0;
const MUSIC_HZ: f64 = 700.0;
const OWN_MUSIC_HZ: f64 = 1500.0;
const PROVIDER_SSRC: u32 = 0xa;
const PATIENCE: Duration = Duration::from_secs(10);

/// A SIP message read as text.
#[derive(Debug, Clone)]
struct Msg {
    start: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Msg {
    fn parse(bytes: &[u8]) -> Msg {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.split("\r\n");
        let start = lines.next().unwrap_or_default().to_owned();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Msg {
            start,
            headers,
            body: body.to_owned(),
        }
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn status(&self) -> Option<u16> {
        self.start.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
    }

    fn method(&self) -> &str {
        self.start.split(' ').next().unwrap_or_default()
    }

    /// The URI in the Contact header, without angle brackets.
    fn contact_uri(&self) -> String {
        let c = self.header("Contact");
        let c = c.split_once('<').map_or(c, |(_, rest)| rest);
        c.split('>').next().unwrap_or_default().to_owned()
    }

    /// Where the SDP body asks audio to be sent.
    fn audio_addr(&self) -> SocketAddr {
        let sdp = media::sdp::SessionDescription::parse(&self.body).expect("SDP body");
        sdp.audio()
            .and_then(|a| a.socket_addr())
            .expect("an audio address")
    }
}

/// A UDP endpoint speaking SIP as text.
struct Endpoint {
    socket: UdpSocket,
}

impl Endpoint {
    async fn bind() -> Endpoint {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind");
        Endpoint { socket }
    }

    fn addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("addr")
    }

    async fn send(&self, to: SocketAddr, text: &str) {
        self.socket
            .send_to(text.as_bytes(), to)
            .await
            .expect("send");
    }

    /// The next message that `wanted` accepts, skipping retransmissions and the rest.
    async fn recv(&self, what: &str, wanted: impl Fn(&Msg) -> bool) -> (Msg, SocketAddr) {
        let mut buf = vec![0u8; 65_536];
        loop {
            let (len, from) = tokio::time::timeout(PATIENCE, self.socket.recv_from(&mut buf))
                .await
                .unwrap_or_else(|_| panic!("{what} in time"))
                .expect("recv");
            let msg = Msg::parse(&buf[..len]);
            if wanted(&msg) {
                return (msg, from);
            }
        }
    }
}

fn sdp(rtp: SocketAddr, version: u32, direction: &str) -> String {
    format!(
        "v=0\r\no=- 1 {version} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na={direction}\r\n",
        ip = rtp.ip(),
        port = rtp.port()
    )
}

/// A response to `request` with `status`, the To tag and an optional SDP body.
fn response(request: &Msg, status: &str, tag: &str, contact: &str, body: Option<&str>) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for via in request.all("Via") {
        out.push_str(&format!("Via: {via}\r\n"));
    }
    let to = request.header("To");
    let to = if to.contains(";tag=") {
        to.to_owned()
    } else {
        format!("{to};tag={tag}")
    };
    out.push_str(&format!(
        "From: {}\r\nTo: {to}\r\nCall-ID: {}\r\nCSeq: {}\r\nContact: <{contact}>\r\n",
        request.header("From"),
        request.header("Call-ID"),
        request.header("CSeq"),
    ));
    match body {
        Some(body) => out.push_str(&format!(
            "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )),
        None => out.push_str("Content-Length: 0\r\n\r\n"),
    }
    out
}

/// The provider's side of the dialog, enough for in-dialog requests.
struct ProviderDialog {
    target: String,
    from: String,
    to: String,
    cseq: u32,
}

impl ProviderDialog {
    fn request(&mut self, method: &str, local: SocketAddr, body: Option<&str>) -> String {
        if method != "ACK" {
            self.cseq += 1;
        }
        let mut out = format!(
            "{method} {target} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-{method}-{seq}\r\n\
             Max-Forwards: 70\r\nFrom: {from}\r\nTo: {to}\r\nCall-ID: {CALL_ID}\r\n\
             CSeq: {seq} {method}\r\nContact: <sip:provider@{local}>\r\n",
            target = self.target,
            from = self.from,
            to = self.to,
            seq = self.cseq,
        );
        match body {
            Some(body) => out.push_str(&format!(
                "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )),
            None => out.push_str("Content-Length: 0\r\n\r\n"),
        }
        out
    }
}

/// Writes the data folder's music on hold: 2 s of a tone.
fn music_wav(dir: &Path, hz: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let path = dir.join(engine::relay::OWN_MUSIC);
    let mut writer = hound::WavWriter::create(path, spec).expect("create WAV");
    let mut samples = vec![0i16; 32000];
    ToneGenerator::new(Tone::continuous(hz), 16000).fill(&mut samples);
    for s in samples {
        writer.write_sample(s).expect("write");
    }
    writer.finalize().expect("finalize");
}

fn office(dir: &Path, provider: SocketAddr, phone: SocketAddr) {
    let store = store::Store::open(dir).expect("store");
    store
        .create_extension("201", "Bob", "switchboard", 0)
        .expect("extension");
    store
        .upsert_binding(&store::Binding {
            extension: "201".into(),
            contact: format!("sip:201@{phone}"),
            instance: None,
            transport: store::Transport::Udp,
            source: phone,
            user_agent: Some("test phone".into()),
            expires_at: i64::MAX / 2,
            call_id: "reg@phone".into(),
            cseq: 1,
            updated_at: 0,
        })
        .expect("binding");
    let trunk = store
        .save_trunk(&Trunk {
            id: 0,
            name: "Provider".into(),
            enabled: true,
            host: provider.ip().to_string(),
            port: Some(provider.port()),
            transport: TrunkTransport::Udp,
            outbound_proxy: None,
            auth: TrunkAuth::Ip {
                allowed: vec![provider.ip().to_string()],
            },
            channels: 2,
            codecs: vec!["PCMU".into()],
            dtmf: DtmfMode::Rfc4733,
            from_user: None,
            caller_id: None,
            trust_pai: false,
            overflow: None,
            default_destination: Destination::Hangup,
        })
        .expect("trunk");
    store
        .save_business_name(&BusinessName {
            id: 0,
            name: "sales.acme".into(),
            number: NUMBER.into(),
            label: "Sales".into(),
            trunk: Some(trunk),
            destination: Destination::Extension("201".into()),
        })
        .expect("business name");
}

/// 20 ms of a tone as a PCMU RTP packet.
fn voice(generator: &mut ToneGenerator, ssrc: u32, seq: u16) -> Vec<u8> {
    let mut pcm = [0i16; 160];
    generator.fill(&mut pcm);
    let mut payload = Vec::new();
    Pcmu::new().encode(&pcm, &mut payload);
    let mut packet = Vec::new();
    RtpPacket::new(0, seq, u32::from(seq) * 160, ssrc, &payload).write(&mut packet);
    packet
}

/// Both ends of the call as the test drives them.
struct Dialogue<'a> {
    provider: &'a Endpoint,
    phone: &'a Endpoint,
    pbx: SocketAddr,
    dialog: &'a mut ProviderDialog,
    /// The provider's and the phone's RTP addresses.
    media: (SocketAddr, SocketAddr),
}

impl Dialogue<'_> {
    /// The provider re-INVITEs offering `offered` (SDP version `version`); the PBX passes
    /// it to the phone, which answers `answered`; the provider ACKs the PBX's 200.
    async fn reinvite(&mut self, version: u32, offered: &str, answered: &str) {
        let local = self.provider.addr();
        let offer = sdp(self.media.0, version, offered);
        let invite = self.dialog.request("INVITE", local, Some(&offer));
        let seq = self.dialog.cseq;
        self.provider.send(self.pbx, &invite).await;
        // The PBX anchors the offer and raises its version by one.
        let origin = format!("o=- 1 {} ", version + 1);
        let direction = format!("a={offered}");
        let (forwarded, from) = self
            .phone
            .recv("the re-INVITE reaches the phone", |m| {
                m.method() == "INVITE" && m.body.contains(&origin) && m.body.contains(&direction)
            })
            .await;
        let answer = sdp(self.media.1, version, answered);
        let contact = format!("sip:201@{}", self.phone.addr());
        let ok = response(&forwarded, "200 OK", "bob", &contact, Some(&answer));
        self.phone.send(from, &ok).await;
        let cseq = format!("{seq} INVITE");
        self.provider
            .recv("the re-INVITE is answered", |m| {
                m.status() == Some(200) && m.header("CSeq") == cseq
            })
            .await;
        let ack = self.dialog.request("ACK", local, None);
        self.provider.send(self.pbx, &ack).await;
    }
}

/// Sends 3 s of the caller's tone from `socket` in the background; gives the socket back.
fn keep_talking(
    socket: UdpSocket,
    to: SocketAddr,
    first: u16,
) -> tokio::task::JoinHandle<UdpSocket> {
    tokio::spawn(async move {
        let mut generator = ToneGenerator::new(Tone::continuous(CALLER_HZ), 8000);
        let mut pace = tokio::time::interval(Duration::from_millis(20));
        for seq in first..first + 150 {
            pace.tick().await;
            let _ = socket
                .send_to(&voice(&mut generator, PROVIDER_SSRC, seq), to)
                .await;
        }
        socket
    })
}

/// Of the 100 ms blocks of `samples` that are not silent, the share whose main
/// frequency is `hz`.
fn share(samples: &[i16], hz: f64) -> f64 {
    let loud: Vec<&[i16]> = samples
        .chunks_exact(800)
        .filter(|b| b.iter().any(|s| s.unsigned_abs() > 1000))
        .collect();
    assert!(!loud.is_empty(), "the channel has audio");
    let matching = loud
        .iter()
        .filter(|b| detect_tone(b, 8000, hz) > 0.8)
        .count();
    matching as f64 / loud.len() as f64
}

/// Receives RTP until `count` packets with (`from_provider`) or without the provider's
/// SSRC have arrived; returns their decoded audio.
async fn hear(socket: &UdpSocket, count: usize, from_provider: bool) -> Vec<i16> {
    let mut buf = [0u8; 2048];
    let mut heard = Vec::new();
    let mut got = 0;
    let mut skipped = 0;
    while got < count {
        let (len, _) = tokio::time::timeout(PATIENCE, socket.recv_from(&mut buf))
            .await
            .expect("RTP in time")
            .expect("recv");
        let Ok(packet) = RtpPacket::parse(&buf[..len]) else {
            continue;
        };
        if (packet.ssrc == PROVIDER_SSRC) != from_provider {
            skipped += 1;
            assert!(skipped < 1000, "the expected stream never came");
            continue;
        }
        Pcmu::new().decode(Some(packet.payload), &mut heard);
        got += 1;
    }
    heard
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_call_hears_music_resumes_and_its_recording_has_each_side_in_its_channel() {
    let dir = tempfile::tempdir().expect("temp dir");
    let provider = Endpoint::bind().await;
    let phone = Endpoint::bind().await;
    let provider_rtp = relay_support::socket_on(relay_support::LOOPBACK).await;
    let phone_rtp = relay_support::socket_on(relay_support::LOOPBACK).await;
    music_wav(dir.path(), MUSIC_HZ);
    office(dir.path(), provider.addr(), phone.addr());
    let engine = engine::start(engine::Config {
        data_dir: dir.path().to_path_buf(),
        listen: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))],
        tls_listen: Vec::new(),
        rtp_ports: 44000..=44099,
        realm: "switchboard".into(),
    })
    .await
    .expect("PBX starts");
    let handle = engine.handle.clone();
    let pbx = handle.sip_addrs()[0];
    let local = provider.addr();

    // The provider calls the business number; the extension's phone answers.
    let mut dialog = ProviderDialog {
        target: format!("sip:{NUMBER}@{pbx}"),
        from: format!("\"Jane Doe\" <sip:+441632960001@{local}>;tag=jane"),
        to: format!("<sip:{NUMBER}@{pbx}>"),
        cseq: 0,
    };
    let offer = sdp(relay_support::addr_of(&provider_rtp), 1, "sendrecv");
    let invite = dialog.request("INVITE", local, Some(&offer));
    provider.send(pbx, &invite).await;
    let (ring, from) = phone
        .recv("the phone rings", |m| m.method() == "INVITE")
        .await;
    let relay_for_phone = ring.audio_addr();
    let phone_contact = format!("sip:201@{}", phone.addr());
    let answer = sdp(relay_support::addr_of(&phone_rtp), 1, "sendrecv");
    phone
        .send(
            from,
            &response(&ring, "200 OK", "bob", &phone_contact, Some(&answer)),
        )
        .await;
    let (ok, _) = provider
        .recv("the call is answered", |m| {
            m.status() == Some(200) && m.header("CSeq").ends_with("INVITE")
        })
        .await;
    let relay_for_provider = ok.audio_addr();
    dialog.to = ok.header("To").to_owned();
    dialog.target = ok.contact_uri();
    let ack = dialog.request("ACK", local, None);
    provider.send(pbx, &ack).await;

    // Recording starts by Call-ID; each side talks in its own tone.
    let path = handle
        .start_recording(CALL_ID)
        .await
        .expect("running")
        .expect("the answered call is recorded");
    assert!(path.starts_with(dir.path().join("recordings")));
    let mut caller = ToneGenerator::new(Tone::continuous(CALLER_HZ), 8000);
    let mut callee = ToneGenerator::new(Tone::continuous(CALLEE_HZ), 8000);
    let mut pace = tokio::time::interval(Duration::from_millis(20));
    for seq in 0..50u16 {
        pace.tick().await;
        let a = voice(&mut caller, PROVIDER_SSRC, seq);
        let b = voice(&mut callee, 0xb, seq);
        provider_rtp
            .send_to(&a, relay_for_provider)
            .await
            .expect("send");
        phone_rtp.send_to(&b, relay_for_phone).await.expect("send");
    }
    let before_hold = hear(&phone_rtp, 20, true).await;
    assert!(
        detect_tone(&before_hold, 8000, CALLER_HZ) > 0.8,
        "the phone hears the caller"
    );

    // Hold: the provider's re-INVITE is passed to the phone, which answers recvonly.
    let media = (
        relay_support::addr_of(&provider_rtp),
        relay_support::addr_of(&phone_rtp),
    );
    let mut call = Dialogue {
        provider: &provider,
        phone: &phone,
        pbx,
        dialog: &mut dialog,
        media,
    };
    call.reinvite(2, "sendonly", "recvonly").await;
    // The provider keeps sending (as some phones do): the held phone hears music only.
    let sender = keep_talking(provider_rtp, relay_for_provider, 1000);
    let music = hear(&phone_rtp, 25, false).await;
    assert!(
        detect_tone(&music, 8000, MUSIC_HZ) > 0.8,
        "the held phone hears the music"
    );
    assert!(detect_tone(&music, 8000, CALLER_HZ) < 0.05);
    let provider_rtp = sender.await.expect("sender");

    // Resume: the phone hears the provider again.
    call.reinvite(3, "sendrecv", "sendrecv").await;
    let sender = keep_talking(provider_rtp, relay_for_provider, 2000);
    let resumed = hear(&phone_rtp, 20, true).await;
    assert!(
        detect_tone(&resumed, 8000, CALLER_HZ) > 0.8,
        "the provider is heard again"
    );
    let provider_rtp = sender.await.expect("sender");

    // The owner puts their own music in the data folder: the next hold plays it.
    music_wav(dir.path(), OWN_MUSIC_HZ);
    handle.reload_music_on_hold().await.expect("running");
    call.reinvite(4, "sendonly", "recvonly").await;
    let sender = keep_talking(provider_rtp, relay_for_provider, 3000);
    let music = hear(&phone_rtp, 25, false).await;
    assert!(
        detect_tone(&music, 8000, OWN_MUSIC_HZ) > 0.8,
        "the held phone hears the owner's music"
    );
    sender.await.expect("sender");

    // Stopping gives the finished file.
    let written = handle
        .stop_recording(CALL_ID)
        .await
        .expect("running")
        .expect("the recording is written");
    assert_eq!(written, path);
    let mut reader = hound::WavReader::open(&written).expect("a WAV");
    assert_eq!(reader.spec().channels, 2);
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let right: Vec<i16> = samples.iter().skip(1).step_by(2).copied().collect();
    // The caller talked in three stretches (each starting its tone afresh), so the
    // channels are judged 100 ms at a time.
    let (caller_left, callee_left) = (share(&left, CALLER_HZ), share(&left, CALLEE_HZ));
    let (callee_right, caller_right) = (share(&right, CALLEE_HZ), share(&right, CALLER_HZ));
    assert!(caller_left > 0.8, "the caller on the left: {caller_left}");
    assert!(callee_left < 0.1, "{callee_left}");
    assert!(
        callee_right > 0.8,
        "the callee on the right: {callee_right}"
    );
    assert!(caller_right < 0.1, "{caller_right}");
    assert_eq!(
        handle.stop_recording(CALL_ID).await.expect("running"),
        None,
        "stopped once"
    );

    let bye = dialog.request("BYE", local, None);
    provider.send(pbx, &bye).await;
    handle.shutdown().await;
    engine.wait().await;
}
