//! The torture messages that must parse come out with the right values, and the ones that
//! must not fail for the right reason (RFC 4475, RFC 5118).

#[path = "support/torture.rs"]
mod torture;

use std::net::{IpAddr, Ipv6Addr};

use sip::{
    check_request, parse, Contacts, Host, Method, ParseError, Scheme, Transport, ViaTransport,
};
use torture::{request, response, wire};

#[test]
fn wsinv_reads_through_folding_and_whitespace() {
    let r = request("rfc4475/wsinv.dat");
    assert_eq!(r.method, Method::Invite);
    assert_eq!(r.to().unwrap().tag(), Some("1918181833n"));
    let from = r.from().unwrap();
    assert_eq!(from.display_name.as_deref(), Some(r#"J Rosenberg \""#));
    assert_eq!(from.tag(), Some("98asjd8"));
    assert_eq!(r.max_forwards(), Some(68));
    assert_eq!(r.cseq().unwrap().seq, 9);
    assert_eq!(r.cseq().unwrap().method, Method::Invite);
    let vias = r.vias();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[0].branch(), Some("390skdjuw"));
    assert_eq!(vias[1].transport, Transport::Tcp);
    assert_eq!(vias[1].host, Host::Domain("spindle.example.com".into()));
    assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
    assert_eq!(
        r.headers.get("NewFangledHeader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(r.headers.get("Subject"), Some(""));
    let contact = &r.contacts().unwrap().addrs()[0].clone();
    assert_eq!(contact.display_name.as_deref(), Some(r#"Quoted string """#));
    assert_eq!(contact.params.get("newparam"), Some("newvalue"));
    assert_eq!(contact.q(), Some(0.33));
    assert_eq!(r.body.len(), 150);
    assert_eq!(r.routes().len(), 1);
}

#[test]
fn intmeth_keeps_the_unusual_method_uri_and_values() {
    let r = request("rfc4475/intmeth.dat");
    let m = "!interesting-Method0123456789_*+`.%indeed'~";
    assert_eq!(r.method, Method::Extension(m.into()));
    assert_eq!(r.cseq().unwrap().method, r.method);
    assert_eq!(
        r.uri.user(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        r.uri.password.as_deref(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    assert_eq!(
        r.to().unwrap().display_name.as_deref(),
        Some("BEL:\u{7} NUL:\u{0} DEL:\u{7f}")
    );
    let from = r.from().unwrap();
    assert_eq!(
        from.display_name.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(from.tag(), Some("_token~1'+`*%!-."));
    assert_eq!(
        r.call_id(),
        Some(r#"intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{"#)
    );
    assert_eq!(r.top_via().unwrap().branch(), Some("z9hG4bK-.!%66*_+`'~"));
}

#[test]
fn escapes_stay_as_written_and_decode_for_comparison() {
    let r = request("rfc4475/esc01.dat");
    assert_eq!(r.uri.user(), Some("sips%3Auser%40example.com"));
    assert_eq!(r.uri.user_unescaped().unwrap(), "sips:user@example.com");
    assert_eq!(r.to().unwrap().uri.user_unescaped().unwrap(), "user");
    assert_eq!(r.content_type(), Some("application/sdp"));

    let r = request("rfc4475/escnull.dat");
    let contacts = r.contacts().unwrap();
    assert_eq!(contacts.addrs().len(), 2);
    assert_eq!(contacts.addrs()[1].uri.user_unescaped().unwrap(), "\0\0");

    let r = request("rfc4475/esc02.dat");
    assert_eq!(r.method, Method::Extension("RE%47IST%45R".into()));
    assert_eq!(r.contacts().unwrap().addrs().len(), 2);
    assert!(r.headers.contains("C%6Fntact"));
}

#[test]
fn semiuri_user_holds_the_semicolon() {
    let r = request("rfc4475/semiuri.dat");
    assert_eq!(r.uri.user(), Some("user;par=u%40example.net"));
    assert!(r.uri.params.is_empty());
    assert_eq!(r.tokens("Accept").count(), 6);
}

#[test]
fn transports_keeps_unknown_via_transports() {
    let r = request("rfc4475/transports.dat");
    let t: Vec<_> = r.vias().into_iter().map(|v| v.transport).collect();
    assert_eq!(
        t,
        vec![
            ViaTransport::Known(Transport::Udp),
            ViaTransport::Other("SCTP".into()),
            ViaTransport::Known(Transport::Tls),
            ViaTransport::Other("UNKNOWN".into()),
            ViaTransport::Known(Transport::Tcp),
        ]
    );
}

#[test]
fn mpart01_body_keeps_nuls_and_bare_crs() {
    let r = request("rfc4475/mpart01.dat");
    assert_eq!(r.body.len(), 553);
    assert!(r.body.contains(&0));
    assert_eq!(r.method, Method::Message);
}

#[test]
fn reason_phrases_utf8_and_empty() {
    let r = response("rfc4475/unreason.dat");
    assert_eq!(r.status, 200);
    assert!(r.reason.starts_with("= 2**3 * 5**2 но сто"));
    let r = response("rfc4475/noreason.dat");
    assert_eq!((r.status, r.reason.as_str()), (100, ""));
}

#[test]
fn contact_parameters_bind_to_the_right_part() {
    // RFC 4475 §3.4.1/§3.4.2: without <> the parameter belongs to the header.
    let c = request("rfc4475/cparam01.dat").contacts().unwrap();
    assert!(c.addrs()[0].params.contains("unknownparam"));
    assert!(c.addrs()[0].uri.params.is_empty());
    let c = request("rfc4475/cparam02.dat").contacts().unwrap();
    assert!(c.addrs()[0].params.is_empty());
    assert!(c.addrs()[0].uri.params.contains("unknownparam"));
}

#[test]
fn regescrt_contact_keeps_its_escaped_header() {
    let c = request("rfc4475/regescrt.dat").contacts().unwrap();
    assert_eq!(
        c.addrs()[0].uri.headers,
        vec![("Route".to_owned(), "%3Csip:sip.example.com%3E".to_owned())]
    );
    assert_eq!(
        c.addrs()[0].uri.to_string(),
        "sip:user@example.com?Route=%3Csip:sip.example.com%3E"
    );
}

#[test]
fn unknown_schemes_parse_opaque() {
    let r = request("rfc4475/unksm2.dat");
    assert_eq!(r.to().unwrap().uri.scheme, Scheme::Other("isbn".into()));
    assert_eq!(r.from().unwrap().uri.to_string(), "http://www.example.com");
    assert!(matches!(r.contacts(), Some(Contacts::List(l)) if l.len() == 1));
    let r = request("rfc4475/novelsc.dat");
    assert_eq!(r.uri.to_string(), "soap.beep://192.0.2.103:3002");
}

#[test]
fn rejections_carry_the_headers_the_rfc_asks_for() {
    let rej = check_request(&request("rfc4475/bext01.dat")).unwrap_err();
    assert_eq!(rej.status, 420);
    assert_eq!(
        rej.headers.get("Unsupported"),
        Some("nothingSupportsThis, nothingSupportsThisEither")
    );
    let rej = check_request(&request("rfc4475/invut.dat")).unwrap_err();
    assert_eq!(rej.status, 415);
    assert!(rej
        .headers
        .get("Accept")
        .unwrap()
        .contains("application/sdp"));
    let req = request("rfc4475/sdp01.dat");
    let resp = check_request(&req).unwrap_err().to_response(&req);
    assert_eq!(resp.status, 406);
    assert_eq!(resp.call_id(), Some("sdp01.ndaksdj9342dasdd"));
}

#[test]
fn malformed_messages_fail_for_the_right_reason() {
    let cases = [
        ("rfc4475/badinv01.dat", ParseError::Header("Via")),
        ("rfc4475/clerr.dat", ParseError::Truncated),
        ("rfc4475/ncl.dat", ParseError::ContentLength),
        ("rfc4475/scalar02.dat", ParseError::Header("CSeq")),
        ("rfc4475/scalarlg.dat", ParseError::Header("CSeq")),
        ("rfc4475/quotbal.dat", ParseError::Header("To")),
        ("rfc4475/ltgtruri.dat", ParseError::Uri),
        ("rfc4475/lwsruri.dat", ParseError::Uri),
        ("rfc4475/lwsstart.dat", ParseError::Uri),
        ("rfc4475/regbadct.dat", ParseError::Header("Contact")),
        ("rfc4475/badaspec.dat", ParseError::Header("To")),
        ("rfc4475/baddn.dat", ParseError::Header("From")),
        ("rfc4475/badvers.dat", ParseError::Version),
        ("rfc4475/mcl01.dat", ParseError::ContentLength),
        ("rfc4475/bigcode.dat", ParseError::Status),
        ("rfc4475/test.dat", ParseError::StartLine),
        ("rfc5118/ipv6-bad.dat", ParseError::Uri),
    ];
    for (name, err) in cases {
        assert_eq!(parse(&wire(name)).unwrap_err(), err, "{name}");
    }
}

#[test]
fn ipv6_hosts_and_ports() {
    let v6 = |s: &str| Host::V6(s.parse::<Ipv6Addr>().unwrap());
    let r = request("rfc5118/ipv6-good.dat");
    assert_eq!((r.uri.host.clone(), r.uri.port), (v6("2001:db8::10"), None));
    let r = request("rfc5118/port-ambiguous.dat");
    assert_eq!(
        (r.uri.host.clone(), r.uri.port),
        (v6("2001:db8::10:5070"), None)
    );
    let r = request("rfc5118/port-unambiguous.dat");
    assert_eq!(
        (r.uri.host.clone(), r.uri.port),
        (v6("2001:db8::10"), Some(5070))
    );
    let a = request("rfc5118/ipv6-bug-abnf-3-colons.dat");
    let b = request("rfc5118/ipv6-correct-abnf-2-colons.dat");
    assert_eq!(a.uri.host, b.uri.host);
    let r = request("rfc5118/ipv4-mapped-ipv6.dat");
    assert_eq!(r.top_via().unwrap().host, v6("::ffff:192.0.2.10"));
    assert_eq!(r.top_via().unwrap().port, Some(19823));
    let r = request("rfc5118/mult-ip-in-header.dat");
    let vias = r.vias();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[2].received(), Some("192.0.2.200".parse().unwrap()));
}

#[test]
fn via_received_with_and_without_brackets() {
    let want: IpAddr = "2001:db8::9:255".parse().unwrap();
    for name in [
        "rfc5118/via-received-param-no-delim.dat",
        "rfc5118/via-received-param-with-delim.dat",
    ] {
        assert_eq!(
            request(name).top_via().unwrap().received(),
            Some(want),
            "{name}"
        );
    }
}

#[test]
fn sdp_bodies_with_ipv6_are_untouched() {
    let r = request("rfc5118/ipv6-in-sdp.dat");
    let body = String::from_utf8(r.body).unwrap();
    assert!(body.contains("c=IN IP6 2001:db8::20\r\n"));
}
