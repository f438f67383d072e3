//! SDES: the `a=crypto:` attribute (RFC 4568 §9.1) that carries SRTP master keys in SDP.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;

use super::{Attribute, MediaDescription};
use crate::srtp::{SrtpKey, SrtpSuite};

/// `a=crypto:<tag> <crypto-suite> inline:<key||salt>[|<lifetime>][|<MKI>:<length>] [params]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoAttribute {
    /// Identifies the line so the answer can name the offer's choice (RFC 4568 §5.1).
    pub tag: u32,
    pub suite: SrtpSuite,
    pub key: SrtpKey,
}

impl CryptoAttribute {
    /// Parses the value after `a=crypto:`. `None` for suites we lack, several keys, an MKI,
    /// a lifetime or session parameters we do not implement (RFC 4568 §6.1: such a line is
    /// skipped, another offered line may fit).
    pub fn parse(value: &str) -> Option<Self> {
        let mut words = value.split_ascii_whitespace();
        let tag = words.next()?.parse().ok()?;
        let suite = SrtpSuite::from_name(words.next()?)?;
        let key_params = words.next()?;
        // Session parameters (UNENCRYPTED_SRTP, KDR=…, …) change the transform: refuse the line.
        if words.next().is_some() {
            return None;
        }
        // RFC 4568 §9.1: one inline key (several are joined with ';').
        if key_params.contains(';') {
            return None;
        }
        let inline = key_params.strip_prefix("inline:")?;
        let mut parts = inline.split('|');
        let encoded = parts.next()?;
        for extra in parts {
            // A lifetime (2^n or a number) is allowed and ignored: calls are far shorter than
            // 2^31 packets. An MKI ("1:4") means a different packet format: refused.
            if extra.contains(':') {
                return None;
            }
        }
        let bytes = STANDARD
            .decode(encoded)
            .or_else(|_| STANDARD_NO_PAD.decode(encoded))
            .ok()?;
        let key = SrtpKey::from_bytes(&bytes)?;
        Some(CryptoAttribute { tag, suite, key })
    }

    /// The attribute line's value (without `a=crypto:`).
    pub fn to_value(&self) -> String {
        format!(
            "{} {} inline:{}",
            self.tag,
            self.suite.name(),
            STANDARD.encode(self.key.to_bytes())
        )
    }

    /// As an SDP attribute to put in a media section.
    pub fn to_attribute(&self) -> Attribute {
        Attribute::Other {
            name: "crypto".to_owned(),
            value: Some(self.to_value()),
        }
    }
}

impl MediaDescription {
    /// Whether the section asks for SRTP (RFC 3711 §12: the RTP/SAVP family of profiles).
    pub fn is_secure_profile(&self) -> bool {
        self.proto.contains("SAVP")
    }

    /// The `a=crypto:` lines this endpoint can use, in the offerer's order of preference.
    pub fn crypto(&self) -> Vec<CryptoAttribute> {
        self.attributes
            .iter()
            .filter_map(|a| match a {
                Attribute::Other {
                    name,
                    value: Some(v),
                } if name == "crypto" => CryptoAttribute::parse(v),
                _ => None,
            })
            .collect()
    }

    /// Removes every `a=crypto:` line (before writing our own, or for a plain RTP leg).
    pub fn clear_crypto(&mut self) {
        self.attributes
            .retain(|a| !matches!(a, Attribute::Other { name, .. } if name == "crypto"));
    }

    /// Makes the section offer or answer SRTP with `crypto` (RTP/SAVP), or plain RTP/AVP
    /// when `None`.
    pub fn set_crypto(&mut self, crypto: Option<&CryptoAttribute>) {
        self.clear_crypto();
        match crypto {
            Some(c) => {
                if !self.is_secure_profile() {
                    self.proto = "RTP/SAVP".to_owned();
                }
                self.attributes.push(c.to_attribute());
            }
            None => {
                if self.is_secure_profile() {
                    self.proto = "RTP/AVP".to_owned();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rfc4568_example_line_parses_and_writes_back() {
        let value =
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20";
        let c = CryptoAttribute::parse(value).expect("parses");
        assert_eq!(c.tag, 1);
        assert_eq!(c.suite, SrtpSuite::AesCm128HmacSha1_80);
        assert_eq!(
            c.to_value(),
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
        );
    }

    #[test]
    fn lines_with_an_mki_an_unknown_suite_or_a_short_key_are_skipped() {
        assert!(CryptoAttribute::parse(
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4"
        )
        .is_none());
        assert!(CryptoAttribute::parse(
            "1 AES_256_CM_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
        )
        .is_none());
        assert!(CryptoAttribute::parse("1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVe").is_none());
        assert!(CryptoAttribute::parse("x").is_none());
    }
}
