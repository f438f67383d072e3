//! The server side of digest authentication (RFC 7616, RFC 8760, RFC 3261 §22.4).

use std::time::{Duration, Instant};

use super::hash::{self, Algorithm, HexDigest, ResponseInput};
use super::nonce::{NonceMint, NonceState, ReplayWindow};
use super::params::{parse_digest, push_quoted, DigestParams};

/// Tuning for [`DigestServer`].
#[derive(Debug, Clone)]
pub struct DigestConfig {
    /// How long a nonce is accepted; older ones get a `stale=true` challenge so the
    /// client retries with the same password and no user prompt.
    pub nonce_lifetime: Duration,
    /// At most this many nonces have their nonce-count remembered. Beyond it the oldest
    /// are forgotten and turn stale (never replayable).
    pub max_tracked_nonces: usize,
    /// The algorithms challenged with, one `WWW-Authenticate` each, in order of
    /// preference (RFC 8760 §2.4). Credentials are verified with whichever algorithm
    /// they name, so this only decides what is offered.
    pub algorithms: Vec<Algorithm>,
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            nonce_lifetime: Duration::from_secs(300),
            max_tracked_nonces: 1 << 20,
            algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
        }
    }
}

/// What the credential store knows about a user.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// The clear-text password.
    Password(String),
    /// Precomputed `H(user:realm:password)` as lower-case hex, one per hash, so the
    /// password itself need not be stored. Build it with [`Secret::ha1`].
    Ha1 { md5: String, sha256: String },
}

impl Secret {
    /// Computes the stored form for `username` in `realm`. The HA1 depends on both, so
    /// renaming either means asking for the password again.
    pub fn ha1(username: &str, realm: &str, password: &str) -> Secret {
        Secret::Ha1 {
            md5: hash::ha1_from_password(Algorithm::Md5, username, realm, password)
                .as_str()
                .to_owned(),
            sha256: hash::ha1_from_password(Algorithm::Sha256, username, realm, password)
                .as_str()
                .to_owned(),
        }
    }
}

impl std::fmt::Debug for Secret {
    /// Never print secrets, not even in debug logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Password(_) => f.write_str("Secret::Password(..)"),
            Secret::Ha1 { .. } => f.write_str("Secret::Ha1(..)"),
        }
    }
}

/// The outcome of checking an `Authorization` / `Proxy-Authorization` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The response proved the secret for `user` with a current nonce.
    Authorized { user: String },
    /// The password was right but the nonce has expired or its nonce-count was already
    /// used: answer with a fresh challenge carrying `stale=true` (RFC 7616 §3.3).
    Stale,
    /// Anything else: malformed, unknown nonce, unknown user or wrong password. These
    /// are deliberately one verdict so a client cannot probe for valid user names.
    Rejected,
}

/// Issues challenges and verifies credentials without per-challenge state.
pub struct DigestServer {
    nonces: NonceMint,
    window: ReplayWindow,
    /// Stands in for the password of unknown users so that they cost the same hashing
    /// as known ones and response time does not reveal which names exist.
    dummy_password: String,
    algorithms: Vec<Algorithm>,
}

impl DigestServer {
    /// A server with a random per-process secret. Nonces from before a restart become
    /// unknown, which clients handle by re-authenticating on the 401.
    pub fn new(now: Instant, config: DigestConfig) -> Self {
        Self::with_secret(now, config, rand::random())
    }

    /// A server with a given secret, for deterministic tests and for sharing nonces
    /// between several instances.
    pub fn with_secret(now: Instant, config: DigestConfig, secret: [u8; 32]) -> Self {
        DigestServer {
            nonces: NonceMint::new(now, &secret, config.nonce_lifetime),
            window: ReplayWindow::new(config.max_tracked_nonces),
            // Independent of the nonce key, so nothing about the key is ever hashed
            // alongside attacker-chosen input.
            dummy_password: hex::encode(rand::random::<[u8; 16]>()),
            algorithms: config.algorithms,
        }
    }

    /// The header values for a 401 `WWW-Authenticate` (or 407 `Proxy-Authenticate`): one
    /// per configured algorithm, by default SHA-256 first, then MD5 (RFC 8760 §2.4: in
    /// order of preference), sharing one nonce. `stale` tells the client its password
    /// was right.
    pub fn challenge(&mut self, now: Instant, realm: &str, stale: bool) -> Vec<String> {
        let nonce = self.nonces.issue(now, realm);
        self.algorithms
            .iter()
            .map(|algorithm| {
                let mut value = String::with_capacity(128 + realm.len());
                value.push_str("Digest realm=");
                push_quoted(&mut value, realm);
                value.push_str(", nonce=\"");
                value.push_str(&nonce);
                value.push_str("\", qop=\"auth\", algorithm=");
                value.push_str(algorithm.as_str());
                if stale {
                    value.push_str(", stale=true");
                }
                value
            })
            .collect()
    }

    /// Checks a credentials value for a request with `method` (RFC 7616 §3.4).
    /// `lookup(user, realm)` returns the user's secret, or `None` if there is no such
    /// user in that realm.
    pub fn verify<F>(
        &mut self,
        now: Instant,
        method: &str,
        authorization: &str,
        lookup: F,
    ) -> Verdict
    where
        F: FnOnce(&str, &str) -> Option<Secret>,
    {
        let Some(params) = parse_digest(authorization) else {
            return Verdict::Rejected;
        };
        let Some(creds) = Credentials::from_params(&params) else {
            return Verdict::Rejected;
        };
        // The nonce's MAC covers the realm, so a valid nonce also proves the realm is
        // one this server challenged for.
        let state = self.nonces.check(now, creds.realm, creds.nonce);
        if state == NonceState::Foreign {
            return Verdict::Rejected;
        }
        let secret = lookup(creds.username, creds.realm);
        let known = secret.is_some();
        let ha1 = self.ha1(&creds, secret.as_ref());
        let ha1 = hash::session_ha1(creds.algorithm, ha1.as_bytes(), creds.nonce, creds.cnonce)
            .unwrap_or(ha1);
        let expected = hash::response(&ResponseInput {
            algorithm: creds.algorithm,
            ha1: ha1.as_bytes(),
            nonce: creds.nonce,
            nc: creds.nc,
            cnonce: creds.cnonce,
            qop: Some("auth"),
            method,
            uri: creds.uri,
        });
        let matches = response_matches(&expected, creds.response);
        if !(matches && known) {
            return Verdict::Rejected;
        }
        let NonceState::Fresh { seq } = state else {
            return Verdict::Stale;
        };
        let now_ms = self.nonces.millis(now);
        let lifetime_ms = u64::try_from(self.nonces.lifetime().as_millis()).unwrap_or(u64::MAX);
        if self
            .window
            .record(now_ms, lifetime_ms, seq, creds.nc_value)
            .is_err()
        {
            return Verdict::Stale;
        }
        Verdict::Authorized {
            user: creds.username.to_owned(),
        }
    }

    /// HA1 for the credentials' hash. Every path hashes `user:realm:password` once so
    /// that known users with a stored HA1, known users with a password and unknown users
    /// take the same time.
    fn ha1(&self, creds: &Credentials<'_>, secret: Option<&Secret>) -> HexDigest {
        let base = creds.algorithm.base();
        let password = match secret {
            Some(Secret::Password(p)) => p.as_str(),
            _ => self.dummy_password.as_str(),
        };
        let computed = hash::ha1_from_password(base, creds.username, creds.realm, password);
        let stored = match (secret, base) {
            (Some(Secret::Ha1 { sha256, .. }), Algorithm::Sha256) => Some(sha256.as_str()),
            (Some(Secret::Ha1 { md5, .. }), _) => Some(md5.as_str()),
            _ => None,
        };
        match stored {
            Some(stored) => {
                std::hint::black_box(&computed);
                HexDigest::from_hex_str(stored).unwrap_or(computed)
            }
            None => computed,
        }
    }
}

/// The fields a credentials value must carry for qop=auth, borrowed from the parse.
struct Credentials<'a> {
    username: &'a str,
    realm: &'a str,
    nonce: &'a str,
    uri: &'a str,
    response: &'a str,
    cnonce: &'a str,
    nc: &'a str,
    nc_value: u32,
    algorithm: Algorithm,
}

impl<'a> Credentials<'a> {
    fn from_params(p: &'a DigestParams<'a>) -> Option<Self> {
        let algorithm = match p.algorithm.as_deref() {
            None => Algorithm::Md5,
            Some(token) => Algorithm::from_token(token)?,
        };
        // We always offer qop="auth"; a response without it is RFC 2069 style, which
        // gives no protection against replay (RFC 7616 §3.4: qop MUST be sent back).
        if !p.qop.as_deref()?.eq_ignore_ascii_case("auth") {
            return None;
        }
        let nc = p.nc.as_deref()?;
        if nc.len() != 8 {
            return None;
        }
        let nc_value = u32::from_str_radix(nc, 16).ok()?;
        let cnonce = p.cnonce.as_deref()?;
        if cnonce.is_empty() {
            return None;
        }
        Some(Credentials {
            username: p.username.as_deref()?,
            realm: p.realm.as_deref()?,
            nonce: p.nonce.as_deref()?,
            uri: p.uri.as_deref()?,
            response: p.response.as_deref()?,
            cnonce,
            nc,
            nc_value,
            algorithm,
        })
    }
}

/// Compares the client's response (hex, any case) with ours in constant time.
fn response_matches(expected: &HexDigest, given: &str) -> bool {
    let mut lower = [0u8; 64];
    let Some(dest) = lower.get_mut(..given.len()) else {
        return false;
    };
    dest.copy_from_slice(given.as_bytes());
    dest.make_ascii_lowercase();
    hash::constant_time_eq(expected.as_bytes(), dest)
}
