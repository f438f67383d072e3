//! RFC 4475 registration torture messages, byte for byte (tests/data/rfc4475), answered
//! with digest credentials for their address-of-record.

mod registrar_support;

use pbx::registrar::{
    BindingChange, Directory, DirectoryEntry, RegisterOutcome, Registrar, RegistrarConfig,
};
use registrar_support::*;

fn torture(name: &str) -> String {
    let path = format!(
        "{}/tests/data/rfc4475/{name}.dat",
        env!("CARGO_MANIFEST_DIR")
    );
    String::from_utf8(std::fs::read(path).unwrap()).unwrap()
}

/// A registrar for example.com knowing the users of the torture messages.
fn registrar_for_example(clock: &Clock) -> Registrar {
    let dir: Directory = [
        DirectoryEntry::with_password("watson", "Watson", "example.com", "elementary"),
        DirectoryEntry::with_password("user", "User", "example.com", "pw"),
        DirectoryEntry::with_password("j.user", "J", "example.com", "pw"),
    ]
    .into_iter()
    .collect();
    Registrar::new(clock.now(), RegistrarConfig::new("example.com"), dir)
}

/// Sends the message, then again with credentials for `user`.
fn register_as(
    reg: &mut Registrar,
    clock: &Clock,
    raw: &str,
    user: &str,
    pw: &str,
) -> RegisterOutcome {
    let source = udp("192.0.2.1:5060");
    let first = reg.handle_register(clock.now(), clock.unix(), &parse_request(raw), source);
    assert_eq!(first.response.status, 401);
    let authed = authorize(raw, &first.response, user, pw);
    reg.handle_register(clock.now(), clock.unix(), &parse_request(&authed), source)
}

#[test]
fn cparam01_bare_uri_semicolon_starts_a_header_parameter() {
    let clock = Clock::new();
    let mut reg = registrar_for_example(&clock);
    let out = register_as(
        &mut reg,
        &clock,
        &torture("cparam01"),
        "watson",
        "elementary",
    );
    assert_eq!(out.response.status, 200);
    let b = reg.lookup("watson", clock.now());
    assert_eq!(b.len(), 1);
    // `unknownparam` belongs to the Contact header, not the URI.
    assert_eq!(b[0].contact, "sip:+19725552222@gw1.example.net");
    assert_eq!(b[0].params, ";unknownparam");
    assert_eq!(
        contacts(&out.response),
        vec!["<sip:+19725552222@gw1.example.net>;unknownparam;expires=3600".to_owned()]
    );
}

#[test]
fn cparam02_bracketed_uri_keeps_its_uri_parameter() {
    let clock = Clock::new();
    let mut reg = registrar_for_example(&clock);
    let out = register_as(
        &mut reg,
        &clock,
        &torture("cparam02"),
        "watson",
        "elementary",
    );
    assert_eq!(out.response.status, 200);
    let b = reg.lookup("watson", clock.now());
    assert_eq!(b.len(), 1);
    assert_eq!(
        b[0].contact,
        "sip:+19725552222@gw1.example.net;unknownparam"
    );
    assert_eq!(b[0].params, "");
}

#[test]
fn cparam02_refreshes_the_cparam01_binding_under_uri_equality() {
    let clock = Clock::new();
    let mut reg = registrar_for_example(&clock);
    register_as(
        &mut reg,
        &clock,
        &torture("cparam01"),
        "watson",
        "elementary",
    );
    let out = register_as(
        &mut reg,
        &clock,
        &torture("cparam02"),
        "watson",
        "elementary",
    );
    // RFC 3261 §19.1.4: a URI parameter other than user, ttl, method, maddr and
    // transport that only one side has is ignored, so both name one binding, which now
    // holds the newer spelling.
    let b = reg.lookup("watson", clock.now());
    assert_eq!(b.len(), 1);
    assert_eq!(
        b[0].contact,
        "sip:+19725552222@gw1.example.net;unknownparam"
    );
    assert_eq!(b[0].cseq, 3);
    // The store keys such rows by contact text: the old row goes, the new one comes.
    assert!(matches!(
        out.changes.as_slice(),
        [
            BindingChange::Remove { key, .. },
            BindingChange::Upsert { binding, expiry_only: false },
        ] if key == "sip:+19725552222@gw1.example.net"
            && binding.key() == "sip:+19725552222@gw1.example.net;unknownparam"
    ));
}

#[test]
fn regescrt_keeps_the_escaped_header_in_the_binding() {
    let clock = Clock::new();
    let mut reg = registrar_for_example(&clock);
    let out = register_as(&mut reg, &clock, &torture("regescrt"), "user", "pw");
    assert_eq!(out.response.status, 200);
    let b = reg.lookup("user", clock.now());
    assert_eq!(b.len(), 1);
    assert_eq!(
        b[0].contact,
        "sip:user@example.com?Route=%3Csip:sip.example.com%3E"
    );
    assert_eq!(
        contacts(&out.response),
        vec!["<sip:user@example.com?Route=%3Csip:sip.example.com%3E>;expires=3600".to_owned()]
    );
    match out.changes.as_slice() {
        [BindingChange::Upsert { binding, .. }] => {
            assert_eq!(
                binding.contact,
                "sip:user@example.com?Route=%3Csip:sip.example.com%3E"
            );
        }
        other => panic!("unexpected changes {other:?}"),
    }
}

#[test]
fn regaut01_unknown_scheme_is_ignored_and_challenged() {
    let clock = Clock::new();
    let mut reg = registrar_for_example(&clock);
    let raw = torture("regaut01");
    let out = reg.handle_register(
        clock.now(),
        clock.unix(),
        &parse_request(&raw),
        udp("192.0.2.253:5060"),
    );
    assert_eq!(out.response.status, 401);
    // One challenge per algorithm offered.
    let offered = RegistrarConfig::new("example.com").digest.algorithms.len();
    assert_eq!(challenges(&out.response).len(), offered);
}

#[test]
fn regbadct_contact_with_unbracketed_header_is_refused() {
    let clock = Clock::new();
    let mut reg = registrar_for_example(&clock);
    let raw = torture("regbadct");
    // The parser refuses it outright (→ 400 at the transport layer); a request that
    // reached us anyway must not bind.
    match sip::parse(raw.as_bytes()) {
        Err(err) => assert_eq!(err.status(), 400),
        Ok(sip::Message::Request(req)) => {
            let out = reg.handle_register(clock.now(), clock.unix(), &req, udp("192.0.2.1:5060"));
            assert_ne!(out.response.status, 200);
            assert_eq!(reg.binding_count(), 0);
        }
        Ok(_) => panic!("not a request"),
    }
}
