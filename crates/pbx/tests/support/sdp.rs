//! The SDP the simulated phones write and the checks tests make on what they receive.

use std::net::SocketAddr;

use media::sdp::{Direction, SessionDescription};

/// What a phone offers unless a test says otherwise: G.711 µ-law, A-law and RFC 4733
/// events.
pub fn g711_formats() -> Vec<(u8, String)> {
    vec![
        (0, "PCMU/8000".into()),
        (8, "PCMA/8000".into()),
        (101, "telephone-event/8000".into()),
    ]
}

/// A G.711 audio offer or answer from a phone whose RTP socket is `media`.
pub fn body(media: SocketAddr, version: u64, direction: Direction) -> String {
    body_with(media, version, direction, &g711_formats())
}

/// An audio offer or answer listing `formats` (payload type, `encoding/rate`) in order;
/// telephone-event formats get the DTMF events `0-16`.
pub fn body_with(
    media: SocketAddr,
    version: u64,
    direction: Direction,
    formats: &[(u8, String)],
) -> String {
    let ip = media.ip();
    let dir = match direction {
        Direction::SendRecv => "sendrecv",
        Direction::SendOnly => "sendonly",
        Direction::RecvOnly => "recvonly",
        Direction::Inactive => "inactive",
    };
    let numbers: Vec<String> = formats.iter().map(|(pt, _)| pt.to_string()).collect();
    let mut maps = String::new();
    for (pt, encoding) in formats {
        maps.push_str(&format!("a=rtpmap:{pt} {encoding}\r\n"));
        if encoding.starts_with("telephone-event/") {
            maps.push_str(&format!("a=fmtp:{pt} 0-16\r\n"));
        }
    }
    format!(
        "v=0\r\n\
         o=- 4711 {version} IN IP4 {ip}\r\n\
         s=-\r\n\
         c=IN IP4 {ip}\r\n\
         t=0 0\r\n\
         m=audio {port} RTP/AVP {numbers}\r\n\
         {maps}\
         a={dir}\r\n",
        port = media.port(),
        numbers = numbers.join(" "),
    )
}

/// Parses a body the PBX sent; a test failure when it is not SDP.
pub fn parse(body: &[u8]) -> SessionDescription {
    let text = std::str::from_utf8(body).expect("SDP is UTF-8");
    SessionDescription::parse(text).expect("SDP parses")
}

/// The encodings of the audio stream in order, e.g. `["PCMA", "telephone-event"]`.
pub fn encodings(sdp: &SessionDescription) -> Vec<String> {
    sdp.media
        .iter()
        .find(|m| m.media == "audio")
        .map(|m| {
            m.payload_formats()
                .into_iter()
                .map(|f| f.encoding)
                .collect()
        })
        .unwrap_or_default()
}

/// Where the description asks for audio to be sent.
pub fn audio_addr(sdp: &SessionDescription) -> Option<SocketAddr> {
    sdp.audio().and_then(|a| a.socket_addr())
}

pub fn direction(sdp: &SessionDescription) -> Option<Direction> {
    sdp.audio().map(|a| a.direction)
}
