//! RFC 3261 §10.2.2 / §10.3 step 6: `Contact: *` with `Expires: 0` removes every binding
//! of the extension; any other use of `*` is a bad request.

mod registrar_support;

use pbx::registrar::{BindingChange, RegistrationEvent, UnregisterReason};
use registrar_support::*;

fn two_devices(reg: &mut pbx::registrar::Registrar, clock: &Clock) -> (Phone, Phone) {
    let mut desk = Phone::alice();
    let mut soft = Phone::new(
        "100",
        "alice-secret",
        "<sip:100@192.168.1.30:5062>",
        udp("192.168.1.30:5062"),
    );
    assert_eq!(desk.register(reg, clock, Some(600)).response.status, 200);
    assert_eq!(soft.register(reg, clock, Some(600)).response.status, 200);
    while reg.poll_event().is_some() {}
    (desk, soft)
}

#[test]
fn wildcard_with_expires_zero_unregisters_all_devices() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let (mut desk, _soft) = two_devices(&mut reg, &clock);
    let mut bob = Phone::new(
        "101",
        "bob-secret",
        "<sip:101@192.168.1.40>",
        udp("192.168.1.40:5060"),
    );
    assert_eq!(
        bob.register(&mut reg, &clock, Some(600)).response.status,
        200
    );
    while reg.poll_event().is_some() {}

    clock.advance(5);
    desk.contact = "*".into();
    let out = desk.send(&mut reg, &clock, Some(0));
    assert_eq!(out.response.status, 200);
    assert!(contacts(&out.response).is_empty());
    assert_eq!(
        out.changes,
        vec![BindingChange::RemoveAll {
            extension: "100".into()
        }]
    );
    assert!(reg.lookup("100", clock.now()).is_empty());
    assert_eq!(
        reg.lookup("101", clock.now()).len(),
        1,
        "other extensions stay"
    );
    let mut gone = Vec::new();
    while let Some(event) = reg.poll_event() {
        match event {
            RegistrationEvent::Unregistered {
                extension,
                contact,
                reason: UnregisterReason::Unregistered,
            } => {
                assert_eq!(extension, "100");
                gone.push(contact);
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    gone.sort();
    assert_eq!(
        gone,
        vec!["sip:100@192.168.1.20:5060", "sip:100@192.168.1.30:5062"]
    );
}

#[test]
fn wildcard_with_nonzero_expires_is_a_bad_request() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let (mut desk, _soft) = two_devices(&mut reg, &clock);
    clock.advance(5);
    desk.contact = "*".into();
    let out = desk.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 400);
    assert!(out.changes.is_empty());
    assert_eq!(reg.lookup("100", clock.now()).len(), 2);
    let out = desk.send(&mut reg, &clock, None);
    assert_eq!(
        out.response.status, 400,
        "no Expires at all is not zero either"
    );
}

#[test]
fn wildcard_mixed_with_a_contact_is_a_bad_request() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let (mut desk, _soft) = two_devices(&mut reg, &clock);
    clock.advance(5);
    // The parser refuses this on the wire; a request assembled in memory can still
    // carry it, and must not be taken for a query.
    desk.contact = "*".into();
    let mut request = parse_request(&desk.request_text(Some(0)));
    request
        .headers
        .push("Contact", "<sip:100@192.168.1.20:5060>");
    let out = reg.handle_register(clock.now(), clock.unix(), &request, desk.source);
    assert_eq!(out.response.status, 400);
    assert!(out.changes.is_empty());
    assert_eq!(reg.lookup("100", clock.now()).len(), 2);
}

#[test]
fn wildcard_older_than_a_binding_of_the_same_call_id_is_refused() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let (desk, _soft) = two_devices(&mut reg, &clock);
    clock.advance(5);
    // A delayed copy from the same Call-ID with a CSeq the desk phone already used.
    let mut late = desk.clone();
    late.cseq -= 1;
    late.contact = "*".into();
    late.nc += 10;
    let out = late.send(&mut reg, &clock, Some(0));
    assert_eq!(out.response.status, 400);
    assert_eq!(reg.lookup("100", clock.now()).len(), 2);
}
