//! Hostile `WWW-Authenticate` / `Authorization` values must never panic the parser
//! or the verifier.

use std::time::Instant;

use proptest::prelude::*;
use sip::auth::{Challenge, DigestConfig, DigestServer, Secret};

fn digestish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Digest ".to_owned()),
        Just("username=".to_owned()),
        Just("realm=".to_owned()),
        Just("nonce=".to_owned()),
        Just("response=".to_owned()),
        Just("nc=".to_owned()),
        Just("qop=auth".to_owned()),
        Just("algorithm=SHA-256".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just("é".to_owned()),
        "[ -~]{0,8}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn challenge_parse_survives(value in digestish()) {
        if let Some(c) = Challenge::parse(&value) {
            // Whatever parsed must be answerable.
            let auth = c.authorization("u", "p", "REGISTER", "sip:x", 1, "c");
            prop_assert!(auth.starts_with("Digest "));
        }
    }

    #[test]
    fn verify_survives(value in digestish(), raw in proptest::collection::vec(any::<u8>(), 0..64)) {
        let t0 = Instant::now();
        let mut s = DigestServer::with_secret(t0, DigestConfig::default(), [3; 32]);
        let lossy = String::from_utf8_lossy(&raw).into_owned();
        for v in [value.as_str(), lossy.as_str()] {
            let verdict = s.verify(t0, "REGISTER", v, |_, _| Some(Secret::Password("p".into())));
            prop_assert_ne!(verdict, sip::auth::Verdict::Authorized { user: "u".into() });
        }
    }
}

#[test]
fn quoted_values_round_trip_through_the_client() {
    let c =
        Challenge::parse("Digest realm=\"a \\\"quoted\\\" realm\", nonce=\"n\\\\1\", qop=\"auth\"")
            .expect("parses");
    assert_eq!(c.realm, "a \"quoted\" realm");
    assert_eq!(c.nonce, "n\\1");
}
