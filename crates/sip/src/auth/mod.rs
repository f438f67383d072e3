//! Digest authentication for SIP (RFC 3261 §22, RFC 7616, RFC 8760): the registrar's
//! and proxy's challenge/verify side, and the client side used for trunk login.
//!
//! ```
//! use std::time::Instant;
//! use sip::auth::{Challenge, DigestConfig, DigestServer, Secret, Verdict};
//!
//! let now = Instant::now();
//! let mut server = DigestServer::new(now, DigestConfig::default());
//! // 401 with one WWW-Authenticate header per value (SHA-256 first, then MD5).
//! let headers = server.challenge(now, "office.example", false);
//!
//! // The phone answers the first challenge it supports.
//! let challenge = Challenge::first_supported(headers.iter().map(String::as_str)).unwrap();
//! let authorization =
//!     challenge.authorization("201", "secret", "REGISTER", "sip:office.example", 1, "0a4f113b");
//!
//! let verdict = server.verify(now, "REGISTER", &authorization, |user, _realm| {
//!     (user == "201").then(|| Secret::Password("secret".to_owned()))
//! });
//! assert_eq!(verdict, Verdict::Authorized { user: "201".to_owned() });
//! ```

mod client;
mod hash;
mod nonce;
mod params;
mod server;

pub use client::{Challenge, ChallengeOrigin};
pub use hash::Algorithm;
pub use server::{DigestConfig, DigestServer, Secret, Verdict};
