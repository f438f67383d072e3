//! Any request we can build prints to bytes that parse back to the same request, and
//! responses built with `Response::for_request` do too.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use sip::{
    parse, CSeq, Host, Message, Method, NameAddr, Params, Request, Response, Scheme, Transport,
    Uri, Via,
};

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Invite),
        Just(Method::Ack),
        Just(Method::Bye),
        Just(Method::Cancel),
        Just(Method::Register),
        Just(Method::Options),
        Just(Method::Info),
        Just(Method::Update),
        Just(Method::Prack),
        Just(Method::Subscribe),
        Just(Method::Notify),
        Just(Method::Refer),
        Just(Method::Message),
        Just(Method::Publish),
        "[A-Za-z0-9.!%*_+`'~-]{1,12}".prop_map(|m| m.parse().unwrap()),
    ]
}

fn host() -> impl Strategy<Value = Host> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,8}(\\.[a-z][a-z0-9-]{0,8}){0,3}".prop_map(Host::Domain),
        any::<[u8; 4]>().prop_map(|o| Host::V4(o.into())),
        any::<[u16; 8]>().prop_map(|s| Host::V6(s.into())),
    ]
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9.!%*_+`'~-]{1,10}"
}

/// Escaped octets are written as %HH, so generate those whole.
fn escaped_text(chars: &'static str) -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            4 => proptest::string::string_regex(chars).unwrap(),
            1 => any::<u8>().prop_map(|b| format!("%{b:02X}")),
        ],
        1..5,
    )
    .prop_map(|v| v.concat())
}

fn uri_params() -> impl Strategy<Value = Params> {
    vec(
        (
            escaped_text("[A-Za-z0-9_.!~*'()\\[\\]/:&+$-]{1,6}"),
            option::of(escaped_text("[A-Za-z0-9_.!~*'()\\[\\]/:&+$-]{1,6}")),
        ),
        0..3,
    )
    .prop_map(Params::from)
}

fn header_params() -> impl Strategy<Value = Params> {
    vec((token(), option::of(token())), 0..3).prop_map(Params::from)
}

fn uri() -> impl Strategy<Value = Uri> {
    (
        prop_oneof![Just(Scheme::Sip), Just(Scheme::Sips)],
        option::of(escaped_text("[A-Za-z0-9_.!~*'()&=+$,;?/-]{1,8}")),
        option::of(escaped_text("[A-Za-z0-9_.!~*'()&=+$,-]{0,6}")),
        host(),
        option::of(any::<u16>()),
        uri_params(),
        vec(
            (
                escaped_text("[A-Za-z0-9_.!~*'()\\[\\]/?:+$-]{1,6}"),
                "[A-Za-z0-9_.!~*'()\\[\\]/?:+$-]{0,6}",
            ),
            0..2,
        ),
    )
        .prop_map(
            |(scheme, user, password, host, port, params, headers)| Uri {
                scheme,
                password: user.as_ref().and(password),
                user,
                host,
                port,
                params,
                headers,
            },
        )
}

fn name_addr() -> impl Strategy<Value = NameAddr> {
    (
        option::of(any::<String>().prop_map(|s| s.replace(['\r', '\n'], ""))),
        uri(),
        header_params(),
    )
        .prop_map(|(display_name, uri, params)| NameAddr {
            display_name,
            uri,
            params,
        })
}

fn via() -> impl Strategy<Value = Via> {
    (
        prop_oneof![
            Just(Transport::Udp),
            Just(Transport::Tcp),
            Just(Transport::Tls)
        ],
        host(),
        option::of(any::<u16>()),
        token(),
        header_params(),
    )
        .prop_map(|(t, h, p, branch, extra)| {
            let mut v = Via::new(t, h, p, &format!("z9hG4bK{branch}"));
            for (n, val) in extra.iter() {
                v.params.push(n, val);
            }
            v
        })
}

/// Extension header values: printable text without leading or trailing whitespace.
fn ext_value() -> impl Strategy<Value = String> {
    "[!-~]([ -~]{0,20}[!-~])?"
}

prop_compose! {
    fn request()(
        method in method(),
        uri in uri(),
        vias in vec(via(), 1..4),
        from in name_addr(),
        to in name_addr(),
        call_id in "[A-Za-z0-9.!%*_+`'~()<>:\\\\\"/\\[\\]?{}-]{1,20}(@[a-z0-9.]{1,10})?",
        seq in any::<u32>(),
        max_forwards in 0u32..=255,
        contacts in vec(name_addr(), 0..3),
        extra in vec(("X-[A-Za-z0-9-]{1,10}", ext_value()), 0..4),
        body in vec(any::<u8>(), 0..200),
    ) -> Request {
        let mut r = Request::new(method.clone(), uri);
        for v in &vias {
            r.headers.push("Via", v.to_string());
        }
        r.headers.push("From", from.to_string());
        r.headers.push("To", to.to_string());
        r.headers.push("Call-ID", call_id);
        r.headers.push("CSeq", CSeq { seq, method }.to_string());
        r.headers.push("Max-Forwards", max_forwards.to_string());
        for c in &contacts {
            r.headers.push("Contact", c.to_string());
        }
        for (n, v) in extra {
            r.headers.push(&n, v);
        }
        r.body = body;
        r
    }
}

fn reparse(bytes: &[u8]) -> Message {
    let mut m = parse(bytes).unwrap();
    // Serialisation adds Content-Length; the built message had none.
    assert_eq!(m.headers_mut().remove("Content-Length"), 1);
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn built_requests_round_trip(req in request()) {
        let bytes = req.to_bytes();
        prop_assert_eq!(reparse(&bytes), Message::Request(req.clone()));
    }

    #[test]
    fn typed_values_survive_the_trip(req in request()) {
        let Message::Request(back) = reparse(&req.to_bytes()) else { panic!("not a request") };
        prop_assert_eq!(back.vias(), req.vias());
        prop_assert_eq!(back.from(), req.from());
        prop_assert_eq!(back.to(), req.to());
        prop_assert_eq!(back.cseq(), req.cseq());
        prop_assert_eq!(back.contacts(), req.contacts());
        prop_assert!(back.from().is_some() && back.cseq().is_some() && back.top_via().is_some());
    }

    #[test]
    fn responses_for_requests_round_trip(req in request(), status in 100u16..700, reason in "[ -~]{0,20}") {
        let resp = Response::for_request(&req, status, &reason);
        prop_assert_eq!(resp.vias(), req.vias());
        prop_assert_eq!(resp.call_id(), req.call_id());
        prop_assert_eq!(reparse(&resp.to_bytes()), Message::Response(resp));
    }

    #[test]
    fn uris_round_trip(u in uri()) {
        let text = u.to_string();
        prop_assert_eq!(text.parse::<Uri>().unwrap(), u);
    }
}

#[test]
fn content_length_follows_the_body_not_the_header() {
    let mut r = Request::new(Method::Message, "sip:a@example.com".parse().unwrap());
    r.headers.push("Content-Length", "999");
    r.headers.push("Content-Type", "text/plain");
    r.body = b"hello".to_vec();
    let text = String::from_utf8(r.to_bytes()).unwrap();
    assert!(text.contains("Content-Length: 5\r\n\r\nhello"));
    assert!(!text.contains("999"));
}

#[test]
fn line_breaks_in_built_values_cannot_inject_headers() {
    let mut r = Request::new(Method::Options, "sip:a@example.com".parse().unwrap());
    r.headers.push("Subject", "hi\r\nVia: SIP/2.0/UDP evil");
    let mut to = NameAddr::new("sip:b@example.com".parse().unwrap());
    to.display_name = Some("B\r\nRoute: <sip:evil>".into());
    r.headers.push("To", to.to_string());
    let Message::Request(back) = parse(&r.to_bytes()).unwrap() else {
        panic!("not a request")
    };
    assert!(!back.headers.contains("Via"));
    assert!(!back.headers.contains("Route"));
    assert_eq!(
        back.headers.get("Subject"),
        Some("hi  Via: SIP/2.0/UDP evil")
    );
}

#[test]
fn response_copies_only_the_transaction_headers() {
    let raw = b"INVITE sip:b@example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n\
        Via: SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n\
        From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n\
        Call-ID: c1\r\nCSeq: 1 INVITE\r\nContact: <sip:a@10.0.0.1>\r\n\
        Timestamp: 54\r\nContent-Length: 0\r\n\r\n";
    let Message::Request(req) = parse(raw).unwrap() else {
        panic!("not a request")
    };
    let resp = Response::for_request(&req, 180, "Ringing");
    let names: Vec<_> = resp.headers.iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec!["Via", "Via", "From", "To", "Call-ID", "CSeq"]);
    let trying = Response::for_request(&req, 100, "Trying");
    assert_eq!(trying.headers.get("Timestamp"), Some("54"));
}
