//! A request that cannot be parsed is answered 400 (505 for another SIP version) from the
//! headers that can still be read; responses, ACKs and requests without a Via are dropped.

use sip::{error_response, parse, ParseError};

fn answer(raw: &str) -> Option<sip::Response> {
    let err = parse(raw.as_bytes()).unwrap_err();
    error_response(raw.as_bytes(), &err)
}

const BAD_FROM: &str = "OPTIONS sip:a@example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK1;rport\r\n\
v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK0\r\n\
From: Bell, Alexander <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n\
Call-ID: x1\r\nCSeq: 7\r\n OPTIONS\r\nContent-Length: 0\r\n\r\n";

#[test]
fn bad_request_copies_the_identity_headers() {
    let resp = answer(BAD_FROM).unwrap();
    assert_eq!((resp.status, resp.reason.as_str()), (400, "Bad Request"));
    let vias: Vec<_> = resp.headers.get_all("Via").collect();
    assert_eq!(
        vias,
        vec![
            "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK1;rport",
            "SIP/2.0/UDP proxy.example.com;branch=z9hG4bK0"
        ]
    );
    assert_eq!(
        resp.headers.get("From"),
        Some("Bell, Alexander <sip:a@example.com>;tag=1")
    );
    assert_eq!(resp.call_id(), Some("x1"));
    // The folded CSeq is read whole.
    assert_eq!(resp.headers.get("CSeq"), Some("7 OPTIONS"));
    // RFC 3261 §8.2.6.2: the To gets a tag, the same one for a retransmission.
    let tag = resp.to().unwrap().tag().unwrap().to_owned();
    assert_eq!(
        answer(BAD_FROM).unwrap().to().unwrap().tag(),
        Some(tag.as_str())
    );
    // The headers go back as written, even the malformed From: the client matches the
    // answer by its Via branch and CSeq (RFC 3261 §17.1.3).
    let bytes = String::from_utf8(resp.to_bytes()).unwrap();
    assert!(bytes.contains("\r\nFrom: Bell, Alexander <sip:a@example.com>;tag=1\r\n"));
}

#[test]
fn the_answer_parses_when_only_another_header_was_bad() {
    let raw = BAD_FROM
        .replace("Bell, Alexander", "\"Bell, Alexander\"")
        .replace(
            "Content-Length: 0",
            "Contact: <sip:a@10.0.0.5>;;\r\nContent-Length: 0",
        );
    let resp = answer(&raw).unwrap();
    let sip::Message::Response(back) = parse(&resp.to_bytes()).unwrap() else {
        panic!("not a response")
    };
    assert_eq!(back.status, 400);
    assert_eq!(
        back.from().unwrap().display_name.as_deref(),
        Some("Bell, Alexander")
    );
    assert!(back.to().unwrap().tag().is_some());
    assert_eq!(back.vias().len(), 2);
}

#[test]
fn another_sip_version_is_505() {
    let raw = BAD_FROM.replace(
        "OPTIONS sip:a@example.com SIP/2.0",
        "OPTIONS sip:a@example.com SIP/3.0",
    );
    assert_eq!(parse(raw.as_bytes()).unwrap_err(), ParseError::Version);
    assert_eq!(answer(&raw).unwrap().status, 505);
}

#[test]
fn an_existing_to_tag_is_kept() {
    let raw = BAD_FROM.replace("To: <sip:b@example.com>", "To: <sip:b@example.com>;tag=abc");
    assert_eq!(answer(&raw).unwrap().to().unwrap().tag(), Some("abc"));
}

#[test]
fn responses_acks_and_via_less_requests_are_dropped() {
    assert!(
        answer("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: x\r\n\r\n").is_none()
    );
    let ack = BAD_FROM
        .replace("OPTIONS sip:", "ACK sip:")
        .replace("7\r\n OPTIONS", "7 ACK");
    assert!(answer(&ack).is_none());
    let no_via = "OPTIONS sip:a@b SIP/2.0\r\nFrom: ,\r\nCall-ID: x\r\n\r\n";
    assert!(answer(no_via).is_none());
}

#[test]
fn a_truncated_datagram_is_still_answered() {
    let raw = "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: y\r\n\
        CSeq: 1 INVITE\r\nContent-Length: 100\r\n\r\nv=0";
    assert_eq!(parse(raw.as_bytes()).unwrap_err(), ParseError::Truncated);
    let resp = answer(raw).unwrap();
    assert_eq!(resp.status, 400);
    assert_eq!(resp.call_id(), Some("y"));
}
