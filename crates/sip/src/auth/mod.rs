//! Digest authentication for SIP (RFC 3261 §22, RFC 7616, RFC 8760): the registrar's
//! and proxy's challenge/verify side, and the client side used for trunk login.

mod client;
mod hash;
mod nonce;
mod params;
mod server;

pub use client::Challenge;
pub use hash::Algorithm;
pub use server::{DigestConfig, DigestServer, Secret, Verdict};
