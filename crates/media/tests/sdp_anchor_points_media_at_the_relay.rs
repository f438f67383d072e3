//! Rewriting a peer's SDP so its audio comes to the PBX's relay.

use std::net::SocketAddr;

use media::sdp::{Attribute, Direction, SessionDescription};

fn parse(text: &str) -> SessionDescription {
    SessionDescription::parse(text).expect("valid sdp")
}

const OFFER: &str = "v=0\r\n\
o=phone 55 7 IN IP4 192.168.1.20\r\n\
s=-\r\n\
c=IN IP4 192.168.1.20\r\n\
t=0 0\r\n\
m=audio 16384 RTP/AVP 0 8 101\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=rtcp:16385 IN IP4 192.168.1.20\r\n\
a=candidate:1 1 UDP 2130706431 192.168.1.20 16384 typ host\r\n\
a=x-keep:me\r\n\
a=sendrecv\r\n\
m=video 16400 RTP/AVP 96\r\n\
c=IN IP4 192.168.1.20\r\n\
a=rtpmap:96 H264/90000\r\n";

#[test]
fn anchored_offer_names_only_the_relay() {
    let relay: SocketAddr = "203.0.113.5:30000".parse().unwrap();
    let mut sdp = parse(OFFER);
    sdp.anchor(relay, Some(30001));
    let text = sdp.to_string();

    assert!(
        !text.contains("192.168.1.20"),
        "phone address leaked:\n{text}"
    );
    let audio = sdp.audio().expect("audio");
    assert_eq!(audio.socket_addr(), Some(relay));
    assert_eq!(sdp.origin.connection.address, "203.0.113.5");
    assert_eq!(sdp.origin.session_version, 8);
    assert_eq!(sdp.media[0].rtcp_port(), Some(30001));
    assert!(text.contains("a=rtcp:30001 IN IP4 203.0.113.5\r\n"));
    assert!(!text.contains("candidate"));
    // The non-audio stream cannot be relayed, so it is disabled.
    assert_eq!(sdp.media[1].port, 0);
}

#[test]
fn anchoring_keeps_codecs_direction_and_unknown_attributes() {
    let original = parse(OFFER);
    let mut sdp = original.clone();
    sdp.anchor("203.0.113.5:30000".parse().unwrap(), None);
    assert_eq!(sdp.media[0].formats, original.media[0].formats);
    assert_eq!(
        sdp.media[0].payload_formats(),
        original.media[0].payload_formats()
    );
    assert_eq!(sdp.media[0].direction(), Some(Direction::SendRecv));
    assert!(sdp.media[0].attributes.contains(&Attribute::Other {
        name: "x-keep".into(),
        value: Some("me".into())
    }));
    assert_eq!(
        sdp.media[0].rtcp_port(),
        None,
        "a=rtcp dropped without an RTCP port"
    );
}

#[test]
fn anchoring_the_same_offer_twice_gives_the_same_version() {
    let relay = "203.0.113.5:30000".parse().unwrap();
    let mut first = parse(OFFER);
    first.anchor(relay, None);
    let mut again = parse(OFFER);
    again.anchor(relay, None);
    assert_eq!(first, again);
}

#[test]
fn old_style_hold_stays_a_hold_after_anchoring() {
    let text = OFFER.replace("c=IN IP4 192.168.1.20", "c=IN IP4 0.0.0.0");
    let mut sdp = parse(&text);
    sdp.anchor("[2001:db8::5]:30000".parse().unwrap(), None);
    let audio = sdp.audio().expect("audio");
    assert!(audio.is_hold());
    assert_eq!(audio.port, 30000);
    assert!(sdp.to_string().contains("c=IN IP6 ::\r\n"));
    assert!(
        sdp.to_string().contains("IN IP6 2001:db8::5\r\n"),
        "o= unbracketed"
    );
}

#[test]
fn media_level_connection_is_added_when_the_session_has_none() {
    let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n\
                m=audio 4000 RTP/AVP 0\r\nc=IN IP4 10.0.0.1\r\n";
    let mut sdp = parse(text);
    sdp.anchor("198.51.100.1:20000".parse().unwrap(), None);
    assert_eq!(sdp.connection, None);
    assert_eq!(
        sdp.media[0].connection.as_ref().map(|c| c.address.as_str()),
        Some("198.51.100.1")
    );
}

#[test]
fn rejected_audio_stream_stays_rejected() {
    let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
                m=audio 0 RTP/AVP 0\r\n";
    let mut sdp = parse(text);
    sdp.anchor("198.51.100.1:20000".parse().unwrap(), None);
    assert_eq!(sdp.media[0].port, 0);
    assert_eq!(sdp.audio().and_then(|a| a.socket_addr()), None);
}
