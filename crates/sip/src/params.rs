//! Ordered `;name=value` parameter lists, used by URIs, Via and name-addr headers.

use std::fmt;

use crate::scan::{is_token, parse_quoted, split_outside, trim_ws};

/// Parameters in the order they were written. Names compare case-insensitively
/// (RFC 3261 §7.3.1); values are kept as written (a quoted value keeps its quotes) so that
/// printing reproduces the input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Params(Vec<(String, Option<String>)>);

impl Params {
    pub fn new() -> Self {
        Params(Vec::new())
    }

    /// The value of `name`: `Some("")` for a parameter without a value (`;lr`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Replaces the first `name` (keeping its position) or appends it.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        let value = value.map(str::to_owned);
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    pub fn push(&mut self, name: &str, value: Option<&str>) {
        self.0.push((name.to_owned(), value.map(str::to_owned)));
    }

    /// Removes every `name`; returns whether one was present.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        before != self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_deref()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses header parameters: `s` is empty or starts (after whitespace) with `;`.
    /// Whitespace around `;` and `=` is allowed (RFC 3261 §25.1 `SEMI`, `EQUAL`); empty
    /// parameters (`;;`) are not.
    pub(crate) fn parse_header_params(s: &str) -> Option<Params> {
        let s = trim_ws(s);
        if s.is_empty() {
            return Some(Params::new());
        }
        let s = s.strip_prefix(';')?;
        let mut params = Vec::new();
        for piece in split_outside(s, b';') {
            let piece = trim_ws(piece);
            let (name, value) = match piece.split_once('=') {
                Some((n, v)) => (trim_ws(n), Some(trim_ws(v))),
                None => (piece, None),
            };
            if !is_token(name) {
                return None;
            }
            if let Some(v) = value {
                if !header_value_ok(v) {
                    return None;
                }
            }
            params.push((name.to_owned(), value.map(str::to_owned)));
        }
        Some(Params(params))
    }
}

/// `gen-value = token / host / quoted-string`, loosened to accept the unbracketed IPv6
/// `received` values of RFC 5118 §4.5.
fn header_value_ok(v: &str) -> bool {
    if v.starts_with('"') {
        return matches!(parse_quoted(v), Some((_, "")));
    }
    !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'<' | b'>' | b'\\'))
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, v) in &self.0 {
            match v {
                Some(v) => write!(f, ";{n}={v}")?,
                None => write!(f, ";{n}")?,
            }
        }
        Ok(())
    }
}

impl From<Vec<(String, Option<String>)>> for Params {
    fn from(v: Vec<(String, Option<String>)>) -> Self {
        Params(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_around_separators() {
        let p = Params::parse_header_params(" ;  tag    = 1918181833n").unwrap();
        assert_eq!(p.get("TAG"), Some("1918181833n"));
    }

    #[test]
    fn empty_parameters_are_refused() {
        assert!(Params::parse_header_params(";;").is_none());
        assert!(Params::parse_header_params(";a=").is_none());
    }

    #[test]
    fn flags_and_quoted_values() {
        let p = Params::parse_header_params(r#";lr;x="a;b""#).unwrap();
        assert_eq!(p.get("lr"), Some(""));
        assert_eq!(p.get("x"), Some(r#""a;b""#));
        assert_eq!(p.to_string(), r#";lr;x="a;b""#);
    }
}
