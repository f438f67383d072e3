//! Real-world SDP shapes parse into the fields the PBX uses.

use std::net::{IpAddr, SocketAddr};

use media::sdp::{Attribute, Direction, SessionDescription};

const DESK_PHONE: &str = "v=0\r\n\
o=- 1718 1718 IN IP4 192.168.1.20\r\n\
s=SIP Call\r\n\
c=IN IP4 192.168.1.20\r\n\
t=0 0\r\n\
m=audio 16384 RTP/AVP 0 8 9 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:9 G722/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=ptime:20\r\n\
a=rtcp:16385 \r\n\
a=x-vendor-thing:42\r\n\
a=sendrecv\r\n";

fn parse(text: &str) -> SessionDescription {
    match SessionDescription::parse(text) {
        Ok(sdp) => sdp,
        Err(e) => panic!("parse failed: {e}"),
    }
}

#[test]
fn desk_phone_offer_exposes_audio_address_codecs_and_attributes() {
    let sdp = parse(DESK_PHONE);
    assert_eq!(sdp.origin.session_version, 1718);
    assert_eq!(sdp.session_name, "SIP Call");
    let audio = sdp.audio().expect("audio stream");
    assert_eq!(
        audio.socket_addr(),
        Some("192.168.1.20:16384".parse().unwrap())
    );
    assert_eq!(audio.direction, Direction::SendRecv);
    assert!(!audio.is_hold());

    let m = &sdp.media[0];
    assert_eq!(m.formats, ["0", "8", "9", "101"]);
    assert_eq!(m.ptime(), Some(20));
    assert_eq!(m.rtcp_port(), Some(16385));
    let names: Vec<_> = m
        .payload_formats()
        .into_iter()
        .map(|f| f.encoding)
        .collect();
    assert_eq!(names, ["PCMU", "PCMA", "G722", "telephone-event"]);
    assert!(m.attributes.contains(&Attribute::Other {
        name: "x-vendor-thing".into(),
        value: Some("42".into())
    }));
}

#[test]
fn unknown_attributes_survive_a_print_and_parse() {
    let sdp = parse(DESK_PHONE);
    let text = sdp.to_string();
    assert!(text.contains("a=x-vendor-thing:42\r\n"));
    assert!(text.contains("a=fmtp:101 0-15\r\n"));
    assert_eq!(parse(&text), sdp);
}

#[test]
fn bare_lf_line_ends_are_accepted() {
    let sdp = parse(&DESK_PHONE.replace("\r\n", "\n"));
    assert_eq!(sdp, parse(DESK_PHONE));
}

#[test]
fn ipv6_addresses_are_read_without_brackets() {
    let text = "v=0\r\no=alice 1 2 IN IP6 2001:db8::1\r\ns=-\r\nt=0 0\r\n\
                m=audio 5004 RTP/AVP 0\r\nc=IN IP6 2001:db8::2\r\n";
    let sdp = parse(text);
    assert_eq!(sdp.origin.connection.address, "2001:db8::1");
    let audio = sdp.audio().expect("audio");
    let expected: IpAddr = "2001:db8::2".parse().unwrap();
    assert_eq!(audio.address, Some(expected));
    assert_eq!(audio.socket_addr(), Some(SocketAddr::new(expected, 5004)));
    assert!(sdp.to_string().contains("c=IN IP6 2001:db8::2\r\n"));
}

#[test]
fn media_level_connection_overrides_session_level() {
    let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
                m=audio 4000 RTP/AVP 8\r\nc=IN IP4 10.0.0.9\r\n";
    let audio = parse(text).audio().expect("audio");
    assert_eq!(audio.socket_addr(), Some("10.0.0.9:4000".parse().unwrap()));
}

#[test]
fn hold_is_recognised_in_each_of_its_spellings() {
    let base = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let cases = [
        ("c=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n", true),
        (
            "c=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n",
            true,
        ),
        (
            "c=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=inactive\r\n",
            true,
        ),
        (
            "c=IN IP4 10.0.0.1\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\n",
            true,
        ),
        (
            "c=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\na=recvonly\r\n",
            false,
        ),
        ("c=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n", false),
    ];
    for (tail, hold) in cases {
        let audio = parse(&format!("{base}{tail}")).audio().expect("audio");
        assert_eq!(audio.is_hold(), hold, "{tail}");
    }
}

#[test]
fn media_direction_overrides_session_direction() {
    let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
                a=sendonly\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n";
    assert_eq!(
        parse(text).audio().map(|a| a.direction),
        Some(Direction::SendRecv)
    );
}

#[test]
fn first_audio_stream_with_a_port_is_the_audio_stream() {
    let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
                m=video 6000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
                m=audio 0 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 8\r\n";
    let audio = parse(text).audio().expect("audio");
    assert_eq!((audio.index, audio.port), (2, 4002));
}

#[test]
fn malformed_descriptions_are_errors() {
    for bad in [
        "",
        "o=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n",
        "v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n",
        "v=0\r\ns=-\r\n",
        "v=0\r\no=- 1 x IN IP4 1.2.3.4\r\ns=-\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio port RTP/AVP 0\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 4000 RTP/AVP 300\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nnonsense\r\n",
    ] {
        assert!(SessionDescription::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn malformed_known_attributes_are_kept_verbatim() {
    let text = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n\
                m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\na=ptime:abc\r\n";
    let sdp = parse(text);
    assert_eq!(sdp.media[0].ptime(), None);
    assert!(sdp
        .to_string()
        .contains("a=rtpmap:0 PCMU\r\na=ptime:abc\r\n"));
}
