//! RFC 3261 §12: dialogs created from either side build correct in-dialog requests and
//! police the peer's CSeq.

mod support;

use sip::dialog::{Dialog, DialogError, DialogId, DialogState};
use sip::{Method, Request, Response};
use support::request;

fn invite() -> Request {
    request(
        "INVITE sip:bob@biloxi.example SIP/2.0\n\
         Via: SIP/2.0/UDP pc33.atlanta.example;branch=z9hG4bKnashds8\n\
         Max-Forwards: 70\n\
         From: Alice <sip:alice@atlanta.example>;tag=1928301774\n\
         To: Bob <sip:bob@biloxi.example>\n\
         Call-ID: a84b4c76e66710\n\
         CSeq: 314159 INVITE\n\
         Contact: <sip:alice@pc33.atlanta.example>\n\
         Content-Length: 0\n\n",
    )
}

/// The 200 as it reaches Alice through two record-routing proxies.
fn ok(status: u16, contact: bool) -> Response {
    let mut resp = Response::for_request(&invite(), status, sip::default_reason(status));
    resp.headers
        .set("To", "Bob <sip:bob@biloxi.example>;tag=a6c85cf");
    resp.headers.push(
        "Record-Route",
        "<sip:p2.biloxi.example;lr>, <sip:p1.atlanta.example;lr>",
    );
    if contact {
        resp.headers.push("Contact", "<sip:bob@192.0.2.4>");
    }
    resp
}

#[test]
fn uac_dialog_builds_bye_and_ack_along_the_reversed_route_set() {
    let mut d = Dialog::from_uac(&invite(), &ok(200, true)).expect("dialog");
    assert_eq!(d.state(), DialogState::Confirmed);
    assert_eq!(
        d.id(),
        &DialogId {
            call_id: "a84b4c76e66710".into(),
            local_tag: "1928301774".into(),
            remote_tag: "a6c85cf".into(),
        }
    );

    let ack = d.create_request(Method::Ack);
    assert_eq!(
        ack.cseq().map(|c| (c.seq, c.method)),
        Some((314159, Method::Ack))
    );

    let bye = d.create_request(Method::Bye);
    assert_eq!(bye.uri.to_string(), "sip:bob@192.0.2.4");
    let routes: Vec<String> = bye.routes().iter().map(|r| r.uri.to_string()).collect();
    assert_eq!(
        routes,
        vec!["sip:p1.atlanta.example;lr", "sip:p2.biloxi.example;lr"]
    );
    assert_eq!(
        bye.cseq().map(|c| (c.seq, c.method)),
        Some((314160, Method::Bye))
    );
    assert_eq!(
        bye.from()
            .and_then(|f| f.tag().map(str::to_owned))
            .as_deref(),
        Some("1928301774")
    );
    assert_eq!(
        bye.to().and_then(|t| t.tag().map(str::to_owned)).as_deref(),
        Some("a6c85cf")
    );
    assert_eq!(bye.call_id(), Some("a84b4c76e66710"));
    assert!(bye.headers.get("Contact").is_none());
    // What we build must parse back.
    assert!(sip::parse(&bye.to_bytes()).is_ok());

    // A re-INVITE advances the CSeq, carries our Contact, and its ACK repeats it.
    let reinvite = d.create_request(Method::Invite);
    assert_eq!(reinvite.cseq().map(|c| c.seq), Some(314161));
    assert!(reinvite.headers.get("Contact").is_some());
    let ack = d.create_request(Method::Ack);
    assert_eq!(ack.cseq().map(|c| c.seq), Some(314161));
    assert_eq!(d.local_seq(), Some(314161));
}

#[test]
fn uas_dialog_starts_its_own_cseq_and_keeps_route_order() {
    let mut req = invite();
    req.headers.push(
        "Record-Route",
        "<sip:p1.atlanta.example;lr>, <sip:p2.biloxi.example;lr>",
    );
    let mut resp = Response::for_request(&req, 200, "OK");
    resp.headers
        .set("To", "Bob <sip:bob@biloxi.example>;tag=a6c85cf");
    resp.headers.push("Contact", "<sip:bob@192.0.2.4>");
    let mut d = Dialog::from_uas(&req, &resp).expect("dialog");
    assert_eq!(d.remote_seq(), Some(314159));
    assert_eq!(d.local_seq(), None);

    let bye = d.create_request(Method::Bye);
    assert_eq!(bye.uri.to_string(), "sip:alice@pc33.atlanta.example");
    assert_eq!(bye.cseq().map(|c| c.seq), Some(1));
    let routes: Vec<String> = bye
        .routes()
        .iter()
        .map(|r| r.uri.host.to_string())
        .collect();
    assert_eq!(routes, vec!["p1.atlanta.example", "p2.biloxi.example"]);
    assert_eq!(
        bye.from()
            .and_then(|f| f.tag().map(str::to_owned))
            .as_deref(),
        Some("a6c85cf")
    );
    assert_eq!(
        bye.to().and_then(|t| t.tag().map(str::to_owned)).as_deref(),
        Some("1928301774")
    );
    assert_eq!(
        bye.from().and_then(|f| f.display_name),
        Some("Bob".to_owned())
    );
}

fn in_dialog(method: &str, seq: u32, from_tag: &str, contact: Option<&str>) -> Request {
    let contact = contact
        .map(|c| format!("Contact: <{c}>\n"))
        .unwrap_or_default();
    request(&format!(
        "{method} sip:bob@192.0.2.4 SIP/2.0\n\
         Via: SIP/2.0/UDP pc33.atlanta.example;branch=z9hG4bK{seq}{method}\n\
         Max-Forwards: 70\n\
         From: Alice <sip:alice@atlanta.example>;tag={from_tag}\n\
         To: Bob <sip:bob@biloxi.example>;tag=a6c85cf\n\
         Call-ID: a84b4c76e66710\n\
         CSeq: {seq} {method}\n\
         {contact}Content-Length: 0\n\n"
    ))
}

#[test]
fn incoming_requests_must_move_the_cseq_forward() {
    let mut resp = Response::for_request(&invite(), 200, "OK");
    resp.headers
        .set("To", "Bob <sip:bob@biloxi.example>;tag=a6c85cf");
    resp.headers.push("Contact", "<sip:bob@192.0.2.4>");
    let mut d = Dialog::from_uas(&invite(), &resp).expect("dialog");

    let ack = in_dialog("ACK", 314159, "1928301774", None);
    assert_eq!(d.on_request(&ack), Ok(()));
    let info = in_dialog("INFO", 314160, "1928301774", None);
    assert_eq!(d.on_request(&info), Ok(()));
    let old = in_dialog("INFO", 314150, "1928301774", None);
    let err = d.on_request(&old).expect_err("out of order");
    assert_eq!(err, DialogError::OutOfOrder);
    assert_eq!(err.status(), 500);
    assert_eq!(
        d.on_request(&info),
        Err(DialogError::OutOfOrder),
        "reused number"
    );
    assert_eq!(d.remote_seq(), Some(314160));

    let stranger = in_dialog("BYE", 314170, "someone-else", None);
    assert_eq!(d.on_request(&stranger).map_err(|e| e.status()), Err(481));

    // A re-INVITE with a new Contact moves the remote target.
    let reinvite = in_dialog(
        "INVITE",
        314161,
        "1928301774",
        Some("sip:alice@198.51.100.9"),
    );
    assert_eq!(d.on_request(&reinvite), Ok(()));
    let bye = d.create_request(Method::Bye);
    assert_eq!(bye.uri.to_string(), "sip:alice@198.51.100.9");
}

#[test]
fn early_dialog_is_confirmed_by_the_2xx() {
    let mut d = Dialog::from_uac(&invite(), &ok(180, false)).expect("early dialog");
    assert_eq!(d.state(), DialogState::Early);
    assert_eq!(d.remote_target().to_string(), "sip:bob@biloxi.example");
    let mut final_ok = ok(200, true);
    final_ok.headers.set("Record-Route", "<sip:p3.example;lr>");
    d.on_response(&final_ok);
    assert_eq!(d.state(), DialogState::Confirmed);
    assert_eq!(d.remote_target().to_string(), "sip:bob@192.0.2.4");
    assert_eq!(d.route_set().len(), 1);
}

#[test]
fn strict_router_first_takes_the_request_uri() {
    let mut resp = ok(200, true);
    resp.headers.set("Record-Route", "<sip:strict.example>");
    let mut d = Dialog::from_uac(&invite(), &resp).expect("dialog");
    let bye = d.create_request(Method::Bye);
    assert_eq!(bye.uri.to_string(), "sip:strict.example");
    let routes: Vec<String> = bye.routes().iter().map(|r| r.uri.to_string()).collect();
    assert_eq!(routes, vec!["sip:bob@192.0.2.4"]);
}

#[test]
fn responses_that_cannot_create_a_dialog_are_refused() {
    let mut no_tag = ok(200, true);
    no_tag.headers.set("To", "Bob <sip:bob@biloxi.example>");
    assert_eq!(
        Dialog::from_uac(&invite(), &no_tag),
        Err(DialogError::MissingTag)
    );
    assert_eq!(
        Dialog::from_uac(&invite(), &ok(486, true)),
        Err(DialogError::NotDialogCreating)
    );
    assert_eq!(
        Dialog::from_uac(&invite(), &ok(200, false)),
        Err(DialogError::MissingContact)
    );
}
