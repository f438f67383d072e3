//! `name-addr` / `addr-spec` headers: From, To, Contact, Route, Record-Route
//! (RFC 3261 §20.10, §25.1).

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::params::Params;
use crate::scan::{is_token, parse_quoted, split_outside, trim_ws, write_quoted};
use crate::uri::Uri;

/// An address with an optional display name and header parameters (`tag`, `expires`, `q`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, unquoted and unescaped.
    pub display_name: Option<String>,
    pub uri: Uri,
    /// Header parameters: after `>`, or after the URI when it is written without `<>`.
    pub params: Params,
}

impl NameAddr {
    pub fn new(uri: Uri) -> Self {
        NameAddr {
            display_name: None,
            uri,
            params: Params::new(),
        }
    }

    /// The `tag` parameter of From and To (RFC 3261 §19.3).
    pub fn tag(&self) -> Option<&str> {
        self.params.get("tag").filter(|t| !t.is_empty())
    }

    pub fn set_tag(&mut self, tag: &str) {
        self.params.set("tag", Some(tag));
    }

    pub fn with_tag(mut self, tag: &str) -> Self {
        self.set_tag(tag);
        self
    }

    /// A Contact's `expires` parameter; an unusable value counts as absent
    /// (RFC 4475 §3.1.2.5).
    pub fn expires(&self) -> Option<u32> {
        self.params.get("expires").and_then(crate::scan::parse_u32)
    }

    /// A Contact's `q` parameter (RFC 3261 §20.10).
    pub fn q(&self) -> Option<f32> {
        self.params
            .get("q")
            .and_then(|q| q.parse().ok())
            .filter(|q: &f32| (0.0..=1.0).contains(q))
    }

    pub(crate) fn parse(s: &str) -> Option<NameAddr> {
        let s = trim_ws(s);
        let (display_name, rest) = if s.starts_with('"') {
            let (name, rest) = parse_quoted(s)?;
            let rest = trim_ws(rest);
            if !rest.starts_with('<') {
                return None;
            }
            (Some(name), rest)
        } else if let Some(lt) = s.find('<') {
            // display-name = *(token LWS): bare words, no commas or other separators.
            let words = trim_ws(s.get(..lt)?);
            let name = if words.is_empty() {
                None
            } else if words
                .split([' ', '\t'])
                .all(|w| w.is_empty() || is_token(w))
            {
                Some(words.to_owned())
            } else {
                return None;
            };
            (name, s.get(lt..)?)
        } else {
            (None, s)
        };

        if let Some(inner) = rest.strip_prefix('<') {
            let gt = inner.find('>')?;
            let uri: Uri = inner.get(..gt)?.parse().ok()?;
            let params = Params::parse_header_params(inner.get(gt + 1..)?)?;
            return Some(NameAddr {
                display_name,
                uri,
                params,
            });
        }
        // RFC 3261 §20.10: without <> the URI cannot carry parameters or headers; a ';'
        // starts the header parameters, and '?' or ',' make it ambiguous.
        let (uri_text, params) = match rest.split_once(';') {
            Some((u, p)) => (u, Some(p)),
            None => (rest, None),
        };
        let uri_text = trim_ws(uri_text);
        if uri_text.contains(['?', ',', ' ', '\t']) {
            return None;
        }
        let uri: Uri = uri_text.parse().ok()?;
        let params = match params {
            Some(p) => Params::parse_header_params(&format!(";{p}"))?,
            None => Params::new(),
        };
        Some(NameAddr {
            display_name: None,
            uri,
            params,
        })
    }

    /// Parses a comma-separated list (Contact, Route, Record-Route).
    pub(crate) fn parse_list(s: &str) -> Option<Vec<NameAddr>> {
        split_outside(s, b',').map(NameAddr::parse).collect()
    }
}

impl FromStr for NameAddr {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        NameAddr::parse(s).ok_or(ParseError::Header("name-addr"))
    }
}

impl fmt::Display for NameAddr {
    /// Always writes `<uri>` so URI parameters never turn into header parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write_quoted(f, name)?;
            f.write_str(" ")?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

/// The value of the Contact header(s): `*` (RFC 3261 §10.2.2) or a list of addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contacts {
    Wildcard,
    List(Vec<NameAddr>),
}

impl Contacts {
    /// Parses every Contact value of a message together: `*` must stand alone.
    pub(crate) fn parse<'a>(values: impl Iterator<Item = &'a str>) -> Option<Contacts> {
        let mut list = Vec::new();
        let mut wildcard = false;
        for v in values {
            if trim_ws(v) == "*" {
                wildcard = true;
            } else {
                list.extend(NameAddr::parse_list(v)?);
            }
        }
        match (wildcard, list.is_empty()) {
            (true, true) => Some(Contacts::Wildcard),
            (true, false) => None,
            (false, _) => Some(Contacts::List(list)),
        }
    }

    /// The addresses; empty for `*`.
    pub fn addrs(&self) -> &[NameAddr] {
        match self {
            Contacts::Wildcard => &[],
            Contacts::List(l) => l,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_display_name_and_tag() {
        let n: NameAddr = r#""J Rosenberg \\\""       <sip:jdrosen@example.com> ; tag = 98asjd8"#
            .parse()
            .unwrap();
        assert_eq!(n.display_name.as_deref(), Some(r#"J Rosenberg \""#));
        assert_eq!(n.tag(), Some("98asjd8"));
        let again: NameAddr = n.to_string().parse().unwrap();
        assert_eq!(again, n);
    }

    #[test]
    fn bare_uri_params_are_header_params() {
        let n: NameAddr = "sip:+19725552222@gw1.example.net;unknownparam"
            .parse()
            .unwrap();
        assert!(n.params.contains("unknownparam"));
        assert!(n.uri.params.is_empty());
        let n: NameAddr = "<sip:+19725552222@gw1.example.net;unknownparam>"
            .parse()
            .unwrap();
        assert!(n.params.is_empty());
        assert!(n.uri.params.contains("unknownparam"));
    }

    #[test]
    fn malformed_forms_are_refused() {
        assert!(r#""Mr. J. User <sip:j.user@example.com>"#.parse::<NameAddr>().is_err());
        assert!("Bell, Alexander <sip:a.g.bell@example.com>"
            .parse::<NameAddr>()
            .is_err());
        assert!("sip:user@example.com?Route=%3Csip:x%3E"
            .parse::<NameAddr>()
            .is_err());
        assert!(r#""Joe" <sip:joe@example.org>;;;;"#.parse::<NameAddr>().is_err());
    }

    #[test]
    fn token_display_name_without_space() {
        let n: NameAddr = "caller<sip:caller@example.com>;tag=323".parse().unwrap();
        assert_eq!(n.display_name.as_deref(), Some("caller"));
    }

    #[test]
    fn contact_wildcard_must_stand_alone() {
        assert_eq!(Contacts::parse(["*"].into_iter()), Some(Contacts::Wildcard));
        assert_eq!(Contacts::parse(["*", "<sip:a@b>"].into_iter()), None);
        let c = Contacts::parse(["<sip:a@b>, <sip:c@d>;expires=60"].into_iter()).unwrap();
        assert_eq!(c.addrs().len(), 2);
        assert_eq!(c.addrs()[1].expires(), Some(60));
    }
}
