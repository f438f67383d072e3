//! The client side of digest authentication: read a challenge, answer it.
//!
//! Used by the load tool and by trunk registration, where the PBX logs in to a
//! provider (RFC 3261 §22.2, RFC 7616 §3.4).

use super::hash::{self, Algorithm, ResponseInput};
use super::params::{parse_digest, push_quoted};
use crate::Response;

/// Who challenged: the server itself (401, `WWW-Authenticate`) or a proxy on the way
/// (407, `Proxy-Authenticate`). The answer goes in the matching header
/// (RFC 3261 §22.2, §22.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeOrigin {
    Server,
    Proxy,
}

impl ChallengeOrigin {
    /// The header that carries the challenge.
    pub fn challenge_header(self) -> &'static str {
        match self {
            ChallengeOrigin::Server => "WWW-Authenticate",
            ChallengeOrigin::Proxy => "Proxy-Authenticate",
        }
    }

    /// The header that carries our answer.
    pub fn answer_header(self) -> &'static str {
        match self {
            ChallengeOrigin::Server => "Authorization",
            ChallengeOrigin::Proxy => "Proxy-Authorization",
        }
    }
}

/// One `WWW-Authenticate` / `Proxy-Authenticate` challenge we know how to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    /// Echoed back unchanged when present (RFC 7616 §3.3).
    pub opaque: Option<String>,
    pub algorithm: Algorithm,
    /// The server offered `qop=auth`. When false the server predates qop and gets the
    /// RFC 2069 response form, which some trunk providers still use.
    pub qop_auth: bool,
    /// The server says our previous password was right and only the nonce was old, so
    /// retrying is safe and will not lock the account.
    pub stale: bool,
}

impl Challenge {
    /// Parses one challenge value. `None` when it is not Digest, is malformed, names an
    /// algorithm we lack, or offers only `qop=auth-int` (we never hash bodies).
    pub fn parse(value: &str) -> Option<Challenge> {
        let p = parse_digest(value)?;
        let algorithm = match p.algorithm.as_deref() {
            None => Algorithm::Md5,
            Some(token) => Algorithm::from_token(token)?,
        };
        let qop_auth = match p.qop.as_deref() {
            None => false,
            Some(list) => {
                if !list
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth"))
                {
                    return None;
                }
                true
            }
        };
        Some(Challenge {
            realm: p.realm?.into_owned(),
            nonce: p.nonce?.into_owned(),
            opaque: p.opaque.map(|o| o.into_owned()),
            algorithm,
            qop_auth,
            stale: p
                .stale
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
    }

    /// The challenge to answer among several header values: the first one we support,
    /// since servers list them in order of preference (RFC 8760 §2.4).
    pub fn first_supported<'a, I>(values: I) -> Option<Challenge>
    where
        I: IntoIterator<Item = &'a str>,
    {
        values.into_iter().find_map(Challenge::parse)
    }

    /// The challenge to answer in a 401 or 407 response, and which header the answer
    /// goes in. `None` for other statuses, or when no offered challenge is one we can
    /// answer (then retrying with credentials is pointless).
    pub fn from_response(response: &Response) -> Option<(ChallengeOrigin, Challenge)> {
        let origin = match response.status {
            401 => ChallengeOrigin::Server,
            407 => ChallengeOrigin::Proxy,
            _ => return None,
        };
        let values = response.headers.get_all(origin.challenge_header());
        Challenge::first_supported(values).map(|c| (origin, c))
    }

    /// The `Authorization` / `Proxy-Authorization` value for a request.
    /// `nc` counts the requests sent with this nonce, starting at 1; `cnonce` should
    /// be fresh random text for each nonce.
    pub fn authorization(
        &self,
        username: &str,
        password: &str,
        method: &str,
        uri: &str,
        nc: u32,
        cnonce: &str,
    ) -> String {
        let nc_text = format!("{nc:08x}");
        let ha1 = hash::ha1_from_password(self.algorithm, username, &self.realm, password);
        let ha1 =
            hash::session_ha1(self.algorithm, ha1.as_bytes(), &self.nonce, cnonce).unwrap_or(ha1);
        let response = hash::response(&ResponseInput {
            algorithm: self.algorithm,
            ha1: ha1.as_bytes(),
            nonce: &self.nonce,
            nc: &nc_text,
            cnonce,
            qop: self.qop_auth.then_some("auth"),
            method,
            uri,
        });
        let mut out = String::with_capacity(256);
        out.push_str("Digest username=");
        push_quoted(&mut out, username);
        out.push_str(", realm=");
        push_quoted(&mut out, &self.realm);
        out.push_str(", nonce=");
        push_quoted(&mut out, &self.nonce);
        out.push_str(", uri=");
        push_quoted(&mut out, uri);
        out.push_str(", response=\"");
        out.push_str(response.as_str());
        out.push_str("\", algorithm=");
        out.push_str(self.algorithm.as_str());
        if self.qop_auth {
            out.push_str(", cnonce=");
            push_quoted(&mut out, cnonce);
            out.push_str(", qop=auth, nc=");
            out.push_str(&nc_text);
        }
        if let Some(opaque) = &self.opaque {
            out.push_str(", opaque=");
            push_quoted(&mut out, opaque);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::auth::{DigestConfig, DigestServer, Secret, Verdict};

    fn server(algorithms: Vec<Algorithm>) -> (DigestServer, Instant) {
        let now = Instant::now();
        let config = DigestConfig {
            algorithms,
            ..DigestConfig::default()
        };
        (DigestServer::with_secret(now, config, [7; 32]), now)
    }

    fn challenged(status: u16, header: &str, values: &[String]) -> Response {
        let mut response = Response::new(status, "Unauthorized");
        for v in values {
            response.headers.push(header, v.as_str());
        }
        response
    }

    fn verify(server: &mut DigestServer, now: Instant, authorization: &str) -> Verdict {
        server.verify(now, "REGISTER", authorization, |user, _realm| {
            (user == "trunk-user").then(|| Secret::Password("trunk-pass".to_owned()))
        })
    }

    #[test]
    fn answers_an_md5_challenge_the_server_accepts() {
        let (mut server, now) = server(vec![Algorithm::Md5]);
        let values = server.challenge(now, "provider.example", false);
        let response = challenged(401, "WWW-Authenticate", &values);
        let (origin, challenge) = Challenge::from_response(&response).expect("challenge");
        assert_eq!(origin, ChallengeOrigin::Server);
        assert_eq!(origin.answer_header(), "Authorization");
        assert_eq!(challenge.algorithm, Algorithm::Md5);
        let answer = challenge.authorization(
            "trunk-user",
            "trunk-pass",
            "REGISTER",
            "sip:provider.example",
            1,
            "c1",
        );
        assert_eq!(
            verify(&mut server, now, &answer),
            Verdict::Authorized {
                user: "trunk-user".to_owned()
            }
        );
    }

    #[test]
    fn answers_a_sha256_proxy_challenge_the_server_accepts() {
        let (mut server, now) = server(vec![Algorithm::Sha256, Algorithm::Md5]);
        let values = server.challenge(now, "provider.example", false);
        let response = challenged(407, "Proxy-Authenticate", &values);
        let (origin, challenge) = Challenge::from_response(&response).expect("challenge");
        assert_eq!(origin.answer_header(), "Proxy-Authorization");
        assert_eq!(challenge.algorithm, Algorithm::Sha256);
        let answer = challenge.authorization(
            "trunk-user",
            "trunk-pass",
            "REGISTER",
            "sip:provider.example",
            1,
            "c2",
        );
        assert!(answer.contains("algorithm=SHA-256"));
        assert!(matches!(
            verify(&mut server, now, &answer),
            Verdict::Authorized { .. }
        ));
        let wrong = challenge.authorization(
            "trunk-user",
            "wrong",
            "REGISTER",
            "sip:provider.example",
            2,
            "c2",
        );
        assert_eq!(verify(&mut server, now, &wrong), Verdict::Rejected);
    }

    #[test]
    fn no_challenge_in_other_statuses_or_unknown_schemes() {
        let (mut server, now) = server(vec![Algorithm::Md5]);
        let values = server.challenge(now, "provider.example", false);
        assert!(Challenge::from_response(&challenged(403, "WWW-Authenticate", &values)).is_none());
        // A 407 whose challenge is in the wrong header offers nothing to answer.
        assert!(Challenge::from_response(&challenged(407, "WWW-Authenticate", &values)).is_none());
        let basic = challenged(401, "WWW-Authenticate", &["Basic realm=\"x\"".to_owned()]);
        assert!(Challenge::from_response(&basic).is_none());
    }

    #[test]
    fn without_qop_the_answer_has_the_rfc2069_form() {
        let challenge =
            Challenge::parse("Digest realm=\"r\", nonce=\"n\", opaque=\"o\"").expect("parse");
        assert!(!challenge.qop_auth);
        let answer = challenge.authorization("u", "p", "REGISTER", "sip:r", 1, "c");
        assert!(!answer.contains("qop="));
        assert!(!answer.contains("cnonce="));
        assert!(answer.contains("opaque=\"o\""));
        // H(H(u:r:p):n:H(REGISTER:sip:r)) with MD5.
        let ha1 = hash::Hasher::joined(Algorithm::Md5, &[b"u", b"r", b"p"]);
        let ha2 = hash::Hasher::joined(Algorithm::Md5, &[b"REGISTER", b"sip:r"]);
        let expected =
            hash::Hasher::joined(Algorithm::Md5, &[ha1.as_bytes(), b"n", ha2.as_bytes()]);
        assert!(answer.contains(&format!("response=\"{}\"", expected.as_str())));
    }
}
