//! The runtime against a scripted server over TLS: the server's INVITE offers SRTP (SDES),
//! the phone answers with a key of its own, its microphone's tone reaches the server as SRTP
//! that opens under that key, and the server's encrypted tone is what the phone plays; a
//! forged packet in the middle is not.

mod scripted_sip;
use scripted_sip::*;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use media::codec::{ulaw_decode, ulaw_encode};
use media::sdp::CryptoAttribute;
use media::srtp::{SrtpContext, SrtpKey, SrtpSuite};
use media::tone::detect_tone;
use phone::audio::{FileBackend, FileSource};
use phone::runtime::PhoneEvent;
use tokio::io::AsyncWriteExt;
use tokio::net::UdpSocket;

const PHONE_TONE: f64 = 1000.0;
const SERVER_TONE: f64 = 600.0;

/// 20 ms of PCMU carrying `hz`, starting at sample `at`.
fn tone_packet(seq: u16, at: u32, hz: f64) -> Vec<u8> {
    let mut p = vec![0x80, 0];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&at.to_be_bytes());
    p.extend_from_slice(&0x5eed_0001u32.to_be_bytes());
    for i in 0..160u32 {
        let t = f64::from(at + i) / 8000.0;
        let s = (8000.0 * (std::f64::consts::TAU * hz * t).sin()) as i16;
        p.push(ulaw_encode(s));
    }
    p
}

#[tokio::test]
async fn an_srtp_offer_over_tls_is_answered_and_tones_pass_encrypted_both_ways() {
    let rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let heard = dir.path().join("heard.wav");
    let audio = Arc::new(FileBackend::new(
        FileSource::Tone(PHONE_TONE),
        Some(heard.clone()),
        8000,
    ));
    let TlsRegistered {
        phone,
        mut events,
        mut tls,
        mut pending,
    } = register_over_tls(audio).await;

    let server_key = CryptoAttribute {
        tag: 1,
        suite: SrtpSuite::AesCm128HmacSha1_80,
        key: SrtpKey::random(),
    };
    let rtp_port = rtp.local_addr().unwrap().port();
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {rtp_port} RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n\
         a=crypto:{}\r\na=sendrecv\r\n",
        server_key.to_value()
    );
    let invite = format!(
        "INVITE sip:202@127.0.0.1;transport=tls SIP/2.0\r\n\
         Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKsrtp1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:201@127.0.0.1>;tag=a1\r\nTo: <sip:202@127.0.0.1>\r\n\
         Call-ID: srtp1@test\r\nCSeq: 1 INVITE\r\nContact: <sip:201@127.0.0.1:5061;transport=tls>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    tls.write_all(invite.as_bytes()).await.unwrap();
    let PhoneEvent::Incoming { call, .. } =
        next_event(&mut events, |e| matches!(e, PhoneEvent::Incoming { .. })).await
    else {
        unreachable!()
    };
    phone.answer(call).await.unwrap();
    let ok = read_sip(&mut tls, &mut pending).await;
    assert!(ok.starts_with("SIP/2.0 200"), "{ok}");
    assert!(ok.contains("RTP/SAVP"), "{ok}");
    let phone_key = ok
        .lines()
        .find_map(|l| l.strip_prefix("a=crypto:"))
        .and_then(CryptoAttribute::parse)
        .expect("a crypto line in the answer");
    assert_eq!(phone_key.tag, 1);
    assert_ne!(
        phone_key.key, server_key.key,
        "the phone sends under its own key"
    );
    let phone_rtp: u16 = ok
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|m| m.split(' ').next())
        .and_then(|p| p.parse().ok())
        .expect("an m=audio port in the answer");
    let to = header(&ok, "To")[0];
    let ack = format!(
        "ACK sip:202@127.0.0.1;transport=tls SIP/2.0\r\n\
         Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKack1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:201@127.0.0.1>;tag=a1\r\nTo: {to}\r\n\
         Call-ID: srtp1@test\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    );
    tls.write_all(ack.as_bytes()).await.unwrap();
    let codec = next_event(&mut events, |e| matches!(e, PhoneEvent::Codec { .. })).await;
    assert!(
        matches!(
            codec,
            PhoneEvent::Codec {
                encrypted: true,
                ..
            }
        ),
        "{codec:?}"
    );

    // One second of the server's tone, encrypted; a forged packet in the middle.
    let to_phone = SocketAddr::from(([127, 0, 0, 1], phone_rtp));
    let mut seal = SrtpContext::new(server_key.suite, &server_key.key);
    let mut open = SrtpContext::new(phone_key.suite, &phone_key.key);
    let mut sealed = Vec::new();
    let mut opened = Vec::new();
    let mut from_phone: Vec<i16> = Vec::new();
    let mut plain_seen = 0;
    let mut buf = [0u8; 2048];
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for i in 0..50u16 {
        tick.tick().await;
        seal.protect_rtp(
            &tone_packet(i, u32::from(i) * 160, SERVER_TONE),
            &mut sealed,
        )
        .unwrap();
        rtp.send_to(&sealed, to_phone).await.unwrap();
        if i == 25 {
            // Right header, wrong key: fails authentication, never played.
            let mut forged = SrtpContext::new(server_key.suite, &SrtpKey::random());
            forged
                .protect_rtp(&tone_packet(500, 0, PHONE_TONE), &mut sealed)
                .unwrap();
            rtp.send_to(&sealed, to_phone).await.unwrap();
        }
        while let Ok((n, _)) = rtp.try_recv_from(&mut buf) {
            if open.unprotect_rtp(&buf[..n], &mut opened).is_ok() {
                from_phone.extend(opened[12..].iter().map(|&b| ulaw_decode(b)));
            } else if n == 12 + 160 {
                plain_seen += 1;
            }
        }
    }
    assert_eq!(plain_seen, 0, "the phone sent plain RTP");
    assert!(from_phone.len() >= 8000 / 2, "{} samples", from_phone.len());
    let tail = &from_phone[from_phone.len() - 1600..];
    assert!(detect_tone(tail, 8000, PHONE_TONE) > 0.5);

    phone.hang_up(call).await.unwrap();
    let bye = read_sip(&mut tls, &mut pending).await;
    assert!(bye.starts_with("BYE "), "{bye}");
    tls.write_all(response(&bye, "200 OK", "").as_bytes())
        .await
        .unwrap();
    next_event(&mut events, |e| matches!(e, PhoneEvent::Ended { .. })).await;
    phone.shutdown().await.unwrap();

    // What the phone played: the server's tone, not the forged packet's.
    let played: Vec<i16> = hound::WavReader::open(&heard)
        .expect("heard.wav")
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    let voiced: Vec<&[i16]> = played
        .chunks(1600)
        .filter(|c| detect_tone(c, 8000, SERVER_TONE) > 0.5)
        .collect();
    assert!(
        voiced.len() >= 2,
        "{} blocks of the server's tone",
        voiced.len()
    );
    assert!(played
        .chunks(160)
        .all(|c| detect_tone(c, 8000, PHONE_TONE) < 0.5));
}
