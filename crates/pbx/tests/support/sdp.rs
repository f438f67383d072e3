//! The SDP the simulated phones write and the checks tests make on what they receive.

use std::net::SocketAddr;

use media::sdp::{Direction, SessionDescription};

/// A G.711 audio offer or answer from a phone whose RTP socket is `media`.
pub fn body(media: SocketAddr, version: u64, direction: Direction) -> String {
    let ip = media.ip();
    let dir = match direction {
        Direction::SendRecv => "sendrecv",
        Direction::SendOnly => "sendonly",
        Direction::RecvOnly => "recvonly",
        Direction::Inactive => "inactive",
    };
    format!(
        "v=0\r\n\
         o=- 4711 {version} IN IP4 {ip}\r\n\
         s=-\r\n\
         c=IN IP4 {ip}\r\n\
         t=0 0\r\n\
         m=audio {port} RTP/AVP 0 8 101\r\n\
         a=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-16\r\n\
         a={dir}\r\n",
        port = media.port(),
    )
}

/// Parses a body the PBX sent; a test failure when it is not SDP.
pub fn parse(body: &[u8]) -> SessionDescription {
    let text = std::str::from_utf8(body).expect("SDP is UTF-8");
    SessionDescription::parse(text).expect("SDP parses")
}

/// Where the description asks for audio to be sent.
pub fn audio_addr(sdp: &SessionDescription) -> Option<SocketAddr> {
    sdp.audio().and_then(|a| a.socket_addr())
}

pub fn direction(sdp: &SessionDescription) -> Option<Direction> {
    sdp.audio().map(|a| a.direction)
}
