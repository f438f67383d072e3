//! Bytes from the network never panic the message layer, and whatever parses answers its
//! typed accessors (a header that parsing accepted never reads back as absent).

#[path = "support/torture.rs"]
mod torture;

use proptest::collection::vec;
use proptest::prelude::*;

use sip::{check_request, error_response, parse, Frame, Message, StreamFramer};

/// Runs everything the engine would run on received bytes.
fn exercise(data: &[u8]) {
    match parse(data) {
        Ok(Message::Request(r)) => {
            let _ = check_request(&r);
            assert_accessors(
                &r.headers,
                r.vias(),
                r.from(),
                r.to(),
                r.cseq(),
                r.contacts(),
            );
            let _ = (r.routes(), r.record_routes(), r.expires(), r.max_forwards());
            // What parsed must print and parse again.
            let again = parse(&r.to_bytes());
            assert!(again.is_ok(), "{again:?}");
        }
        Ok(Message::Response(r)) => {
            assert_accessors(
                &r.headers,
                r.vias(),
                r.from(),
                r.to(),
                r.cseq(),
                r.contacts(),
            );
            assert!(parse(&r.to_bytes()).is_ok());
        }
        Err(e) => {
            if let Some(resp) = error_response(data, &e) {
                assert!(resp.status == 400 || resp.status == 505);
                let _ = resp.to_bytes();
            }
        }
    }
    let mut framer = StreamFramer::with_max_size(4096);
    for chunk in data.chunks(7) {
        framer.push(chunk);
        while let Some(f) = framer.next() {
            if let Ok(Frame::Message(m)) = f {
                let _ = parse(&m);
            }
        }
    }
}

fn assert_accessors(
    h: &sip::Headers,
    vias: Vec<sip::Via>,
    from: Option<sip::NameAddr>,
    to: Option<sip::NameAddr>,
    cseq: Option<sip::CSeq>,
    contacts: Option<sip::Contacts>,
) {
    assert_eq!(h.contains("Via"), !vias.is_empty());
    assert_eq!(h.contains("From"), from.is_some());
    assert_eq!(h.contains("To"), to.is_some());
    assert_eq!(h.contains("CSeq"), cseq.is_some());
    assert_eq!(h.contains("Contact"), contacts.is_some());
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b" ".to_vec()),
        Just(b";".to_vec()),
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"<".to_vec()),
        Just(b"[".to_vec()),
        Just(b":".to_vec()),
        Just(b"%".to_vec()),
        Just(b"\r\n ".to_vec()),
        Just("é".as_bytes().to_vec()),
        vec(any::<u8>(), 1..4),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), interesting).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..20).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut data: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        if data.is_empty() {
            break;
        }
        match m {
            Mutation::Flip(i, b) => {
                let i = i % data.len();
                data[i] = *b;
            }
            Mutation::Insert(i, bytes) => {
                let i = i % (data.len() + 1);
                data.splice(i..i, bytes.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let i = i % data.len();
                let end = (i + n).min(data.len());
                data.drain(i..end);
            }
            Mutation::Truncate(i) => data.truncate(i % data.len()),
        }
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(data in vec(any::<u8>(), 0..600)) {
        exercise(&data);
    }

    #[test]
    fn sip_looking_lines(lines in vec(prop_oneof![
        Just("INVITE sip:a@b SIP/2.0".to_owned()),
        Just("SIP/2.0 200 OK".to_owned()),
        Just("Via: SIP/2.0/UDP h;branch=z9hG4bK1".to_owned()),
        Just("Content-Length: 3".to_owned()),
        Just("l: 0".to_owned()),
        Just("".to_owned()),
        "[A-Za-z-]{1,8} ?: ?[ -~]{0,30}",
        "[ \t][ -~]{0,10}",
    ], 0..12)) {
        exercise(lines.join("\r\n").as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_torture_messages(muts in vec(mutation(), 1..6)) {
        for name in torture::all() {
            exercise(&apply(torture::wire(&name), &muts));
        }
    }
}

#[test]
fn every_torture_message_survives_every_truncation() {
    for name in torture::all() {
        let raw = torture::wire(&name);
        for end in 0..raw.len() {
            exercise(&raw[..end]);
        }
    }
}
