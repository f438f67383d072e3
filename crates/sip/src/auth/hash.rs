//! Digest algorithms and the hashing helpers shared by the server and client sides.
//!
//! Hashes are written into stack buffers as lower-case hex so that verifying a request
//! allocates nothing: at thousands of REGISTER/s every avoided allocation counts.

use md5::Md5;
use sha2::{Digest, Sha256};

/// The hash named by the `algorithm` parameter (RFC 7616 §3.3, RFC 8760 §2).
///
/// The `-sess` variants hash the client nonce into HA1 (RFC 7616 §3.4.2); they are
/// accepted and answered but never offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl Algorithm {
    /// Parses the token case-insensitively; an absent parameter means MD5 (RFC 7616 §3.3).
    pub fn from_token(token: &str) -> Option<Self> {
        const TABLE: [(&str, Algorithm); 4] = [
            ("MD5", Algorithm::Md5),
            ("MD5-sess", Algorithm::Md5Sess),
            ("SHA-256", Algorithm::Sha256),
            ("SHA-256-sess", Algorithm::Sha256Sess),
        ];
        TABLE
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(token))
            .map(|(_, alg)| *alg)
    }

    /// The token as written in headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    /// True for the variants whose HA1 also covers nonce and cnonce.
    pub fn is_sess(self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }

    /// The hash underneath, which decides which stored HA1 applies.
    pub fn base(self) -> Algorithm {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => Algorithm::Md5,
            Algorithm::Sha256 | Algorithm::Sha256Sess => Algorithm::Sha256,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hash value as lower-case hex, held on the stack (64 bytes fits SHA-256).
#[derive(Clone, Copy)]
pub(crate) struct HexDigest {
    buf: [u8; 64],
    len: usize,
}

impl HexDigest {
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written into `buf`.
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Takes a stored hex value (e.g. an HA1 from the database), lower-cased because
    /// the digest formulas hash the hex text itself.
    pub(crate) fn from_hex_str(hex: &str) -> Option<Self> {
        let mut buf = [0u8; 64];
        let dest = buf.get_mut(..hex.len())?;
        dest.copy_from_slice(hex.as_bytes());
        if !dest.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        dest.make_ascii_lowercase();
        Some(HexDigest {
            buf,
            len: hex.len(),
        })
    }

    fn from_raw(raw: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 64];
        let mut len = 0;
        for (byte, pair) in raw.iter().zip(buf.chunks_exact_mut(2)) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
            len += 2;
        }
        HexDigest { buf, len }
    }
}

/// An incremental hash over `:`-joined fields, the shape of every digest formula.
pub(crate) enum Hasher {
    Md5(Md5),
    Sha256(Sha256),
}

impl Hasher {
    pub(crate) fn new(algorithm: Algorithm) -> Self {
        match algorithm.base() {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            _ => Hasher::Md5(Md5::new()),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) -> &mut Self {
        match self {
            Hasher::Md5(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
        }
        self
    }

    /// Hashes `parts` joined with `:`.
    pub(crate) fn joined(algorithm: Algorithm, parts: &[&[u8]]) -> HexDigest {
        let mut hasher = Hasher::new(algorithm);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                hasher.update(b":");
            }
            hasher.update(part);
        }
        hasher.finish()
    }

    pub(crate) fn finish(self) -> HexDigest {
        match self {
            Hasher::Md5(h) => HexDigest::from_raw(&h.finalize()),
            Hasher::Sha256(h) => HexDigest::from_raw(&h.finalize()),
        }
    }
}

/// HA1 for `algorithm` (RFC 7616 §3.4.2): `H(user:realm:password)` for the plain
/// variants; the `-sess` variants additionally hash in nonce and cnonce.
pub(crate) fn ha1_from_password(
    algorithm: Algorithm,
    username: &str,
    realm: &str,
    password: &str,
) -> HexDigest {
    Hasher::joined(
        algorithm,
        &[username.as_bytes(), realm.as_bytes(), password.as_bytes()],
    )
}

/// Applies the `-sess` step to a plain HA1 when the algorithm asks for it.
pub(crate) fn session_ha1(
    algorithm: Algorithm,
    ha1: &[u8],
    nonce: &str,
    cnonce: &str,
) -> Option<HexDigest> {
    algorithm
        .is_sess()
        .then(|| Hasher::joined(algorithm, &[ha1, nonce.as_bytes(), cnonce.as_bytes()]))
}

/// The `response` value (RFC 7616 §3.4.1). With `qop` absent this is the RFC 2069
/// form `H(HA1:nonce:HA2)`, which old servers still use.
pub(crate) struct ResponseInput<'a> {
    pub algorithm: Algorithm,
    pub ha1: &'a [u8],
    pub nonce: &'a str,
    pub nc: &'a str,
    pub cnonce: &'a str,
    pub qop: Option<&'a str>,
    pub method: &'a str,
    pub uri: &'a str,
}

pub(crate) fn response(input: &ResponseInput<'_>) -> HexDigest {
    let ha2 = Hasher::joined(
        input.algorithm,
        &[input.method.as_bytes(), input.uri.as_bytes()],
    );
    match input.qop {
        Some(qop) => Hasher::joined(
            input.algorithm,
            &[
                input.ha1,
                input.nonce.as_bytes(),
                input.nc.as_bytes(),
                input.cnonce.as_bytes(),
                qop.as_bytes(),
                ha2.as_bytes(),
            ],
        ),
        None => Hasher::joined(
            input.algorithm,
            &[input.ha1, input.nonce.as_bytes(), ha2.as_bytes()],
        ),
    }
}

/// Compares without an early exit so the time taken does not reveal how many leading
/// bytes of a guessed response were right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}
