//! SRTP key derivation (RFC 3711 §4.3) and the AES counter-mode keystream (§4.1.1).

use aes::cipher::{KeyIvInit, StreamCipher};

/// AES-128 in counter mode with a 128-bit big-endian counter: RFC 3711 §4.1.1 adds the block
/// number to the low 16 bits of the IV, which is what a 128-bit counter does for the at most
/// 2^16 blocks of one packet.
type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// The master key's length for the AES_CM_128 suites (RFC 4568 §6.2.1).
pub const MASTER_KEY_LEN: usize = 16;
/// The master salt's length (RFC 3711 §8.2: 112 bits).
pub const MASTER_SALT_LEN: usize = 14;
/// HMAC-SHA1's key length for the session authentication key (RFC 3711 §4.2.1).
pub const AUTH_KEY_LEN: usize = 20;

/// RFC 3711 §4.3.2: the labels that pick which session key is derived.
#[derive(Debug, Clone, Copy)]
pub enum Label {
    RtpCipher = 0,
    RtpAuth = 1,
    RtpSalt = 2,
    RtcpCipher = 3,
    RtcpAuth = 4,
    RtcpSalt = 5,
}

/// The keys one direction of one stream (RTP or RTCP) is protected with.
#[derive(Clone)]
pub struct SessionKeys {
    pub cipher: [u8; MASTER_KEY_LEN],
    pub auth: [u8; AUTH_KEY_LEN],
    pub salt: [u8; MASTER_SALT_LEN],
}

impl SessionKeys {
    /// RFC 3711 §4.3.1 with key_derivation_rate 0 (the SDES default, RFC 4568 §6.1): the
    /// keys are derived once from the master key and salt.
    pub fn derive(
        master_key: &[u8; MASTER_KEY_LEN],
        master_salt: &[u8; MASTER_SALT_LEN],
        rtcp: bool,
    ) -> Self {
        let (c, a, s) = if rtcp {
            (Label::RtcpCipher, Label::RtcpAuth, Label::RtcpSalt)
        } else {
            (Label::RtpCipher, Label::RtpAuth, Label::RtpSalt)
        };
        let mut keys = SessionKeys {
            cipher: [0; MASTER_KEY_LEN],
            auth: [0; AUTH_KEY_LEN],
            salt: [0; MASTER_SALT_LEN],
        };
        prf(master_key, master_salt, c, &mut keys.cipher);
        prf(master_key, master_salt, a, &mut keys.auth);
        prf(master_key, master_salt, s, &mut keys.salt);
        keys
    }
}

/// RFC 3711 §4.3.1: x = (label << 48) XOR master_salt (index DIV kdr is 0), the keystream
/// of AES-CM under the master key with IV = x * 2^16 is the derived key.
pub fn prf(
    master_key: &[u8; MASTER_KEY_LEN],
    master_salt: &[u8; MASTER_SALT_LEN],
    label: Label,
    out: &mut [u8],
) {
    let mut iv = [0u8; 16];
    iv[..MASTER_SALT_LEN].copy_from_slice(master_salt);
    // The label sits in the 8th byte of the 112-bit salt (bits 48..56 from the right).
    iv[7] ^= label as u8;
    out.fill(0);
    keystream_xor(master_key, &iv, out);
}

/// XORs `data` with the AES-CM keystream that starts at counter block `iv`.
pub fn keystream_xor(key: &[u8; MASTER_KEY_LEN], iv: &[u8; 16], data: &mut [u8]) {
    let mut cipher = Aes128Ctr::new(key.into(), iv.into());
    cipher.apply_keystream(data);
}

/// RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), `index` being the
/// 48-bit packet index for SRTP or the 31-bit SRTCP index.
pub fn packet_iv(salt: &[u8; MASTER_SALT_LEN], ssrc: u32, index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..MASTER_SALT_LEN].copy_from_slice(salt);
    for (b, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
        *b ^= s;
    }
    let index = (index & 0xFFFF_FFFF_FFFF).to_be_bytes();
    for (b, s) in iv[8..14].iter_mut().zip(&index[2..8]) {
        *b ^= s;
    }
    iv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 3711 Appendix B.2: the AES-CM keystream.
    #[test]
    fn aes_cm_keystream_matches_rfc3711_b2() {
        let key: [u8; 16] = hex("2B7E151628AED2A6ABF7158809CF4F3C").try_into().unwrap();
        let iv: [u8; 16] = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000").try_into().unwrap();
        let mut stream = vec![0u8; 0xFF02 * 16];
        keystream_xor(&key, &iv, &mut stream);
        assert_eq!(stream[..16], hex("E03EAD0935C95E80E166B16DD92B4EB4"));
        assert_eq!(stream[16..32], hex("D23513162B02D0F72A43A2FE4A5F97AB"));
        assert_eq!(stream[32..48], hex("41E95B3BB0A2E8DD477901E4FCA894C0"));
        assert_eq!(
            stream[0xFEFF * 16..0xFF00 * 16],
            hex("EC8CDF7398607CB0F2D21675EA9EA1E4")
        );
        assert_eq!(
            stream[0xFF00 * 16..0xFF01 * 16],
            hex("362B7C3C6773516318A077D7FC5073AE")
        );
        assert_eq!(
            stream[0xFF01 * 16..0xFF02 * 16],
            hex("6A2CC3787889374FBEB4C81B17BA6C44")
        );
    }

    /// RFC 3711 Appendix B.3: key derivation.
    #[test]
    fn key_derivation_matches_rfc3711_b3() {
        let key: [u8; 16] = hex("E1F97A0D3E018BE0D64FA32C06DE4139").try_into().unwrap();
        let salt: [u8; 14] = hex("0EC675AD498AFEEBB6960B3AABE6").try_into().unwrap();
        let keys = SessionKeys::derive(&key, &salt, false);
        assert_eq!(
            keys.cipher.to_vec(),
            hex("C61E7A93744F39EE10734AFE3FF7A087")
        );
        assert_eq!(keys.salt.to_vec(), hex("30CBBC08863D8C85D49DB34A9AE1"));
        assert_eq!(
            keys.auth.to_vec(),
            hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4")
        );
    }
}
