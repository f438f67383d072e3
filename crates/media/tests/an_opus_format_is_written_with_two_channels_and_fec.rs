//! RFC 7587 §7: Opus is offered as `opus/48000/2` on a dynamic payload type, and asks for
//! in-band FEC (§6.1); G.722 keeps its static number 9 (RFC 3551 §4.5.2).

use std::net::SocketAddr;

use media::sdp::{Direction, SessionDescription, G722, OPUS, PCMU, TELEPHONE_EVENT};

#[test]
fn opus_is_written_as_two_channels_at_48000_with_inband_fec() {
    let opus = OPUS.format(111);
    assert_eq!(opus.payload_type, 111);
    assert_eq!(opus.clock_rate, 48_000);
    assert_eq!(opus.channels, Some(2));
    assert_eq!(opus.fmtp.as_deref(), Some("useinbandfec=1"));

    let g722 = G722.format(111);
    assert_eq!((g722.payload_type, g722.clock_rate), (9, 8000));
    assert_eq!(g722.channels, None);

    let addr: SocketAddr = "192.0.2.1:4000".parse().unwrap();
    let formats = [
        OPUS.format(111),
        G722.format(0),
        PCMU.format(0),
        TELEPHONE_EVENT.format(101),
    ];
    let text = SessionDescription::new_audio(1, 1, addr, &formats, Direction::SendRecv).to_string();
    assert!(
        text.contains("m=audio 4000 RTP/AVP 111 9 0 101\r\n"),
        "{text}"
    );
    assert!(text.contains("a=rtpmap:111 opus/48000/2\r\n"), "{text}");
    assert!(text.contains("a=fmtp:111 useinbandfec=1\r\n"), "{text}");
    assert!(text.contains("a=rtpmap:9 G722/8000\r\n"), "{text}");
}
