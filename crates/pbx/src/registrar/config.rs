//! Registrar settings.

use sip::auth::{Algorithm, DigestConfig};
use sip::Host;

/// Registrar settings; [`RegistrarConfig::new`] gives the defaults for a realm.
#[derive(Debug, Clone)]
pub struct RegistrarConfig {
    /// The digest realm phones authenticate in (the stored HA1 values are for it).
    pub realm: String,
    /// Request-URI hosts accepted (RFC 3261 §10.3 step 1), compared case-insensitively.
    /// Empty means any: a single-office PBX is the registrar for whatever name or address
    /// its phones were configured with (its IP, a LAN name, the realm), and the digest
    /// realm, not the domain, is what protects the extensions.
    pub domains: Vec<String>,
    /// Shortest registration accepted; shorter ones get 423 with Min-Expires
    /// (RFC 3261 §10.3 step 7). Keeps phones from refreshing in a tight loop.
    pub min_expires: u32,
    /// Longest registration granted; longer requests are shortened to this, which
    /// RFC 3261 §10.3 step 7 allows, so a phone that vanished is forgotten within it.
    pub max_expires: u32,
    /// Used when the REGISTER gives neither an Expires header nor a contact `expires`
    /// parameter (RFC 3261 §10.3 step 7: "a locally-configured default").
    pub default_expires: u32,
    /// Contacts one extension may hold at once, so one credential cannot fill memory.
    pub max_contacts: usize,
    pub digest: DigestConfig,
}

impl RegistrarConfig {
    pub fn new(realm: impl Into<String>) -> Self {
        RegistrarConfig {
            realm: realm.into(),
            domains: Vec::new(),
            min_expires: 60,
            max_expires: 3600,
            default_expires: 3600,
            max_contacts: 10,
            digest: DigestConfig {
                // Offer MD5 only unless the owner opts in to SHA-256: common phones
                // (baresip 1.0, older desk phones) give up on any challenge whose
                // algorithm they do not know instead of picking the one they do
                // (RFC 8760 §2.4 expects the latter).
                algorithms: vec![Algorithm::Md5],
                ..DigestConfig::default()
            },
        }
    }

    pub(crate) fn serves_domain(&self, host: &Host) -> bool {
        self.domains.is_empty()
            || self
                .domains
                .iter()
                .any(|d| d.parse::<Host>().is_ok_and(|d| d.matches(host)))
    }
}
