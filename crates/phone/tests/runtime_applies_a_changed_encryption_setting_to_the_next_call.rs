//! The encryption setting changed on a running phone applies to its next call, with the
//! account still signed in (no new REGISTER, one TLS connection): over TLS "auto" offers
//! SRTP, "off" offers plain RTP/AVP with no key, and "required" refuses the server's plain
//! offer with 488.

mod scripted_sip;
use scripted_sip::*;

use std::sync::Arc;

use phone::audio::FileBackend;
use phone::call_media::SrtpMode;
use phone::runtime::Phone;
use tokio::io::AsyncWriteExt;
use tokio_rustls::server::TlsStream;

type Tls = TlsStream<tokio::net::TcpStream>;

/// The phone's next request other than an ACK (the ACK of a refused call's 486).
async fn next_request(tls: &mut Tls, pending: &mut Vec<u8>) -> String {
    loop {
        let msg = read_sip(tls, pending).await;
        if !msg.starts_with("ACK ") {
            return msg;
        }
    }
}

/// The phone calls 300; the server answers 486 once it has the INVITE, which it returns.
async fn dial_and_refuse(phone: &Phone, tls: &mut Tls, pending: &mut Vec<u8>) -> String {
    phone.dial("300").await.unwrap();
    let invite = next_request(tls, pending).await;
    assert!(
        invite.starts_with("INVITE "),
        "not signed in again: {invite}"
    );
    tls.write_all(response(&invite, "486 Busy Here", "").as_bytes())
        .await
        .unwrap();
    invite
}

#[tokio::test]
async fn the_encryption_setting_applies_to_the_next_call_without_signing_in_again() {
    let TlsRegistered {
        phone,
        events: _,
        mut tls,
        mut pending,
    } = register_over_tls(Arc::new(FileBackend::null())).await;

    // Automatic, over TLS: SRTP with a key.
    let invite = dial_and_refuse(&phone, &mut tls, &mut pending).await;
    assert!(
        invite.contains("RTP/SAVP") && invite.contains("a=crypto:"),
        "{invite}"
    );

    // Never: plain RTP/AVP and no key, on the same connection and registration.
    phone.set_srtp(SrtpMode::Off).await.unwrap();
    let invite = dial_and_refuse(&phone, &mut tls, &mut pending).await;
    assert!(
        invite.contains("m=audio ") && invite.contains(" RTP/AVP "),
        "{invite}"
    );
    assert!(!invite.contains("a=crypto"), "{invite}");

    // Always: the server's plain offer is refused.
    phone.set_srtp(SrtpMode::Required).await.unwrap();
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    let plain = format!(
        "INVITE sip:202@127.0.0.1;transport=tls SIP/2.0\r\n\
         Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKplain1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:201@127.0.0.1>;tag=p1\r\nTo: <sip:202@127.0.0.1>\r\n\
         Call-ID: plain1@test\r\nCSeq: 1 INVITE\r\nContact: <sip:201@127.0.0.1:5061;transport=tls>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    tls.write_all(plain.as_bytes()).await.unwrap();
    let refused = next_request(&mut tls, &mut pending).await;
    assert!(refused.starts_with("SIP/2.0 488"), "{refused}");
    assert!(refused.contains("Call-ID: plain1@test"), "{refused}");

    // And back to automatic: SRTP offered again.
    phone.set_srtp(SrtpMode::Auto).await.unwrap();
    let invite = dial_and_refuse(&phone, &mut tls, &mut pending).await;
    assert!(invite.contains("RTP/SAVP"), "{invite}");
    phone.shutdown().await.unwrap();
}
