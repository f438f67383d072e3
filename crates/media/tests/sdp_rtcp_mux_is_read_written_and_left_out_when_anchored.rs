//! RFC 5761 `a=rtcp-mux`: read and written on the audio section, and left out of a
//! description anchored at the relay, which keeps RTP and RTCP on separate sockets.

use std::net::SocketAddr;

use media::sdp::SessionDescription;

const MUXED: &str = "v=0\r\n\
o=phone 1 1 IN IP4 192.168.1.20\r\n\
s=-\r\n\
c=IN IP4 192.168.1.20\r\n\
t=0 0\r\n\
m=audio 16384 RTP/AVP 0 101\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=rtcp-mux\r\n\
a=sendrecv\r\n";

fn parse(text: &str) -> SessionDescription {
    SessionDescription::parse(text).expect("valid sdp")
}

#[test]
fn rtcp_mux_is_read_and_round_trips() {
    let sdp = parse(MUXED);
    assert!(sdp.media[0].rtcp_mux());
    assert!(parse(&sdp.to_string()).media[0].rtcp_mux());
    let plain = MUXED.replace("a=rtcp-mux\r\n", "");
    assert!(!parse(&plain).media[0].rtcp_mux());
}

#[test]
fn set_rtcp_mux_adds_it_once_and_removes_it() {
    let mut sdp = parse(MUXED);
    sdp.media[0].set_rtcp_mux(true);
    assert_eq!(sdp.to_string().matches("a=rtcp-mux").count(), 1);
    sdp.media[0].set_rtcp_mux(false);
    assert!(!sdp.to_string().contains("rtcp-mux"));
    assert!(!sdp.media[0].rtcp_mux());
}

#[test]
fn an_anchored_description_offers_no_mux_and_names_the_relay_rtcp_port() {
    let relay: SocketAddr = "203.0.113.5:30000".parse().unwrap();
    let mut sdp = parse(MUXED);
    sdp.anchor(relay, Some(30001));
    assert!(!sdp.media[0].rtcp_mux(), "{sdp}");
    assert_eq!(sdp.media[0].rtcp_port(), Some(30001));
    // Other attributes stay.
    assert!(sdp
        .to_string()
        .contains("a=rtpmap:101 telephone-event/8000"));
}
