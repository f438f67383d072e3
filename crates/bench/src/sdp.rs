//! The SDP the simulated phones offer and answer: G.711 µ-law only, one audio stream.

use std::net::SocketAddr;

use media::sdp::SessionDescription;

/// An offer or answer with audio at `rtp`, PCMU (payload type 0), 20 ms packets.
pub fn description(rtp: SocketAddr, session_id: u64) -> String {
    let (family, ip) = match rtp {
        SocketAddr::V4(a) => ("IP4", a.ip().to_string()),
        SocketAddr::V6(a) => ("IP6", a.ip().to_string()),
    };
    format!(
        "v=0\r\no=bench {session_id} 1 IN {family} {ip}\r\ns=-\r\nc=IN {family} {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n",
        port = rtp.port()
    )
}

/// Where the other side wants audio sent, read from its description.
pub fn audio_address(body: &[u8]) -> Option<SocketAddr> {
    let text = std::str::from_utf8(body).ok()?;
    SessionDescription::parse(text).ok()?.audio()?.socket_addr()
}
