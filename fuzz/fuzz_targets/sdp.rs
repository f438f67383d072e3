//! An SDP body from an INVITE or its answer: parsing, the offer/answer helpers the PBX
//! runs on it, and re-serialising must never panic.
#![no_main]

use std::net::{Ipv4Addr, SocketAddr};

use libfuzzer_sys::fuzz_target;
use media::sdp::{negotiate, SessionDescription, PCMA, PCMU, TELEPHONE_EVENT};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut sdp) = SessionDescription::parse(text) else {
        return;
    };
    if let Some(audio) = sdp.audio() {
        let _ = (audio.socket_addr(), audio.is_hold());
    }
    let supported = [PCMU, PCMA, TELEPHONE_EVENT];
    for media in &sdp.media {
        let _ = sdp.connection_for(media).map(|c| c.ip());
        let _ = sdp.direction_for(media);
        let _ = (media.ptime(), media.rtcp_port(), media.payload_formats());
        let _ = negotiate(media, &supported);
    }
    let written = sdp.to_string();
    assert!(
        SessionDescription::parse(&written).is_ok(),
        "a parsed description re-serialised does not parse: {written:?}"
    );
    sdp.anchor(
        SocketAddr::from((Ipv4Addr::new(192, 0, 2, 1), 40000)),
        Some(40001),
    );
    let anchored = sdp.to_string();
    assert!(
        SessionDescription::parse(&anchored).is_ok(),
        "an anchored description does not parse: {anchored:?}"
    );
});
