//! Comparing URIs the way RFC 3261 does, rather than byte for byte.

use crate::scan::unescape;
use crate::uri::{Scheme, Uri};

/// URI parameters that must match when either side has them (RFC 3261 §19.1.4).
const SIGNIFICANT: [&str; 5] = ["user", "ttl", "method", "maddr", "transport"];

impl Uri {
    /// RFC 3261 §19.1.4 equivalence: escapes decoded, host and parameter names without
    /// case, `user`/`ttl`/`method`/`maddr`/`transport` compared even when only one side
    /// has them, other parameters only when both do, headers all compared.
    pub fn equivalent(&self, other: &Uri) -> bool {
        if self.scheme != other.scheme {
            return false;
        }
        if !matches!(self.scheme, Scheme::Sip | Scheme::Sips) {
            return self.user == other.user && self.params == other.params;
        }
        let same_user = match (&self.user, &other.user) {
            (Some(a), Some(b)) => unescape(a) == unescape(b),
            (None, None) => true,
            _ => false,
        };
        let same_password =
            self.password.as_deref().map(unescape) == other.password.as_deref().map(unescape);
        if !same_user
            || !same_password
            || !self.host.matches(&other.host)
            || self.port != other.port
        {
            return false;
        }
        let param_eq = |a: &str, b: &str| unescape(a).eq_ignore_ascii_case(&unescape(b));
        for name in SIGNIFICANT {
            match (self.params.get(name), other.params.get(name)) {
                (Some(a), Some(b)) if param_eq(a, b) => {}
                (None, None) => {}
                _ => return false,
            }
        }
        for (name, value) in self.params.iter() {
            if let Some(theirs) = other.params.get(name) {
                if !param_eq(value.unwrap_or(""), theirs) {
                    return false;
                }
            }
        }
        self.headers.len() == other.headers.len()
            && self.headers.iter().all(|(n, v)| {
                other
                    .headers
                    .iter()
                    .any(|(m, w)| n.eq_ignore_ascii_case(m) && unescape(v) == unescape(w))
            })
    }

    /// The address-of-record key of a registration (RFC 3261 §10.3 step 5): the URI
    /// without parameters or headers, escapes decoded, scheme and host lower-cased.
    pub fn address_of_record(&self) -> String {
        let mut out = format!("{}:", self.scheme.as_str());
        match self.scheme {
            Scheme::Sip | Scheme::Sips => {
                if let Some(u) = &self.user {
                    out.push_str(&unescape(u));
                    out.push('@');
                }
                out.push_str(&self.host.to_string().to_ascii_lowercase());
                if let Some(p) = self.port {
                    out.push_str(&format!(":{p}"));
                }
            }
            _ => out.push_str(self.user.as_deref().unwrap_or_default()),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::uri::Uri;

    fn u(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn rfc_3261_equivalent_examples() {
        // RFC 3261 §19.1.4.
        assert!(u("sip:%61lice@atlanta.com;transport=TCP")
            .equivalent(&u("sip:alice@AtLanTa.CoM;Transport=tcp")));
        assert!(u("sip:carol@chicago.com").equivalent(&u("sip:carol@chicago.com;newparam=5")));
        assert!(u("sip:carol@chicago.com;security=on")
            .equivalent(&u("sip:carol@chicago.com;newparam=5")));
        assert!(
            u("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com").equivalent(
                &u("sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")
            )
        );
    }

    #[test]
    fn rfc_3261_non_equivalent_examples() {
        assert!(!u("SIP:ALICE@AtLanTa.CoM;Transport=udp")
            .equivalent(&u("sip:alice@AtLanTa.CoM;Transport=UDP")));
        assert!(!u("sip:bob@biloxi.com").equivalent(&u("sip:bob@biloxi.com:5060")));
        assert!(!u("sip:bob@biloxi.com").equivalent(&u("sip:bob@biloxi.com;transport=udp")));
        assert!(!u("sip:carol@chicago.com;security=on")
            .equivalent(&u("sip:carol@chicago.com;security=off")));
    }

    #[test]
    fn address_of_record_drops_parameters() {
        assert_eq!(
            u("sip:%32%30%31@PBX.example.com;transport=tcp?x=y").address_of_record(),
            "sip:201@pbx.example.com"
        );
    }
}
