//! Every RFC 4475 and RFC 5118 torture message gets the reaction its RFC asks for, as a
//! datagram and on a stream. Section numbers are RFC 4475's unless noted.

#[path = "support/torture.rs"]
mod torture;

use sip::{check_request, error_response, parse, Frame, FramingError, Message, StreamFramer};
use torture::{request, wire};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    /// Parses; a request passes `check_request`.
    Accept,
    /// Parses; `check_request` refuses with this status.
    Check(u16),
    /// Does not parse; `error_response` answers with this status.
    Reject(u16),
    /// Does not parse and gets no answer (a malformed response).
    Drop,
}
use Verdict::*;

const CASES: &[(&str, Verdict)] = &[
    // §3.1.1: valid messages.
    ("rfc4475/wsinv.dat", Accept),
    // An extension method is handled normally, which for a UAS means 501 (RFC 3261 §8.2.1).
    ("rfc4475/intmeth.dat", Check(501)),
    ("rfc4475/esc01.dat", Accept),
    ("rfc4475/escnull.dat", Accept),
    // RE%47IST%45R is an extension method, not REGISTER.
    ("rfc4475/esc02.dat", Check(501)),
    ("rfc4475/lwsdisp.dat", Accept),
    ("rfc4475/longreq.dat", Accept),
    ("rfc4475/dblreq.dat", Accept),
    ("rfc4475/semiuri.dat", Accept),
    ("rfc4475/transports.dat", Accept),
    ("rfc4475/mpart01.dat", Accept),
    ("rfc4475/unreason.dat", Accept),
    ("rfc4475/noreason.dat", Accept),
    // §3.1.2: invalid messages.
    ("rfc4475/badinv01.dat", Reject(400)),
    ("rfc4475/clerr.dat", Reject(400)),
    // §3.1.2.7: a negative Content-Length gets an error; the rest of the datagram is
    // discarded.
    ("rfc4475/ncl.dat", Reject(400)),
    ("rfc4475/scalar02.dat", Reject(400)),
    ("rfc4475/scalarlg.dat", Drop),
    ("rfc4475/quotbal.dat", Reject(400)),
    ("rfc4475/ltgtruri.dat", Reject(400)),
    ("rfc4475/lwsruri.dat", Reject(400)),
    // §3.1.2.9 allows rejecting or tolerating extra whitespace in the Request-Line: we
    // reject it between elements and tolerate it at the end.
    ("rfc4475/lwsstart.dat", Reject(400)),
    ("rfc4475/trws.dat", Accept),
    ("rfc4475/escruri.dat", Check(400)),
    // §3.1.2.12: the unparseable Date is ignored.
    ("rfc4475/baddate.dat", Accept),
    ("rfc4475/regbadct.dat", Reject(400)),
    // §3.1.2.15 allows 400 or tolerance for spaces inside <>; we refuse them.
    ("rfc4475/badaspec.dat", Reject(400)),
    ("rfc4475/baddn.dat", Reject(400)),
    ("rfc4475/badvers.dat", Reject(505)),
    ("rfc4475/mismatch01.dat", Check(400)),
    ("rfc4475/mismatch02.dat", Check(501)),
    ("rfc4475/bigcode.dat", Drop),
    // §3.2–§3.4: parsed, then the layer above decides.
    ("rfc4475/badbranch.dat", Accept),
    ("rfc4475/insuf.dat", Check(400)),
    ("rfc4475/unkscm.dat", Check(416)),
    ("rfc4475/novelsc.dat", Check(416)),
    ("rfc4475/unksm2.dat", Accept),
    ("rfc4475/bext01.dat", Check(420)),
    ("rfc4475/invut.dat", Check(415)),
    // §3.3.8: the unknown Authorization scheme is ignored and the request challenged.
    ("rfc4475/regaut01.dat", Accept),
    ("rfc4475/multi01.dat", Check(400)),
    ("rfc4475/mcl01.dat", Reject(400)),
    ("rfc4475/bcast.dat", Accept),
    ("rfc4475/zeromf.dat", Accept),
    ("rfc4475/cparam01.dat", Accept),
    ("rfc4475/cparam02.dat", Accept),
    ("rfc4475/regescrt.dat", Accept),
    ("rfc4475/sdp01.dat", Check(406)),
    ("rfc4475/inv2543.dat", Accept),
    // In the archive but in no section: a Request-Line without a SIP version and no Via,
    // so there is nowhere to send an answer.
    ("rfc4475/test.dat", Drop),
    // RFC 5118: all valid except an unbracketed IPv6 Request-URI host.
    ("rfc5118/ipv4-mapped-ipv6.dat", Accept),
    ("rfc5118/ipv6-bad.dat", Reject(400)),
    ("rfc5118/ipv6-bug-abnf-3-colons.dat", Accept),
    ("rfc5118/ipv6-correct-abnf-2-colons.dat", Accept),
    ("rfc5118/ipv6-good.dat", Accept),
    ("rfc5118/ipv6-in-sdp.dat", Accept),
    ("rfc5118/mult-ip-in-header.dat", Accept),
    ("rfc5118/mult-ip-in-sdp.dat", Accept),
    ("rfc5118/port-ambiguous.dat", Accept),
    ("rfc5118/port-unambiguous.dat", Accept),
    ("rfc5118/via-received-param-no-delim.dat", Accept),
    ("rfc5118/via-received-param-with-delim.dat", Accept),
];

fn verdict(name: &str) -> Verdict {
    CASES.iter().find(|(n, _)| *n == name).unwrap().1
}

#[test]
fn every_file_has_a_verdict() {
    let mut listed: Vec<String> = CASES.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(torture::all(), listed);
}

#[test]
fn datagrams_get_their_verdicts() {
    let mut wrong = Vec::new();
    for &(name, expected) in CASES {
        let raw = wire(name);
        let got = match parse(&raw) {
            Ok(Message::Request(req)) => match check_request(&req) {
                Ok(()) => Accept,
                Err(rej) => Check(rej.status),
            },
            Ok(Message::Response(_)) => Accept,
            Err(e) => match error_response(&raw, &e) {
                Some(resp) => Reject(resp.status),
                None => Drop,
            },
        };
        if got != expected {
            wrong.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Printing an accepted message and parsing it again gives the same message; only
/// Content-Length may be added (inv2543 has none).
#[test]
fn accepted_messages_print_and_parse_back() {
    for &(name, v) in CASES {
        if matches!(v, Reject(_) | Drop) {
            continue;
        }
        let mut first = parse(&wire(name)).unwrap();
        let mut again = parse(&first.to_bytes()).unwrap();
        first.headers_mut().remove("Content-Length");
        again.headers_mut().remove("Content-Length");
        assert_eq!(first, again, "{name}");
    }
}

/// Error responses copy the transaction-identifying headers of what could be read.
#[test]
fn rejections_answer_with_the_request_identity() {
    for &(name, v) in CASES {
        let Reject(status) = v else { continue };
        let raw = wire(name);
        let err = parse(&raw).unwrap_err();
        let resp = error_response(&raw, &err).unwrap();
        assert_eq!(resp.status, status, "{name}");
        assert!(resp.headers.contains("Via"), "{name}");
        let out = resp.to_bytes();
        assert!(
            out.starts_with(format!("SIP/2.0 {status} ").as_bytes()),
            "{name}"
        );
    }
}

/// On a stream, a message with a usable Content-Length comes out whole; a missing, negative
/// or conflicting one is a framing error (RFC 3261 §18.3, §3.1.2.7, §3.1.2.8); a length
/// beyond what was sent leaves the framer waiting (§3.1.2.6: the connection's idle timer
/// ends it).
#[test]
fn streams_frame_or_fail_as_the_rfc_says() {
    let expectations: &[(&str, Option<FramingError>)] = &[
        ("rfc4475/ncl.dat", Some(FramingError::BadContentLength)),
        ("rfc4475/mcl01.dat", Some(FramingError::BadContentLength)),
        (
            "rfc4475/inv2543.dat",
            Some(FramingError::MissingContentLength),
        ),
    ];
    for &(name, _) in CASES {
        let raw = wire(name);
        let mut f = StreamFramer::new();
        f.push(&raw);
        let got = f.next();
        if let Some((_, err)) = expectations.iter().find(|(n, _)| *n == name) {
            assert_eq!(got, err.clone().map(Err), "{name}");
            continue;
        }
        // baddn's file lacks the blank line after its headers: a stream waits for it.
        if name == "rfc4475/clerr.dat" || name == "rfc4475/baddn.dat" {
            assert_eq!(got, None, "{name}");
            continue;
        }
        let Some(Ok(Frame::Message(m))) = got else {
            panic!("{name}: {got:?}");
        };
        assert!(raw.starts_with(&m), "{name}");
        if !matches!(verdict(name), Reject(_) | Drop) {
            assert_eq!(parse(&m).unwrap(), parse(&raw).unwrap(), "{name}");
        }
    }
}

#[test]
fn dblreq_is_the_register_on_a_datagram_and_two_messages_on_a_stream() {
    let raw = wire("rfc4475/dblreq.dat");
    let r = request("rfc4475/dblreq.dat");
    assert_eq!(r.method, sip::Method::Register);
    assert!(r.body.is_empty());

    // On a stream the INVITE follows (after a CRLF); its body is 5 bytes longer than its
    // Content-Length, and those bytes cannot be framed.
    let mut f = StreamFramer::new();
    f.push(&raw);
    let mut methods = Vec::new();
    let mut last = None;
    while let Some(frame) = f.next() {
        match frame {
            Ok(Frame::Message(m)) => {
                if let Message::Request(r) = parse(&m).unwrap() {
                    methods.push(r.method);
                }
            }
            Ok(_) => {}
            Err(e) => last = Some(e),
        }
    }
    assert_eq!(methods, vec![sip::Method::Register, sip::Method::Invite]);
    assert_eq!(last, Some(FramingError::MissingContentLength));
}
