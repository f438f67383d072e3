//! Call media is set up from what the user agent reports of the far end's answer, stops
//! sending while the far end does not want media, and ignores datagrams that are not
//! its stream without panicking.

mod call_media_sim;

use std::time::Instant;

use call_media_sim::{spec, Rng, Sine, TICK};
use media::rtp::RtpPacket;
use media::sdp::{Direction, PayloadFormat};
use phone::call_media::{CallMedia, CodecSpec};
use phone::ua::RemoteMedia;

fn remote(codec: Option<PayloadFormat>, direction: Direction) -> RemoteMedia {
    RemoteMedia {
        addr: Some("192.0.2.7:4000".parse().expect("addr")),
        codec,
        telephone_event: Some(101),
        direction,
        srtp: None,
        rtcp: Some("192.0.2.7:4001".parse().expect("addr")),
        rtcp_mux: false,
    }
}

fn opus() -> PayloadFormat {
    PayloadFormat {
        payload_type: 111,
        encoding: "opus".into(),
        clock_rate: 48_000,
        channels: Some(2),
        fmtp: Some("useinbandfec=1".into()),
    }
}

#[test]
fn the_answers_format_sets_up_the_codec_and_payload_types() {
    let spec = CodecSpec::from_remote(&remote(Some(opus()), Direction::SendRecv), 42)
        .expect("a voice format was agreed");
    assert_eq!(spec.payload_type, 111);
    assert_eq!(spec.telephone_event, Some(101));
    let mut media = CallMedia::new(&spec).expect("opus");
    assert_eq!(media.sample_rate(), 16_000);
    assert_eq!(media.frame_samples(), 320);
    let now = Instant::now();
    let sent = media.send_frame(now, &Sine::new(500.0, 16_000).frame(320));
    let packet = RtpPacket::parse(&sent[0]).expect("rtp");
    assert_eq!(packet.payload_type, 111);
    assert_eq!(packet.ssrc, media.ssrc());
    assert!(packet.marker, "the first packet starts a talkspurt");
    assert!(!packet.payload.is_empty());

    assert_eq!(
        CodecSpec::from_remote(&remote(None, Direction::SendRecv), 1),
        None
    );
    let mut unknown = spec.clone();
    unknown.encoding = "GSM".into();
    unknown.clock_rate = 8000;
    assert!(CallMedia::new(&unknown).is_err());
}

#[test]
fn nothing_is_sent_while_the_far_end_is_sendonly_or_inactive() {
    let mut media = CallMedia::new(&spec("PCMA", 8, 8000, 3)).expect("pcma");
    let now = Instant::now();
    let frame = vec![100i16; 160];
    let first = media.send_frame(now, &frame);
    let seq = RtpPacket::parse(&first[0]).expect("rtp").sequence;
    media.set_remote_direction(Direction::SendOnly);
    assert!(media.send_frame(now + TICK, &frame).is_empty());
    media.set_remote_direction(Direction::Inactive);
    assert!(media.send_frame(now + TICK * 2, &frame).is_empty());
    media.set_remote_direction(Direction::RecvOnly);
    let resumed = media.send_frame(now + TICK * 3, &frame);
    let packet = RtpPacket::parse(&resumed[0]).expect("rtp");
    assert!(packet.marker);
    assert_eq!(
        packet.sequence,
        seq.wrapping_add(1),
        "no gap in sequence numbers"
    );
    let first_ts = RtpPacket::parse(&first[0]).expect("rtp").timestamp;
    assert_eq!(
        packet.timestamp,
        first_ts.wrapping_add(3 * 160),
        "time kept"
    );
}

#[test]
fn random_datagrams_and_other_streams_never_panic_or_play() {
    let start = Instant::now();
    let mut media = CallMedia::new(&spec("opus", 111, 48_000, 4)).expect("opus");
    let mut rng = Rng::new(99);
    for i in 0..3000u32 {
        let now = start + TICK * (i / 10);
        let len = (rng.next_u64() % 200) as usize;
        let mut datagram: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        if i % 2 == 0 && datagram.len() > 12 {
            // A valid RTP version, but a payload type that is not ours.
            datagram[0] = 0x80;
            datagram[1] = 96;
        }
        if i % 7 == 0 && datagram.len() > 12 {
            // Our payload type with garbage for Opus to decode.
            datagram[0] = 0x80;
            datagram[1] = 111;
        }
        media.receive_rtp(now, &datagram);
        let frame = media.next_frame(now);
        assert_eq!(frame.len(), 320);
        if i % 3 == 0 {
            media.receive_rtp(
                now,
                &[0x80, 101, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 99, 0x80, 0, 160],
            );
        }
    }
    // Event 99 is no key, and garbage telephone-events report none either.
    assert_eq!(media.poll_key(), None);
}
