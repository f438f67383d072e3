//! Calls placed by phones are authenticated with the same nonces and secrets as their
//! registrations; directory changes take effect at once.

mod registrar_support;

use pbx::registrar::{CallerAuth, DirectoryEntry, Registrar, RegistrarConfig};
use registrar_support::*;
use sip::auth::Challenge;

fn invite(auth: Option<&str>) -> sip::Request {
    let mut text = format!(
        "INVITE sip:101@{REALM} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKinv1\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:100@{REALM}>;tag=a1\r\n\
         To: <sip:101@{REALM}>\r\n\
         Call-ID: call-1@phone\r\n\
         CSeq: 1 INVITE\r\n\
         Contact: <sip:100@192.168.1.20:5060>\r\n"
    );
    if let Some(a) = auth {
        text.push_str(&format!("Authorization: {a}\r\n"));
    }
    text.push_str("Content-Length: 0\r\n\r\n");
    parse_request(&text)
}

#[test]
fn invite_is_challenged_then_authorized() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let challenge = match reg.authenticate_request(clock.now(), &invite(None)) {
        CallerAuth::Challenge(resp) => {
            assert_eq!(resp.status, 401);
            assert!(resp.to().unwrap().tag().is_some());
            Challenge::first_supported(challenges(&resp)).unwrap()
        }
        CallerAuth::Authorized(who) => panic!("authorized {who} without credentials"),
    };
    let uri = format!("sip:101@{REALM}");
    let good = challenge.authorization("100", "alice-secret", "INVITE", &uri, 1, "c1");
    match reg.authenticate_request(clock.now(), &invite(Some(&good))) {
        CallerAuth::Authorized(who) => assert_eq!(who, "100"),
        CallerAuth::Challenge(resp) => panic!("challenged again: {}", resp.status),
    }
    // Credentials computed for REGISTER do not authorize an INVITE.
    let wrong_method = challenge.authorization("100", "alice-secret", "REGISTER", &uri, 2, "c1");
    assert!(matches!(
        reg.authenticate_request(clock.now(), &invite(Some(&wrong_method))),
        CallerAuth::Challenge(_)
    ));
}

#[test]
fn password_reset_drops_bindings_and_old_credentials() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    assert_eq!(
        phone.register(&mut reg, &clock, Some(600)).response.status,
        200
    );
    // Renaming keeps the phone registered.
    let renamed = DirectoryEntry::with_password("100", "Alice Smith", REALM, "alice-secret");
    assert!(reg.upsert_extension(renamed).is_empty());
    assert_eq!(reg.lookup("100", clock.now()).len(), 1);
    // A new password locks the old phone out at once.
    let reset = DirectoryEntry::with_password("100", "Alice Smith", REALM, "new-secret");
    let changes = reg.upsert_extension(reset);
    assert_eq!(
        changes,
        vec![pbx::registrar::BindingChange::RemoveAll {
            extension: "100".into()
        }]
    );
    assert!(reg.lookup("100", clock.now()).is_empty());
    let out = phone.register(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 401);
}

#[test]
fn removing_an_extension_removes_its_bindings() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    phone.register(&mut reg, &clock, Some(600));
    let mut dir = directory();
    dir.remove("100");
    let changes = reg.set_directory(dir);
    assert_eq!(changes.len(), 1);
    assert!(reg.lookup("100", clock.now()).is_empty());
    assert!(!reg.directory().contains("100"));
}

#[test]
fn configured_domains_refuse_other_request_uris() {
    let clock = Clock::new();
    let mut config = RegistrarConfig::new(REALM);
    config.domains = vec!["pbx.office.example".into(), "192.168.1.2".into()];
    let mut reg = Registrar::new(clock.now(), config, directory());
    let mut phone = Phone::alice();
    let out = phone.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 404, "{REALM} is not in the list");

    let text = phone.request_text(Some(600)).replacen(
        &format!("REGISTER sip:{REALM} "),
        "REGISTER sip:192.168.1.2 ",
        1,
    );
    let out = reg.handle_register(
        clock.now(),
        clock.unix(),
        &parse_request(&text),
        phone.source,
    );
    assert_eq!(out.response.status, 401, "an address in the list is served");
}
