//! No enumeration: a REGISTER for a number that does not exist and one for a real
//! extension with a wrong password get the same status and the same headers; only the
//! values that differ for every response anyway (tags, nonces) may differ.

mod registrar_support;

use pbx::registrar::AuthResult;
use registrar_support::*;
use sip::Response;

/// Header names in order with values where nonces, tags and the echoed user are masked.
fn shape(resp: &Response, user: &str) -> Vec<(String, String)> {
    resp.headers
        .iter()
        .map(|(name, value)| {
            let mut v = value.replace(user, "USER");
            for marker in ["nonce=\"", "tag="] {
                if let Some(start) = v.find(marker) {
                    let from = start + marker.len();
                    let end = v[from..]
                        .find(['"', ';', ','])
                        .map_or(v.len(), |i| from + i);
                    v.replace_range(from..end, "MASKED");
                }
            }
            (name.to_owned(), v)
        })
        .collect()
}

fn attempt(user: &str, password: &str) -> (Response, Response, AuthResult) {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::new(
        user,
        password,
        &format!("<sip:{user}@192.168.1.20:5060>"),
        udp("192.168.1.20:5060"),
    );
    phone.call_id = "same-call-id@phone".into();
    let first = phone.send(&mut reg, &clock, Some(600));
    let out = phone.register(&mut reg, &clock, Some(600));
    assert!(out.changes.is_empty());
    assert!(reg.lookup(user, clock.now()).is_empty());
    (first.response, out.response, out.auth)
}

#[test]
fn unknown_user_and_wrong_password_are_indistinguishable() {
    let (unknown_first, unknown_final, unknown_auth) = attempt("555", "guess");
    let (wrong_first, wrong_final, wrong_auth) = attempt("100", "guess");

    assert_eq!(unknown_final.status, 401);
    assert_eq!(wrong_final.status, 401);
    assert_eq!(unknown_final.reason, wrong_final.reason);
    assert_eq!(unknown_auth, AuthResult::Failed);
    assert_eq!(wrong_auth, AuthResult::Failed);
    // Neither says "stale": that would confirm the password.
    for value in challenges(&unknown_final)
        .iter()
        .chain(&challenges(&wrong_final))
    {
        assert!(!value.contains("stale"), "{value}");
    }
    assert_eq!(shape(&unknown_first, "555"), shape(&wrong_first, "100"));
    assert_eq!(shape(&unknown_final, "555"), shape(&wrong_final, "100"));
    // The nonces themselves are fresh each time.
    assert_ne!(challenges(&unknown_final), challenges(&wrong_final));
}

#[test]
fn right_password_for_another_extension_is_forbidden() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    // Bob's phone, Bob's credentials, but it tries to take over Alice's number.
    let mut phone = Phone::new(
        "101",
        "bob-secret",
        "<sip:101@192.168.1.40>",
        udp("192.168.1.40:5060"),
    );
    phone.to_user = "100".into();
    let out = phone.register(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 403);
    assert_eq!(out.auth, AuthResult::Authorized("101".into()));
    assert!(reg.lookup("100", clock.now()).is_empty());
    assert!(reg.lookup("101", clock.now()).is_empty());
    // A number that does not exist gets the same answer as one that does.
    phone.to_user = "555".into();
    let out = phone.send(&mut reg, &clock, Some(600));
    assert_eq!(out.response.status, 403);
}
