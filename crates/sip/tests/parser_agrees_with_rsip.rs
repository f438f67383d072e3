//! Cross-check against rsip, an independent parser: where both read a message, they agree
//! on the fields transactions and dialogs are keyed on, and rsip reads what we print.

#[path = "support/torture.rs"]
mod torture;

use rsip::prelude::*;
use sip::{parse, Message};

/// The fields both parsers must agree on, as text.
#[derive(Debug, PartialEq)]
struct Key {
    method: Option<String>,
    status: Option<u16>,
    call_id: String,
    cseq: (u32, String),
    branch: Option<String>,
    from_tag: Option<String>,
    to_tag: Option<String>,
}

fn ours(raw: &[u8]) -> Option<Key> {
    let m = parse(raw).ok()?;
    let (method, status) = match &m {
        Message::Request(r) => (Some(r.method.to_string()), None),
        Message::Response(r) => (None, Some(r.status)),
    };
    let (from, to) = match &m {
        Message::Request(r) => (r.from()?, r.to()?),
        Message::Response(r) => (r.from()?, r.to()?),
    };
    let cseq = m.cseq()?;
    Some(Key {
        method,
        status,
        call_id: m.call_id()?.to_owned(),
        cseq: (cseq.seq, cseq.method.to_string()),
        branch: m.top_via()?.branch().map(str::to_owned),
        from_tag: from.tag().map(str::to_owned),
        to_tag: to.tag().map(str::to_owned),
    })
}

fn theirs(raw: &[u8]) -> Option<Key> {
    let m = rsip::SipMessage::try_from(raw).ok()?;
    let (method, status) = match &m {
        rsip::SipMessage::Request(r) => (Some(r.method.to_string()), None),
        rsip::SipMessage::Response(r) => (None, Some(u16::from(r.status_code.clone()))),
    };
    let cseq = m.cseq_header().ok()?.typed().ok()?;
    let via = m.via_header().ok()?.typed().ok()?;
    Some(Key {
        method,
        status,
        call_id: m.call_id_header().ok()?.value().to_owned(),
        cseq: (cseq.seq, cseq.method.to_string()),
        branch: via.branch().map(|b| b.to_string()),
        from_tag: m.from_header().ok()?.tag().ok()?.map(|t| t.to_string()),
        to_tag: m.to_header().ok()?.tag().ok()?.map(|t| t.to_string()),
    })
}

#[test]
fn torture_messages_both_parsers_read_agree() {
    let mut compared = 0;
    for name in torture::all() {
        let raw = torture::wire(&name);
        if let (Some(a), Some(b)) = (ours(&raw), theirs(&raw)) {
            assert_eq!(a, b, "{name}");
            compared += 1;
        }
    }
    // Most of the valid plain messages are readable by both.
    assert!(compared >= 15, "only {compared} compared");
}

#[test]
fn rsip_reads_what_we_print() {
    let raw = b"INVITE sip:300@pbx.example.com SIP/2.0\r\n\
        v: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK77;rport\r\n\
        Max-Forwards: 70\r\nt: <sip:300@pbx.example.com>\r\n\
        f: \"Front Desk\" <sip:201@pbx.example.com>;tag=ab\r\n\
        i: c-99@10.0.0.5\r\nCSeq: 5\r\n INVITE\r\nm: <sip:201@10.0.0.5:5062>\r\n\
        c: application/sdp\r\nl: 4\r\n\r\nv=0\n";
    let ours_first = ours(raw).unwrap();
    // rsip cannot read compact or folded headers; our serialisation writes neither.
    assert!(theirs(raw).is_none());
    let printed = parse(raw).unwrap().to_bytes();
    assert_eq!(theirs(&printed), Some(ours_first));
    let m = rsip::SipMessage::try_from(printed.as_slice()).unwrap();
    assert_eq!(m.body(), b"v=0\n");
}
