//! The extensions the registrar accepts, with the digest secrets their phones prove.

use std::collections::HashMap;

use sip::auth::Secret;

/// One extension as the registrar sees it. The SIP username is the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    pub number: String,
    pub display_name: String,
    /// The realm the stored HA1 values were computed for; a REGISTER answering a challenge
    /// in another realm cannot be checked against them.
    pub realm: String,
    pub secret: Secret,
    /// Calls to and from this extension's phones must be encrypted (SRTP), whatever the
    /// office-wide rule says.
    pub srtp_required: bool,
}

impl DirectoryEntry {
    /// An entry from the stored HA1 values (lower-case hex, RFC 7616 §3.4.2), the form the
    /// store keeps instead of the password.
    pub fn with_ha1(
        number: impl Into<String>,
        display_name: impl Into<String>,
        realm: impl Into<String>,
        ha1_md5: impl Into<String>,
        ha1_sha256: impl Into<String>,
    ) -> Self {
        DirectoryEntry {
            number: number.into(),
            display_name: display_name.into(),
            realm: realm.into(),
            secret: Secret::Ha1 {
                md5: ha1_md5.into(),
                sha256: ha1_sha256.into(),
            },
            srtp_required: false,
        }
    }

    /// An entry from a clear-text password, hashed here for `realm`.
    pub fn with_password(
        number: impl Into<String>,
        display_name: impl Into<String>,
        realm: impl Into<String>,
        password: &str,
    ) -> Self {
        let number = number.into();
        let realm = realm.into();
        let secret = Secret::ha1(&number, &realm, password);
        DirectoryEntry {
            number,
            display_name: display_name.into(),
            realm,
            secret,
            srtp_required: false,
        }
    }
}

/// Extensions by number. The engine builds it from the store at start and replaces or
/// updates it whenever extensions change.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    by_number: HashMap<String, DirectoryEntry>,
}

impl Directory {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the entry for its number; returns the one it replaced.
    pub fn insert(&mut self, entry: DirectoryEntry) -> Option<DirectoryEntry> {
        self.by_number.insert(entry.number.clone(), entry)
    }

    pub fn remove(&mut self, number: &str) -> Option<DirectoryEntry> {
        self.by_number.remove(number)
    }

    pub fn get(&self, number: &str) -> Option<&DirectoryEntry> {
        self.by_number.get(number)
    }

    pub fn contains(&self, number: &str) -> bool {
        self.by_number.contains_key(number)
    }

    pub fn len(&self) -> usize {
        self.by_number.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_number.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &DirectoryEntry> {
        self.by_number.values()
    }

    /// The secret to check a digest response against: only when the entry's realm is the
    /// one the client answered for.
    pub(crate) fn secret(&self, username: &str, realm: &str) -> Option<Secret> {
        self.by_number
            .get(username)
            .filter(|e| e.realm == realm)
            .map(|e| e.secret.clone())
    }
}

impl FromIterator<DirectoryEntry> for Directory {
    fn from_iter<I: IntoIterator<Item = DirectoryEntry>>(iter: I) -> Self {
        let mut dir = Directory::new();
        for entry in iter {
            dir.insert(entry);
        }
        dir
    }
}
