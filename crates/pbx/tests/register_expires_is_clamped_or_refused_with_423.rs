//! RFC 3261 §10.3 step 7: too short is refused with 423 and Min-Expires, too long is
//! shortened, and a contact's own `expires` wins over the Expires header.

mod registrar_support;

use registrar_support::*;

#[test]
fn too_brief_gets_423_with_min_expires_and_binds_nothing() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    let out = phone.register(&mut reg, &clock, Some(30));
    assert_eq!(out.response.status, 423);
    assert_eq!(out.response.headers.get("Min-Expires"), Some("60"));
    assert!(out.changes.is_empty());
    assert!(reg.lookup("100", clock.now()).is_empty());
    // Retrying with the advertised minimum works.
    let out = phone.send(&mut reg, &clock, Some(60));
    assert_eq!(out.response.status, 200);
    assert_eq!(
        contacts(&out.response),
        vec!["<sip:100@192.168.1.20:5060>;expires=60".to_owned()]
    );
}

#[test]
fn too_long_is_shortened_to_the_maximum() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    let out = phone.register(&mut reg, &clock, Some(86_400));
    assert_eq!(out.response.status, 200);
    assert_eq!(
        contacts(&out.response),
        vec!["<sip:100@192.168.1.20:5060>;expires=3600".to_owned()]
    );
}

#[test]
fn no_expires_at_all_uses_the_default() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    let out = phone.register(&mut reg, &clock, None);
    assert_eq!(out.response.status, 200);
    let expected = format!(
        "<sip:100@192.168.1.20:5060>;expires={}",
        reg.config().default_expires
    );
    assert_eq!(contacts(&out.response), vec![expected]);
}

#[test]
fn contact_expires_parameter_overrides_the_header() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    phone.contact = "<sip:100@192.168.1.20:5060>;expires=120".into();
    let out = phone.register(&mut reg, &clock, Some(30));
    assert_eq!(
        out.response.status, 200,
        "the 30 in the header does not apply"
    );
    assert_eq!(
        contacts(&out.response),
        vec!["<sip:100@192.168.1.20:5060>;expires=120".to_owned()]
    );

    phone.contact = "<sip:100@192.168.1.20:5060>;expires=10".into();
    let out = phone.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 423, "the parameter is too brief");
    // The refused request changed nothing.
    let b = reg.lookup("100", clock.now());
    assert_eq!(b[0].remaining_secs(clock.now()), 120);
}

#[test]
fn configured_limits_apply() {
    let clock = Clock::new();
    let mut config = pbx::registrar::RegistrarConfig::new(REALM);
    config.min_expires = 300;
    config.max_expires = 900;
    let mut reg = pbx::registrar::Registrar::new(clock.now(), config, directory());
    let mut phone = Phone::alice();
    let out = phone.register(&mut reg, &clock, Some(120));
    assert_eq!(out.response.status, 423);
    assert_eq!(out.response.headers.get("Min-Expires"), Some("300"));
    let out = phone.send(&mut reg, &clock, Some(7200));
    assert_eq!(
        contacts(&out.response),
        vec!["<sip:100@192.168.1.20:5060>;expires=900".to_owned()]
    );
}
