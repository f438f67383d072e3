//! What makes two contacts the same binding.
//!
//! RFC 5626 §6: a contact with `+sip.instance` (and `reg-id`) is identified by those, so a
//! phone whose address changed replaces its old binding instead of adding a second one.
//! Otherwise RFC 3261 §10.3 step 7 compares contact URIs with the rules of §19.1.4.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum BindingKey {
    Instance {
        instance: String,
        reg_id: Option<u32>,
    },
    /// The contact URI in the canonical form of [`canonical_uri`].
    Uri(String),
}

impl BindingKey {
    pub(crate) fn new(contact_uri: &str, instance: Option<&str>, reg_id: Option<u32>) -> Self {
        match instance {
            Some(instance) => BindingKey::Instance {
                instance: instance.to_owned(),
                reg_id,
            },
            None => BindingKey::Uri(canonical_uri(contact_uri)),
        }
    }

    /// Compares with a contact without building a key for it (the refresh path).
    pub(crate) fn matches(
        &self,
        contact_uri: &str,
        instance: Option<&str>,
        reg_id: Option<u32>,
    ) -> bool {
        match (self, instance) {
            (
                BindingKey::Instance {
                    instance: a,
                    reg_id: r,
                },
                Some(b),
            ) => a == b && *r == reg_id,
            (BindingKey::Uri(a), None) => uri_eq_canonical(a, contact_uri),
            _ => false,
        }
    }
}

/// The text form the store keys rows by, next to the extension number.
impl fmt::Display for BindingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindingKey::Instance {
                instance,
                reg_id: Some(id),
            } => write!(f, "{instance};reg-id={id}"),
            BindingKey::Instance {
                instance,
                reg_id: None,
            } => f.write_str(instance),
            BindingKey::Uri(uri) => f.write_str(uri),
        }
    }
}

fn uri_eq_canonical(canonical: &str, uri: &str) -> bool {
    // Phones refresh with the byte-identical contact almost always; only fall back to
    // the allocating canonical form when the bytes differ.
    canonical == uri || canonical == canonical_uri(uri)
}

/// URI parameters that RFC 3261 §19.1.4 says must match whenever either side has them;
/// any other parameter is ignored for binding identity.
const SIGNIFICANT_PARAMS: [&str; 5] = ["user", "ttl", "method", "maddr", "transport"];

/// A form of a SIP URI in which URIs that §19.1.4 calls equal are (nearly always) equal
/// bytes: scheme and host lower-cased, `%XX` escapes of unreserved characters decoded, the
/// significant parameters sorted and lower-cased, other parameters dropped, headers kept.
pub(crate) fn canonical_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let (scheme, rest) = match uri.split_once(':') {
        Some(parts) => parts,
        None => return uri.to_owned(),
    };
    out.push_str(&scheme.to_ascii_lowercase());
    out.push(':');
    let (before_headers, headers) = match rest.split_once('?') {
        Some((a, h)) => (a, Some(h)),
        None => (rest, None),
    };
    let mut parts = before_headers.split(';');
    let userhost = parts.next().unwrap_or("");
    match userhost.rsplit_once('@') {
        Some((user, host)) => {
            push_unescaped(&mut out, user);
            out.push('@');
            out.push_str(&host.to_ascii_lowercase());
        }
        None => out.push_str(&userhost.to_ascii_lowercase()),
    }
    let mut params: Vec<(String, String)> = parts
        .filter_map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            let name = name.trim().to_ascii_lowercase();
            SIGNIFICANT_PARAMS
                .contains(&name.as_str())
                .then(|| (name, value.trim().to_ascii_lowercase()))
        })
        .collect();
    params.sort();
    for (name, value) in params {
        out.push(';');
        out.push_str(&name);
        if !value.is_empty() {
            out.push('=');
            out.push_str(&value);
        }
    }
    if let Some(headers) = headers {
        out.push('?');
        out.push_str(headers);
    }
    out
}

/// Decodes `%XX` escapes of unreserved characters (RFC 3261 §19.1.4: `sip:%61lice@` equals
/// `sip:alice@`); other escapes stay escaped, with upper-case hex.
fn push_unescaped(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(pos) = rest.find('%') {
        out.push_str(rest.get(..pos).unwrap_or_default());
        let after = rest.get(pos + 1..).unwrap_or_default();
        let decoded = after
            .get(..2)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(b) if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) => {
                out.push(char::from(b));
                rest = after.get(2..).unwrap_or_default();
            }
            Some(_) => {
                out.push('%');
                out.push_str(&after.get(..2).unwrap_or_default().to_ascii_uppercase());
                rest = after.get(2..).unwrap_or_default();
            }
            None => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_uris_share_a_key() {
        let a = canonical_uri("SIP:%61lice@Atlanta.COM;transport=TCP;foo=bar");
        let b = canonical_uri("sip:alice@atlanta.com;transport=tcp");
        assert_eq!(a, b);
    }

    #[test]
    fn different_user_port_or_headers_differ() {
        let base = canonical_uri("sip:alice@atlanta.com");
        assert_ne!(base, canonical_uri("sip:ALICE@atlanta.com"));
        assert_ne!(base, canonical_uri("sip:alice@atlanta.com:5060"));
        assert_ne!(
            base,
            canonical_uri("sip:alice@atlanta.com?Route=%3Csip:x%3E")
        );
    }

    #[test]
    fn instance_key_ignores_the_uri() {
        let key = BindingKey::new("sip:100@10.0.0.1", Some("<urn:uuid:1>"), Some(1));
        assert!(key.matches("sip:100@10.0.0.2", Some("<urn:uuid:1>"), Some(1)));
        assert!(!key.matches("sip:100@10.0.0.1", Some("<urn:uuid:1>"), Some(2)));
        assert!(!key.matches("sip:100@10.0.0.1", None, None));
        assert_eq!(key.to_string(), "<urn:uuid:1>;reg-id=1");
    }
}
