//! The registrar's digest check: fresh credentials pass; old nonces and reused
//! nonce-counts ask for a retry; wrong passwords and unknown users look the same.

use std::time::{Duration, Instant};

use sip::auth::{Algorithm, Challenge, DigestConfig, DigestServer, Secret, Verdict};

const REALM: &str = "office.example";
const URI: &str = "sip:office.example";

fn server(t0: Instant) -> DigestServer {
    let config = DigestConfig {
        nonce_lifetime: Duration::from_secs(60),
        ..DigestConfig::default()
    };
    DigestServer::with_secret(t0, config, [42; 32])
}

fn lookup(user: &str, realm: &str) -> Option<Secret> {
    (user == "alice" && realm == REALM).then(|| Secret::Password("s3cret".to_owned()))
}

fn answer(challenges: &[String], index: usize, user: &str, password: &str, nc: u32) -> String {
    let c = Challenge::parse(&challenges[index]).expect("own challenge parses");
    c.authorization(user, password, "REGISTER", URI, nc, "0a4f113b")
}

#[test]
fn offers_sha256_before_md5_with_one_nonce() {
    let t0 = Instant::now();
    let mut s = server(t0);
    let values = s.challenge(t0, REALM, false);
    assert_eq!(values.len(), 2);
    let first = Challenge::parse(&values[0]).expect("parses");
    let second = Challenge::parse(&values[1]).expect("parses");
    assert_eq!(first.algorithm, Algorithm::Sha256);
    assert_eq!(second.algorithm, Algorithm::Md5);
    assert_eq!(first.nonce, second.nonce);
    assert!(first.qop_auth && !first.stale);
    assert!(
        Challenge::parse(&s.challenge(t0, REALM, true)[0])
            .expect("parses")
            .stale
    );
}

#[test]
fn right_password_is_authorized_with_either_algorithm() {
    let t0 = Instant::now();
    let mut s = server(t0);
    for index in 0..2 {
        let values = s.challenge(t0, REALM, false);
        let auth = answer(&values, index, "alice", "s3cret", 1);
        assert_eq!(
            s.verify(t0, "REGISTER", &auth, lookup),
            Verdict::Authorized {
                user: "alice".to_owned()
            }
        );
    }
}

#[test]
fn stored_ha1_works_like_the_password() {
    let t0 = Instant::now();
    let mut s = server(t0);
    let stored = Secret::ha1("alice", REALM, "s3cret");
    for index in 0..2 {
        let values = s.challenge(t0, REALM, false);
        let auth = answer(&values, index, "alice", "s3cret", 1);
        let verdict = s.verify(t0, "REGISTER", &auth, |_, _| Some(stored.clone()));
        assert!(matches!(verdict, Verdict::Authorized { .. }), "{verdict:?}");
        let wrong = answer(&values, index, "alice", "guess", 2);
        assert_eq!(
            s.verify(t0, "REGISTER", &wrong, |_, _| Some(stored.clone())),
            Verdict::Rejected
        );
    }
}

#[test]
fn expired_nonce_with_right_password_is_stale() {
    let t0 = Instant::now();
    let mut s = server(t0);
    let values = s.challenge(t0, REALM, false);
    let auth = answer(&values, 0, "alice", "s3cret", 1);
    let later = t0 + Duration::from_secs(61);
    assert_eq!(s.verify(later, "REGISTER", &auth, lookup), Verdict::Stale);
    // With a wrong password the old nonce is no excuse: plain rejection.
    let wrong = answer(&values, 0, "alice", "nope", 1);
    assert_eq!(
        s.verify(later, "REGISTER", &wrong, lookup),
        Verdict::Rejected
    );
}

#[test]
fn replayed_nonce_count_is_not_authorized() {
    let t0 = Instant::now();
    let mut s = server(t0);
    let values = s.challenge(t0, REALM, false);
    let first = answer(&values, 0, "alice", "s3cret", 1);
    assert!(matches!(
        s.verify(t0, "REGISTER", &first, lookup),
        Verdict::Authorized { .. }
    ));
    assert_eq!(s.verify(t0, "REGISTER", &first, lookup), Verdict::Stale);
    let next = answer(&values, 0, "alice", "s3cret", 2);
    assert!(matches!(
        s.verify(t0, "REGISTER", &next, lookup),
        Verdict::Authorized { .. }
    ));
    let lower = answer(&values, 0, "alice", "s3cret", 1);
    assert_eq!(s.verify(t0, "REGISTER", &lower, lookup), Verdict::Stale);
}

#[test]
fn unknown_user_and_wrong_password_get_the_same_verdict() {
    let t0 = Instant::now();
    let mut s = server(t0);
    let values = s.challenge(t0, REALM, false);
    let wrong_password = answer(&values, 0, "alice", "guess", 1);
    let unknown_user = answer(&values, 0, "mallory", "guess", 1);
    let mut asked = Vec::new();
    let a = s.verify(t0, "REGISTER", &wrong_password, |u, _| {
        asked.push(u.to_owned());
        lookup(u, REALM)
    });
    let b = s.verify(t0, "REGISTER", &unknown_user, |u, _| {
        asked.push(u.to_owned());
        lookup(u, REALM)
    });
    assert_eq!(a, Verdict::Rejected);
    assert_eq!(a, b);
    // Both went as far as the credential lookup: no shortcut for unknown names.
    assert_eq!(asked, ["alice", "mallory"]);
    // An old nonce must not turn an unknown user into "stale" (which would say the
    // password was right).
    let expired = t0 + Duration::from_secs(61);
    assert_eq!(
        s.verify(expired, "REGISTER", &unknown_user, lookup),
        Verdict::Rejected
    );
}

#[test]
fn forged_or_foreign_nonce_and_wrong_method_are_rejected() {
    let t0 = Instant::now();
    let mut s = server(t0);
    let mut other = DigestServer::with_secret(t0, DigestConfig::default(), [1; 32]);
    let foreign = other.challenge(t0, REALM, false);
    let auth = answer(&foreign, 0, "alice", "s3cret", 1);
    assert_eq!(s.verify(t0, "REGISTER", &auth, lookup), Verdict::Rejected);

    let values = s.challenge(t0, REALM, false);
    let auth = answer(&values, 0, "alice", "s3cret", 1);
    assert_eq!(s.verify(t0, "INVITE", &auth, lookup), Verdict::Rejected);
    assert_eq!(
        s.verify(t0, "REGISTER", "Basic abc", lookup),
        Verdict::Rejected
    );
    // A nonce issued for one realm does not validate in another, even with a
    // correctly computed response.
    let mut moved = Challenge::parse(&values[0]).expect("parses");
    moved.realm = "elsewhere.example".to_owned();
    let elsewhere = moved.authorization("alice", "s3cret", "REGISTER", URI, 1, "c");
    let any_realm = |_: &str, _: &str| Some(Secret::Password("s3cret".into()));
    assert_eq!(
        s.verify(t0, "REGISTER", &elsewhere, any_realm),
        Verdict::Rejected
    );
    moved.realm = REALM.to_owned();
    let here = moved.authorization("alice", "s3cret", "REGISTER", URI, 1, "c");
    assert!(matches!(
        s.verify(t0, "REGISTER", &here, any_realm),
        Verdict::Authorized { .. }
    ));
}
