//! The client side of digest authentication: read a challenge, answer it.
//!
//! Used by the load tool and by trunk registration, where the PBX logs in to a
//! provider (RFC 3261 §22.2, RFC 7616 §3.4).

use super::hash::{self, Algorithm, ResponseInput};
use super::params::{parse_digest, push_quoted};

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
