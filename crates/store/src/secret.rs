//! SIP passwords and the digest hashes stored in their place.
//!
//! The product generates every password: people pick weak ones and phones are configured once,
//! so a long random string costs nothing. Only the HA1 values of RFC 7616 §3.4.2
//! (`H(username ":" realm ":" password)`) are kept, for MD5 and SHA-256; they are what the
//! digest check needs and the plaintext cannot be read back from the database. The password is
//! shown once, when it is made.

use md5::Md5;
use rand::rngs::OsRng;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Characters a generated password is made of: letters and digits only, because phone keypads
/// and web forms of cheap desk phones choke on punctuation, minus look-alikes (`0 O o 1 l I`)
/// so a person can copy it from the screen.
pub const SECRET_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz";

/// Length of a generated password: 24 characters of a 56-letter alphabet, about 139 bits.
pub const SECRET_LEN: usize = 24;

/// A fresh password from the operating system's CSPRNG.
pub fn generate_secret() -> String {
    let mut rng = OsRng;
    (0..SECRET_LEN)
        .map(|_| {
            // gen_range is unbiased; the index is always within the alphabet.
            let i = rng.gen_range(0..SECRET_ALPHABET.len());
            char::from(SECRET_ALPHABET[i])
        })
        .collect()
}

/// `MD5(username:realm:password)` in lower-case hex (RFC 2617 §3.2.2.2, RFC 7616 §3.4.2).
pub fn ha1_md5(username: &str, realm: &str, password: &str) -> String {
    let mut h = Md5::new();
    feed(&mut h, username, realm, password);
    hex::encode(h.finalize())
}

/// `SHA-256(username:realm:password)` in lower-case hex (RFC 7616 §3.4.2).
pub fn ha1_sha256(username: &str, realm: &str, password: &str) -> String {
    let mut h = Sha256::new();
    feed(&mut h, username, realm, password);
    hex::encode(h.finalize())
}

fn feed(h: &mut impl Digest, username: &str, realm: &str, password: &str) {
    h.update(username.as_bytes());
    h.update(b":");
    h.update(realm.as_bytes());
    h.update(b":");
    h.update(password.as_bytes());
}
