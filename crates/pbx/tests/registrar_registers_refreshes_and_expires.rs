//! A phone registers, refreshes and, once it stops refreshing, is purged at its expiry.

mod registrar_support;

use pbx::registrar::{BindingChange, NextHop, RegistrationEvent, UnregisterReason};
use registrar_support::*;

#[test]
fn first_register_is_challenged_with_md5_by_default() {
    // Phones that do not know SHA-256 give up on a challenge list that contains it.
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    let out = phone.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 401);
    let values = challenges(&out.response);
    assert_eq!(values.len(), 1, "{values:?}");
    assert!(values[0].contains("algorithm=MD5"), "{}", values[0]);
}

#[test]
fn first_register_is_challenged_with_sha256_then_md5_when_enabled() {
    let clock = Clock::new();
    let mut config = pbx::registrar::RegistrarConfig::new(REALM);
    config.digest.algorithms = vec![sip::auth::Algorithm::Sha256, sip::auth::Algorithm::Md5];
    let mut reg = pbx::registrar::Registrar::new(clock.now(), config, directory());
    let mut phone = Phone::alice();
    let out = phone.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 401);
    let values = challenges(&out.response);
    assert_eq!(values.len(), 2);
    assert!(values[0].contains("algorithm=SHA-256"), "{}", values[0]);
    assert!(values[1].contains("algorithm=MD5"), "{}", values[1]);
    assert!(values[0].contains(&format!("realm=\"{REALM}\"")));
    assert!(out.changes.is_empty());
    assert!(reg.lookup("100", clock.now()).is_empty());
    // RFC 3261 §8.2.6.2: the response carries a To tag.
    let to = out.response.to().unwrap();
    assert!(to.tag().is_some());
}

#[test]
fn register_refresh_and_expire() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();

    let out = phone.register(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 200);
    assert_eq!(
        contacts(&out.response),
        vec!["<sip:100@192.168.1.20:5060>;expires=600".to_owned()]
    );
    assert!(out.response.headers.get("Date").unwrap().ends_with("GMT"));
    match out.changes.as_slice() {
        [BindingChange::Upsert {
            binding,
            expiry_only: false,
        }] => {
            assert_eq!(binding.extension, "100");
            assert_eq!(binding.contact, "sip:100@192.168.1.20:5060");
            assert_eq!(binding.expires_at, (clock.unix() + 600) as i64);
            assert_eq!(binding.user_agent.as_deref(), Some("TestPhone/1.0"));
            assert_eq!(binding.key(), "sip:100@192.168.1.20:5060");
        }
        other => panic!("unexpected changes {other:?}"),
    }
    assert_eq!(
        reg.poll_event(),
        Some(RegistrationEvent::Registered {
            extension: "100".into(),
            contact: "sip:100@192.168.1.20:5060".into(),
            source: phone.source,
            user_agent: Some("TestPhone/1.0".into()),
        })
    );
    let bindings = reg.lookup("100", clock.now());
    assert_eq!(bindings.len(), 1);
    // On the LAN, contact and source agree: send to the contact.
    assert!(!bindings[0].nat);
    assert!(matches!(
        bindings[0].next_hop(),
        NextHop::Contact { port: 5060, .. }
    ));
    assert_eq!(
        reg.next_expiry(),
        Some(clock.now() + std::time::Duration::from_secs(600))
    );

    // Refresh with the kept nonce (still within its 300 s lifetime): no new challenge,
    // only the expiry moves.
    clock.advance(200);
    let out = phone.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 200);
    assert_eq!(
        contacts(&out.response),
        vec!["<sip:100@192.168.1.20:5060>;expires=600".to_owned()]
    );
    assert!(matches!(
        out.changes.as_slice(),
        [BindingChange::Upsert {
            expiry_only: true,
            ..
        }]
    ));
    assert_eq!(reg.poll_event(), None, "a refresh is not news for the UI");
    assert_eq!(reg.lookup("100", clock.now()).len(), 1);

    // The phone goes quiet: nothing lapses before the expiry, everything at it.
    clock.advance(599);
    assert!(reg.purge_expired(clock.now(), clock.unix()).is_empty());
    assert_eq!(reg.lookup("100", clock.now()).len(), 1);
    clock.advance(1);
    assert_eq!(reg.next_expiry(), Some(clock.now()));
    let changes = reg.purge_expired(clock.now(), clock.unix());
    assert_eq!(
        changes,
        vec![BindingChange::Remove {
            extension: "100".into(),
            key: "sip:100@192.168.1.20:5060".into()
        }]
    );
    assert!(reg.lookup("100", clock.now()).is_empty());
    assert_eq!(reg.next_expiry(), None);
    assert_eq!(
        reg.poll_event(),
        Some(RegistrationEvent::Unregistered {
            extension: "100".into(),
            contact: "sip:100@192.168.1.20:5060".into(),
            reason: UnregisterReason::Expired,
        })
    );
}

#[test]
fn register_without_contact_lists_bindings_and_changes_nothing() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    assert_eq!(
        phone.register(&mut reg, &clock, Some(600)).response.status,
        200
    );
    let mut query = phone.clone();
    query.contact.clear();
    let out = query.send(&mut reg, &clock, None);
    assert_eq!(out.response.status, 200);
    assert_eq!(contacts(&out.response).len(), 1);
    assert!(out.changes.is_empty());
}

#[test]
fn expires_zero_removes_one_binding() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    phone.register(&mut reg, &clock, Some(600));
    clock.advance(10);
    let out = phone.send(&mut reg, &clock, Some(0));
    assert_eq!(out.response.status, 200);
    assert!(contacts(&out.response).is_empty());
    assert_eq!(
        out.changes,
        vec![BindingChange::Remove {
            extension: "100".into(),
            key: "sip:100@192.168.1.20:5060".into()
        }]
    );
    assert!(reg.lookup("100", clock.now()).is_empty());
    assert_eq!(reg.next_expiry(), None);
}

#[test]
fn lapsed_binding_is_dropped_when_the_phone_returns_before_the_purge() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    phone.register(&mut reg, &clock, Some(600));
    while reg.poll_event().is_some() {}
    // The purge timer has not run; the phone comes back after its binding lapsed.
    clock.advance(700);
    let out = phone.register(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 200);
    assert!(matches!(
        out.changes.as_slice(),
        [
            BindingChange::Remove { .. },
            BindingChange::Upsert {
                expiry_only: false,
                ..
            }
        ]
    ));
    assert!(matches!(
        reg.poll_event(),
        Some(RegistrationEvent::Unregistered {
            reason: UnregisterReason::Expired,
            ..
        })
    ));
    assert!(matches!(
        reg.poll_event(),
        Some(RegistrationEvent::Registered { .. })
    ));
    assert_eq!(reg.lookup("100", clock.now()).len(), 1);
    assert_eq!(reg.binding_count(), 1);
}
