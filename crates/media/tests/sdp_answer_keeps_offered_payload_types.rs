//! RFC 3264 §6.1 answers: a subset of the offer, with the offerer's numbers.

use media::sdp::{negotiate, SessionDescription, PCMA, PCMU, TELEPHONE_EVENT};

fn offer(m_line_and_attributes: &str) -> SessionDescription {
    let text = format!(
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n{m_line_and_attributes}"
    );
    SessionDescription::parse(&text).expect("valid sdp")
}

const OURS: [media::sdp::CodecSpec; 3] = [PCMU, PCMA, TELEPHONE_EVENT];

#[test]
fn answer_keeps_offer_order_and_dynamic_numbers() {
    let sdp = offer(
        "m=audio 4000 RTP/AVP 9 8 0 96\r\na=rtpmap:9 G722/8000\r\n\
         a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n",
    );
    let answer = negotiate(&sdp.media[0], &OURS);
    let got: Vec<_> = answer
        .iter()
        .map(|f| (f.payload_type, f.encoding.as_str(), f.fmtp.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (8, "PCMA", None),
            (0, "PCMU", None),
            (96, "telephone-event", Some("0-16"))
        ]
    );
}

#[test]
fn encoding_names_match_case_insensitively_and_rates_must_agree() {
    let sdp =
        offer("m=audio 4000 RTP/AVP 97 98\r\na=rtpmap:97 pcmu/8000\r\na=rtpmap:98 PCMA/16000\r\n");
    let answer = negotiate(&sdp.media[0], &OURS);
    let numbers: Vec<_> = answer.iter().map(|f| f.payload_type).collect();
    assert_eq!(numbers, [97]);
}

#[test]
fn dtmf_alone_is_no_answer() {
    let sdp = offer(
        "m=audio 4000 RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\n",
    );
    assert!(negotiate(&sdp.media[0], &OURS).is_empty());
}

#[test]
fn chosen_formats_can_be_written_into_the_answer() {
    let sdp = offer(
        "m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-15\r\na=ptime:20\r\n",
    );
    let chosen = negotiate(&sdp.media[0], &[PCMA, TELEPHONE_EVENT]);
    let mut answer = sdp.clone();
    answer.media[0].set_payload_formats(&chosen);
    let text = answer.to_string();
    assert!(text.contains("m=audio 4000 RTP/AVP 8 101\r\n"), "{text}");
    assert!(text.contains("a=rtpmap:8 PCMA/8000\r\n"));
    assert!(text.contains("a=fmtp:101 0-15\r\n"));
    assert!(text.contains("a=ptime:20\r\n"));
    let reparsed = SessionDescription::parse(&text).expect("answer parses");
    assert_eq!(reparsed.media[0].payload_formats(), chosen);
}

#[test]
fn a_description_we_write_ourselves_reads_back() {
    use media::sdp::Direction;
    let formats = [PCMU.format(0), PCMA.format(0), TELEPHONE_EVENT.format(101)];
    let addr = "[2001:db8::7]:40000".parse().unwrap();
    let sdp = SessionDescription::new_audio(42, 3, addr, &formats, Direction::SendOnly);
    let text = sdp.to_string();
    assert!(text.contains("m=audio 40000 RTP/AVP 0 8 101\r\n"), "{text}");
    assert!(text.contains("c=IN IP6 2001:db8::7\r\n"));
    let parsed = SessionDescription::parse(&text).expect("parses");
    assert_eq!(parsed, sdp);
    let audio = parsed.audio().expect("audio");
    assert_eq!(audio.socket_addr(), Some(addr));
    assert!(audio.is_hold(), "sendonly from us is a hold");
    assert_eq!(parsed.media[0].payload_formats(), formats);
    assert_eq!(formats[2].fmtp.as_deref(), Some("0-16"));
}
