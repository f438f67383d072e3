//! Digest `WWW-Authenticate` / `Proxy-Authenticate` values (from a trunk provider) and
//! `Authorization` values (from anyone on the internet): parsing and verifying must never
//! panic. The text `NONCE` in the input is replaced by a nonce the server really issued,
//! so that inputs get past the nonce check into the hashing and the replay window.
#![no_main]

use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use sip::auth::{Challenge, DigestConfig, DigestServer, Secret};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Some(challenge) = Challenge::parse(text) {
        let answer = challenge.authorization("201", "secret", "REGISTER", "sip:pbx", 1, "c0ffee");
        assert!(
            answer.starts_with("Digest "),
            "an answer that is not Digest: {answer:?}"
        );
    }

    let now = Instant::now();
    let mut server = DigestServer::with_secret(now, DigestConfig::default(), [7; 32]);
    let challenges = server.challenge(now, "pbx", false);
    let nonce = challenges
        .iter()
        .find_map(|c| Challenge::parse(c))
        .map(|c| c.nonce)
        .expect("the server's own challenge parses");
    let authorization = text.replace("NONCE", &nonce);
    for _ in 0..2 {
        let _ = server.verify(now, "REGISTER", &authorization, |user, _realm| match user {
            "201" => Some(Secret::Password("secret".to_owned())),
            "202" => Some(Secret::ha1("202", "pbx", "other")),
            _ => None,
        });
    }
});
