//! RFC 7616 §3.9.1: the worked example for MD5 and SHA-256 must produce the
//! published `response` values.

use sip::auth::{Algorithm, Challenge};

const CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

fn challenge(algorithm: &str) -> String {
    format!(
        "Digest\n realm=\"http-auth@example.org\",\n qop=\"auth, auth-int\",\n \
         algorithm={algorithm},\n nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\n \
         opaque=\"FQhe/qaU925kfnJaSNUFq2eL0rYSIdyupUhjQSSyB8\""
    )
}

fn response_param(authorization: &str) -> &str {
    let start = authorization
        .find("response=\"")
        .map(|i| i + "response=\"".len())
        .unwrap_or(0);
    let len = authorization[start..].find('"').unwrap_or(0);
    &authorization[start..start + len]
}

#[test]
fn md5_example_response() {
    let c = Challenge::parse(&challenge("MD5")).expect("challenge parses");
    assert_eq!(c.algorithm, Algorithm::Md5);
    assert!(c.qop_auth);
    let auth = c.authorization(
        "Mufasa",
        "Circle of Life",
        "GET",
        "/dir/index.html",
        1,
        CNONCE,
    );
    assert_eq!(response_param(&auth), "8ca523f5e9506fed4657c9700eebdbec");
    assert!(auth.contains("nc=00000001"));
    assert!(auth.contains("opaque=\"FQhe/qaU925kfnJaSNUFq2eL0rYSIdyupUhjQSSyB8\""));
}

#[test]
fn sha256_example_response() {
    let c = Challenge::parse(&challenge("SHA-256")).expect("challenge parses");
    assert_eq!(c.algorithm, Algorithm::Sha256);
    let auth = c.authorization(
        "Mufasa",
        "Circle of Life",
        "GET",
        "/dir/index.html",
        1,
        CNONCE,
    );
    assert_eq!(
        response_param(&auth),
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
    assert!(auth.contains("algorithm=SHA-256"));
}

#[test]
fn first_supported_challenge_wins() {
    let values = [
        "Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256, qop=\"auth\"",
        "Digest realm=\"x\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\"",
        "Digest realm=\"x\", nonce=\"n\", algorithm=MD5, qop=\"auth\"",
    ];
    let c = Challenge::first_supported(values).expect("one is supported");
    assert_eq!(c.algorithm, Algorithm::Sha256);
}

#[test]
fn challenge_without_qop_gets_rfc2069_response() {
    // RFC 2069 §2.4 example: without qop, response = MD5(HA1:nonce:HA2).
    let c = Challenge::parse(
        "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"",
    )
    .expect("parses");
    assert!(!c.qop_auth);
    let auth = c.authorization("Mufasa", "CircleOfLife", "GET", "/dir/index.html", 1, "x");
    assert_eq!(response_param(&auth), "1949323746fe6a43ef61f9606e7febea");
    assert!(!auth.contains("nc="));
}
