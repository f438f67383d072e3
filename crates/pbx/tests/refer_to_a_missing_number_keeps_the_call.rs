//! A REFER whose target cannot ring fails cleanly (RFC 3515 §2.4.5: the NOTIFY carries
//! the failure) and the call goes on as it was: nobody is hung up, nothing is re-INVITEd,
//! and the call ends later with one ordinary record.

mod support;

use std::time::Duration;

use pbx::Outcome;
use sip::Method;
use support::transfer_office::{connect, office};
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

/// Bob refers Alice to `refer_to` and the world runs a while; returns the call's index
/// on each phone.
fn refer_and_wait(w: &mut World, refer_to: &str, extra: &[(&str, &str)]) -> (usize, usize) {
    let (a_call, b_call) = connect(w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, refer_to, extra));
    w.run_for(Duration::from_secs(5));
    (a_call, b_call)
}

fn call_goes_on(w: &mut World, a_call: usize, b_call: usize) {
    for (phone, call) in [(ALICE, a_call), (BOB, b_call)] {
        let c = &w.phones[phone].calls[call];
        assert_eq!(c.state, CallState::Confirmed, "phone {phone} still talks");
        assert_eq!(c.got_request(Method::Bye), 0);
        assert_eq!(c.got_request(Method::Invite), 0);
    }
    assert_eq!(w.pbx.call_count(), 1);
    w.with(ALICE, |p, now| p.hang_up(now, a_call));
    w.settle();
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert_eq!(records[0].answered_by.as_deref(), Some("101"));
    assert!(!records[0].reason.contains("transferred"));
}

#[test]
fn a_number_nobody_has_is_reported_404_and_the_call_goes_on() {
    let mut w = office(50);
    let (a_call, b_call) = refer_and_wait(&mut w, "<sip:555@office>", &[]);
    assert!(
        w.phones[BOB].calls[b_call]
            .responses
            .iter()
            .any(|r| r.status == 202),
        "the REFER itself is accepted"
    );
    assert_eq!(
        w.phones[BOB].sipfrags(b_call),
        vec!["SIP/2.0 100 Trying", "SIP/2.0 404 Not Found"]
    );
    let last = w.phones[BOB].calls[b_call]
        .requests
        .iter()
        .rfind(|r| r.method == Method::Notify)
        .expect("a NOTIFY");
    assert!(
        last.headers
            .get("Subscription-State")
            .is_some_and(|s| s.starts_with("terminated")),
        "the last NOTIFY ends the subscription"
    );
    call_goes_on(&mut w, a_call, b_call);
}

#[test]
fn an_extension_without_a_phone_is_reported_480() {
    // Only Alice and Bob register; Carol (102) exists but has no phone.
    let mut w = World::lan(60);
    w.add(alice(61));
    w.add(bob(62));
    w.register_all();
    let (a_call, b_call) = refer_and_wait(&mut w, "<sip:102@office>", &[]);
    assert_eq!(
        w.phones[BOB].sipfrags(b_call),
        vec!["SIP/2.0 100 Trying", "SIP/2.0 480 Temporarily Unavailable"]
    );
    call_goes_on(&mut w, a_call, b_call);
}

#[test]
fn without_a_subscription_nothing_is_notified_and_the_call_goes_on() {
    let mut w = office(70);
    let (a_call, b_call) = refer_and_wait(&mut w, "<sip:555@office>", &[("Refer-Sub", "false")]);
    let accepted = w.phones[BOB].calls[b_call]
        .responses
        .iter()
        .find(|r| r.status == 202)
        .expect("202");
    assert_eq!(accepted.headers.get("Refer-Sub"), Some("false"));
    assert!(w.phones[BOB].sipfrags(b_call).is_empty());
    call_goes_on(&mut w, a_call, b_call);
}

#[test]
fn a_refer_without_refer_to_is_refused_and_the_call_goes_on() {
    let mut w = office(80);
    let (a_call, b_call) = refer_and_wait(&mut w, "<sip:office>", &[]);
    assert!(w.phones[BOB].calls[b_call]
        .responses
        .iter()
        .any(|r| r.status == 400));
    assert!(w.phones[BOB].sipfrags(b_call).is_empty());
    call_goes_on(&mut w, a_call, b_call);
}

#[test]
fn a_refer_outside_any_call_is_refused_403() {
    let mut w = World::lan(90);
    let refer = "REFER sip:101@192.168.1.1 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKrefer1\r\n\
        Max-Forwards: 70\r\n\
        From: <sip:100@office.example>;tag=out1\r\n\
        To: <sip:101@office.example>\r\n\
        Call-ID: refer-outside\r\n\
        CSeq: 1 REFER\r\n\
        Refer-To: <sip:102@office.example>\r\n\
        Content-Length: 0\r\n\r\n";
    let source = sip::transaction::Peer {
        transport: sip::Transport::Udp,
        addr: support::addr("192.168.1.20:5060"),
    };
    let (now, unix) = (w.now, w.unix_now());
    w.pbx.handle_input(now, unix, source, refer.as_bytes());
    let reply = w.pbx.poll_transmit().expect("an answer");
    let text = String::from_utf8_lossy(&reply.bytes);
    assert!(text.starts_with("SIP/2.0 403 "), "{text}");
    assert_eq!(w.pbx.call_count(), 0);
}
