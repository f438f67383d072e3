//! An extension with a desk phone and a softphone rings both; a device that says who it
//! is (RFC 5626 `+sip.instance`) replaces its own binding when its address changes.

mod registrar_support;

use pbx::registrar::{BindingChange, NextHop, RegistrationEvent};
use registrar_support::*;

#[test]
fn two_contacts_of_one_extension_both_bind() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut desk = Phone::alice();
    let mut soft = Phone::new(
        "100",
        "alice-secret",
        "<sip:100@192.168.1.30:5062;transport=udp>",
        udp("192.168.1.30:5062"),
    );
    assert_eq!(
        desk.register(&mut reg, &clock, Some(600)).response.status,
        200
    );
    let out = soft.register(&mut reg, &clock, Some(300));
    assert_eq!(out.response.status, 200);
    let mut listed = contacts(&out.response);
    listed.sort();
    assert_eq!(
        listed,
        vec![
            "<sip:100@192.168.1.20:5060>;expires=600".to_owned(),
            "<sip:100@192.168.1.30:5062;transport=udp>;expires=300".to_owned(),
        ]
    );
    let mut found: Vec<String> = reg
        .lookup("100", clock.now())
        .into_iter()
        .map(|b| b.contact)
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            "sip:100@192.168.1.20:5060".to_owned(),
            "sip:100@192.168.1.30:5062;transport=udp".to_owned()
        ]
    );
    // The other extension is untouched.
    assert!(reg.lookup("101", clock.now()).is_empty());
    assert_eq!(reg.binding_count(), 2);
}

#[test]
fn instance_id_replaces_the_old_address_of_the_same_device() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let instance = "\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"";
    let mut phone = Phone::new(
        "100",
        "alice-secret",
        &format!("<sip:100@192.168.1.20:5060>;+sip.instance={instance};reg-id=1"),
        udp("192.168.1.20:5060"),
    );
    let out = phone.register(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 200);
    assert_eq!(
        contacts(&out.response),
        vec![format!(
            "<sip:100@192.168.1.20:5060>;+sip.instance={instance};reg-id=1;expires=600"
        )]
    );
    while reg.poll_event().is_some() {}

    // DHCP hands the phone a new address; it re-registers from there.
    clock.advance(60);
    phone.contact = format!("<sip:100@192.168.1.77:5060>;+sip.instance={instance};reg-id=1");
    phone.source = udp("192.168.1.77:5060");
    let out = phone.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 200);
    assert_eq!(contacts(&out.response).len(), 1, "replaced, not added");
    let bindings = reg.lookup("100", clock.now());
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].contact, "sip:100@192.168.1.77:5060");
    assert_eq!(bindings[0].reg_id, Some(1));
    match out.changes.as_slice() {
        [BindingChange::Upsert {
            binding,
            expiry_only: false,
        }] => {
            assert_eq!(
                binding.key(),
                "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"
            );
            assert_eq!(binding.contact, "sip:100@192.168.1.77:5060");
        }
        other => panic!("unexpected changes {other:?}"),
    }
    assert!(matches!(
        reg.poll_event(),
        Some(RegistrationEvent::Registered { contact, .. }) if contact == "sip:100@192.168.1.77:5060"
    ));
}

#[test]
fn natted_phone_is_reached_at_its_source_address() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    // A traveller behind a home router: private address in the Contact, public source.
    let mut phone = Phone::new(
        "101",
        "bob-secret",
        "<sip:101@10.0.0.12:5060>",
        udp("203.0.113.50:41234"),
    );
    assert_eq!(
        phone.register(&mut reg, &clock, Some(600)).response.status,
        200
    );
    let bindings = reg.lookup("101", clock.now());
    assert_eq!(bindings.len(), 1);
    assert!(bindings[0].nat);
    assert_eq!(bindings[0].contact, "sip:101@10.0.0.12:5060");
    assert_eq!(bindings[0].next_hop(), NextHop::Source(phone.source));
}

#[test]
fn one_extension_cannot_hold_unbounded_contacts() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let max = reg.config().max_contacts;
    let mut last = None;
    for i in 0..=max {
        let mut p = Phone::new(
            "100",
            "alice-secret",
            &format!("<sip:100@192.168.2.{i}:5060>"),
            udp(&format!("192.168.2.{i}:5060")),
        );
        last = Some(p.register(&mut reg, &clock, Some(600)));
    }
    let last = last.unwrap();
    assert_eq!(last.response.status, 403);
    assert!(last.changes.is_empty());
    assert_eq!(reg.lookup("100", clock.now()).len(), max);
}
