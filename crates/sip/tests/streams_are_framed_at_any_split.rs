//! A byte stream is cut into the same messages however the bytes arrive; oversized
//! messages are refused before they are buffered; CRLF keep-alives are reported
//! (RFC 3261 §18.3, RFC 5626 §3.5.1).

use proptest::collection::vec;
use proptest::prelude::*;

use sip::{parse, Frame, FramingError, Message, StreamFramer};

const REGISTER: &[u8] = b"REGISTER sip:pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/TCP 10.0.0.5:50123;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\nTo: <sip:201@pbx.example.com>\r\n\
From: <sip:201@pbx.example.com>;tag=456248\r\nCall-ID: 843817637684230@998sdasdh09\r\n\
CSeq: 1826 REGISTER\r\nContact: <sip:201@10.0.0.5:50123;transport=tcp>\r\n\
Expires: 3600\r\nContent-Length: 0\r\n\r\n";

const MESSAGE: &[u8] = b"MESSAGE sip:201@pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/TCP 10.0.0.6;branch=z9hG4bK9\r\nMax-Forwards: 70\r\n\
To: <sip:201@pbx.example.com>\r\nFrom: <sip:202@pbx.example.com>;tag=9\r\n\
Call-ID: m1\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n\
l:\r\n 14\r\n\r\nhello\r\n\r\nthere";

/// Feeds `chunks` one at a time, draining frames after each.
fn frames(framer: &mut StreamFramer, chunks: &[&[u8]]) -> Vec<Result<Frame, FramingError>> {
    let mut out = Vec::new();
    for c in chunks {
        framer.push(c);
        while let Some(f) = framer.next() {
            out.push(f);
        }
    }
    out
}

fn both() -> Vec<u8> {
    [REGISTER, MESSAGE].concat()
}

fn expected() -> Vec<Result<Frame, FramingError>> {
    vec![
        Ok(Frame::Message(REGISTER.to_vec())),
        Ok(Frame::Message(MESSAGE.to_vec())),
    ]
}

#[test]
fn two_messages_in_one_read() {
    let mut f = StreamFramer::new();
    assert_eq!(frames(&mut f, &[&both()]), expected());
    assert_eq!(f.buffered(), 0);
    // The folded `l:` header was read: the body holds the CRLFs inside it.
    let Ok(Frame::Message(m)) = &expected()[1] else {
        unreachable!()
    };
    let Message::Request(r) = parse(m).unwrap() else {
        panic!("not a request")
    };
    assert_eq!(r.body, b"hello\r\n\r\nthere");
}

#[test]
fn split_at_every_byte_boundary() {
    let all = both();
    for cut in 0..=all.len() {
        let mut f = StreamFramer::new();
        let (a, b) = all.split_at(cut);
        assert_eq!(frames(&mut f, &[a, b]), expected(), "cut at {cut}");
    }
}

#[test]
fn one_byte_at_a_time() {
    let all = both();
    let chunks: Vec<&[u8]> = all.chunks(1).collect();
    assert_eq!(frames(&mut StreamFramer::new(), &chunks), expected());
}

proptest! {
    #[test]
    fn any_chunking_gives_the_same_frames(sizes in vec(1usize..200, 1..40)) {
        let all = both();
        let mut chunks = Vec::new();
        let mut rest: &[u8] = &all;
        for s in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (a, b) = rest.split_at((*s).min(rest.len()));
            chunks.push(a);
            rest = b;
        }
        prop_assert_eq!(frames(&mut StreamFramer::new(), &chunks), expected());
    }
}

#[test]
fn oversized_declared_length_is_refused_before_the_body_arrives() {
    let head = b"MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\
        Content-Length: 70000\r\n\r\n";
    let mut f = StreamFramer::new();
    f.push(head);
    assert_eq!(f.next(), Some(Err(FramingError::TooLarge)));
    assert_eq!(f.buffered(), 0);
    // The stream is finished: later bytes are not buffered or framed.
    f.push(REGISTER);
    assert_eq!(f.next(), None);
    assert_eq!(f.buffered(), 0);
}

#[test]
fn endless_header_section_is_refused_at_the_limit() {
    let mut f = StreamFramer::with_max_size(1024);
    f.push(b"OPTIONS sip:a@b SIP/2.0\r\n");
    let line = b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let mut result = None;
    for _ in 0..100 {
        f.push(line);
        if let Some(r) = f.next() {
            result = Some(r);
            break;
        }
    }
    assert_eq!(result, Some(Err(FramingError::TooLarge)));
    assert!(f.buffered() <= 1024 + line.len());
}

#[test]
fn a_message_of_exactly_the_limit_is_accepted() {
    let mut f = StreamFramer::with_max_size(REGISTER.len());
    f.push(REGISTER);
    assert_eq!(f.next(), Some(Ok(Frame::Message(REGISTER.to_vec()))));
    let mut f = StreamFramer::with_max_size(REGISTER.len() - 1);
    f.push(REGISTER);
    assert_eq!(f.next(), Some(Err(FramingError::TooLarge)));
}

#[test]
fn content_length_is_mandatory_and_unambiguous_on_a_stream() {
    let cases: [(&[u8], FramingError); 3] = [
        (
            b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n",
            FramingError::MissingContentLength,
        ),
        (
            b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n",
            FramingError::BadContentLength,
        ),
        (
            b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab",
            FramingError::BadContentLength,
        ),
    ];
    for (raw, err) in cases {
        let mut f = StreamFramer::new();
        f.push(raw);
        assert_eq!(f.next(), Some(Err(err)));
    }
}

#[test]
fn double_crlf_is_a_ping_and_single_crlf_a_pong() {
    let mut f = StreamFramer::new();
    let got = frames(&mut f, &[b"\r\n\r\n", REGISTER, b"\r\n"]);
    assert_eq!(
        got,
        vec![
            Ok(Frame::Ping),
            Ok(Frame::Message(REGISTER.to_vec())),
            Ok(Frame::Pong)
        ]
    );
}

#[test]
fn ping_split_across_reads_is_still_answered() {
    // The first half looks like a pong; the second half completes the ping.
    let mut f = StreamFramer::new();
    let got = frames(&mut f, &[b"\r\n", b"\r\n"]);
    assert_eq!(got, vec![Ok(Frame::Pong), Ok(Frame::Ping)]);
    let mut f = StreamFramer::new();
    let got = frames(&mut f, &[b"\r\n\r", b"\n"]);
    assert_eq!(got, vec![Ok(Frame::Ping)]);
}

#[test]
fn crlf_before_a_message_does_not_disturb_it() {
    let mut f = StreamFramer::new();
    let got = frames(&mut f, &[b"\r\nREGISTER", &REGISTER[8..]]);
    assert_eq!(
        got,
        vec![Ok(Frame::Pong), Ok(Frame::Message(REGISTER.to_vec()))]
    );
}
