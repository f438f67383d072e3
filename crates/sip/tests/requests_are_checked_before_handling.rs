//! `check_request` refuses what a UAS must not act on, with the status and headers
//! RFC 3261 §8.2 asks for, and lets ordinary requests through.

use sip::{check_request, parse, Message, Request, RequestCheck};

const OK: &str = "INVITE sip:300@pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1\r\n\
Max-Forwards: 70\r\nTo: <sip:300@pbx.example.com>\r\n\
From: <sip:201@pbx.example.com>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n\
Contact: <sip:201@10.0.0.5>\r\nContent-Type: application/sdp\r\n\
Content-Length: 4\r\n\r\nv=0\n";

/// `OK` with `find` replaced by `replace`.
fn req(find: &str, replace: &str) -> Request {
    assert!(OK.contains(find), "{find}");
    let text = OK.replacen(find, replace, 1);
    match parse(text.as_bytes()).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => panic!("not a request"),
    }
}

fn status(r: &Request) -> Option<u16> {
    check_request(r).err().map(|e| e.status)
}

#[test]
fn an_ordinary_invite_passes() {
    assert_eq!(status(&req("", "")), None);
}

#[test]
fn missing_mandatory_headers_are_400() {
    for h in [
        "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1\r\n",
        "To: <sip:300@pbx.example.com>\r\n",
        "From: <sip:201@pbx.example.com>;tag=1\r\n",
        "Call-ID: c1\r\n",
        "CSeq: 1 INVITE\r\n",
    ] {
        let r = req(h, "");
        let rej = check_request(&r).unwrap_err();
        assert_eq!(rej.status, 400, "{h}");
        assert!(rej.reason.starts_with("Bad Request"), "{}", rej.reason);
    }
}

#[test]
fn missing_max_forwards_is_tolerated_for_rfc_2543_peers() {
    assert_eq!(status(&req("Max-Forwards: 70\r\n", "")), None);
}

#[test]
fn duplicated_single_headers_are_400() {
    assert_eq!(
        status(&req("Call-ID: c1\r\n", "Call-ID: c1\r\nCall-ID: c2\r\n")),
        Some(400)
    );
    assert_eq!(
        status(&req(
            "Max-Forwards: 70\r\n",
            "Max-Forwards: 70\r\nMax-Forwards: 69\r\n"
        )),
        Some(400)
    );
    // Via may repeat.
    assert_eq!(
        status(&req(
            "Max-Forwards",
            "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK2\r\nMax-Forwards"
        )),
        None
    );
}

#[test]
fn cseq_method_must_match() {
    assert_eq!(status(&req("CSeq: 1 INVITE", "CSeq: 1 BYE")), Some(400));
}

#[test]
fn unknown_methods_are_501_before_other_checks() {
    let r = req("INVITE sip:", "FROB sip:");
    assert_eq!(status(&r), Some(501));
}

#[test]
fn unsupported_uri_schemes_are_416_but_tel_is_fine() {
    assert_eq!(
        status(&req(
            "INVITE sip:300@pbx.example.com",
            "INVITE im:300@pbx.example.com"
        )),
        Some(416)
    );
    assert_eq!(
        status(&req(
            "INVITE sip:300@pbx.example.com",
            "INVITE tel:+15551234567"
        )),
        None
    );
}

#[test]
fn require_lists_unsupported_extensions() {
    let r = req("Contact:", "Require: 100rel, replaces\r\nContact:");
    let rej = check_request(&r).unwrap_err();
    assert_eq!(rej.status, 420);
    assert_eq!(rej.headers.get("Unsupported"), Some("100rel, replaces"));
    let check = RequestCheck {
        supported: vec!["replaces".into(), "100rel".into()],
        ..RequestCheck::default()
    };
    assert_eq!(check.check(&r), Ok(()));
}

#[test]
fn ack_and_cancel_ignore_require() {
    let r = req("Contact:", "Require: foo\r\nContact:");
    let mut ack = r.clone();
    ack.method = sip::Method::Ack;
    ack.headers.set("CSeq", "1 ACK");
    assert_eq!(check_request(&ack), Ok(()));
}

#[test]
fn unknown_body_types_and_encodings_are_415_with_what_works() {
    let rej = check_request(&req("application/sdp", "application/x-frob")).unwrap_err();
    assert_eq!(rej.status, 415);
    assert!(rej
        .headers
        .get("Accept")
        .unwrap()
        .contains("application/sdp"));
    let rej = check_request(&req("Contact:", "Content-Encoding: gzip\r\nContact:")).unwrap_err();
    assert_eq!(rej.status, 415);
    assert_eq!(rej.headers.get("Accept-Encoding"), Some("identity"));
    // Parameters and case do not matter.
    assert_eq!(
        status(&req("application/sdp", "Application/SDP; charset=utf-8")),
        None
    );
}

#[test]
fn an_invite_refusing_sdp_answers_is_406() {
    assert_eq!(
        status(&req("Contact:", "Accept: text/plain\r\nContact:")),
        Some(406)
    );
    assert_eq!(
        status(&req(
            "Contact:",
            "Accept: text/plain, application/sdp\r\nContact:"
        )),
        None
    );
    assert_eq!(status(&req("Contact:", "Accept: */*\r\nContact:")), None);
}

#[test]
fn rejection_becomes_a_response_with_its_headers() {
    let r = req("Contact:", "Require: foo\r\nContact:");
    let resp = check_request(&r).unwrap_err().to_response(&r);
    assert_eq!(resp.status, 420);
    assert_eq!(resp.call_id(), Some("c1"));
    assert_eq!(resp.headers.get("Unsupported"), Some("foo"));
    assert_eq!(resp.cseq(), r.cseq());
}
