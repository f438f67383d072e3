//! Small helpers shared by the call model.

use rand::Rng;

/// A random token for tags and Call-IDs: 20 base-36 characters (~103 bits), enough to be
/// globally unique (RFC 3261 §19.3).
pub(crate) fn token(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..20)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// Methods we accept, for Allow headers (RFC 3261 §20.5).
pub(crate) const ALLOW: &str =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE, NOTIFY, REFER, SUBSCRIBE";
