//! RFC 7616 §3.3: an expired nonce with the right password gets `stale=true`, and the
//! phone succeeds with the new nonce; a nonce-count used before is refused the same way.

mod registrar_support;

use pbx::registrar::AuthResult;
use registrar_support::*;

#[test]
fn expired_nonce_gets_stale_then_the_retry_binds() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    assert_eq!(
        phone.register(&mut reg, &clock, Some(3600)).response.status,
        200
    );
    let old_nonce = phone.challenge.clone().unwrap().nonce;

    // Past the nonce lifetime (300 s by default) the kept nonce no longer works.
    clock.advance(1800);
    let out = phone.send(&mut reg, &clock, Some(3600));
    assert_eq!(out.response.status, 401);
    assert_eq!(out.auth, AuthResult::Stale);
    let values = challenges(&out.response);
    assert!(!values.is_empty());
    assert!(
        values.iter().all(|v| v.contains("stale=true")),
        "{values:?}"
    );
    assert!(out.changes.is_empty());

    let out = phone.register(&mut reg, &clock, Some(3600));
    assert_eq!(out.response.status, 200);
    assert_ne!(phone.challenge.clone().unwrap().nonce, old_nonce);
    assert_eq!(
        reg.lookup("100", clock.now())[0].remaining_secs(clock.now()),
        3600
    );
}

#[test]
fn replayed_nonce_count_is_refused() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    assert_eq!(
        phone.register(&mut reg, &clock, Some(600)).response.status,
        200
    );
    assert_eq!(phone.nc, 1);
    // Someone who captured that REGISTER's Authorization sends it again with a new
    // CSeq: the nonce-count 1 was already used.
    clock.advance(5);
    let mut attacker = phone.clone();
    attacker.nc = 0;
    attacker.contact = "<sip:100@198.51.100.66:5060>".into();
    attacker.source = udp("198.51.100.66:5060");
    let out = attacker.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 401);
    assert_ne!(out.auth, AuthResult::Authorized("100".into()));
    let bindings = reg.lookup("100", clock.now());
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].contact, "sip:100@192.168.1.20:5060");

    // The phone itself carries on with nc=2.
    let out = phone.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 200);
}
