//! Parsing of `Digest` challenge and credentials parameters (RFC 7616 §3.3, §3.4;
//! RFC 3261 §25.1 grammar for tokens and quoted strings).
//!
//! The input comes from the network, so the parser walks bytes with checked access and
//! returns `None` for anything malformed; it never panics. Values without escapes are
//! borrowed from the input so the common case allocates nothing.

use std::borrow::Cow;

/// The parameters of one `Digest` challenge or credentials value. Unknown parameters
/// are skipped (RFC 7616 §3.3: "Any unrecognized directive MUST be ignored").
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct DigestParams<'a> {
    pub username: Option<Cow<'a, str>>,
    pub realm: Option<Cow<'a, str>>,
    pub nonce: Option<Cow<'a, str>>,
    pub uri: Option<Cow<'a, str>>,
    pub response: Option<Cow<'a, str>>,
    pub algorithm: Option<Cow<'a, str>>,
    pub cnonce: Option<Cow<'a, str>>,
    pub opaque: Option<Cow<'a, str>>,
    pub qop: Option<Cow<'a, str>>,
    pub nc: Option<Cow<'a, str>>,
    pub stale: Option<Cow<'a, str>>,
}

impl<'a> DigestParams<'a> {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Cow<'a, str>>> {
        // Lower-case into a stack buffer: names are short and this runs per request.
        let mut lower = [0u8; 12];
        let dest = lower.get_mut(..name.len())?;
        dest.copy_from_slice(name.as_bytes());
        dest.make_ascii_lowercase();
        let slot = match &*dest {
            b"username" => &mut self.username,
            b"realm" => &mut self.realm,
            b"nonce" => &mut self.nonce,
            b"uri" => &mut self.uri,
            b"response" => &mut self.response,
            b"algorithm" => &mut self.algorithm,
            b"cnonce" => &mut self.cnonce,
            b"opaque" => &mut self.opaque,
            b"qop" => &mut self.qop,
            b"nc" => &mut self.nc,
            b"stale" => &mut self.stale,
            _ => return None,
        };
        Some(slot)
    }
}

/// Parses `Digest a=b, c="d"`. Returns `None` when the scheme is not Digest, when the
/// syntax is broken, or when a known parameter repeats (two different `nonce` values
/// would leave it ambiguous which one the hash covers).
pub(crate) fn parse_digest(value: &str) -> Option<DigestParams<'_>> {
    let rest = value.trim_start_matches(is_lws);
    let scheme_end = rest.find(|c: char| is_lws(c)).unwrap_or(rest.len());
    let (scheme, mut rest) = rest.split_at(scheme_end);
    if !scheme.eq_ignore_ascii_case("Digest") {
        return None;
    }
    let mut params = DigestParams::default();
    let mut first = true;
    loop {
        rest = rest.trim_start_matches(is_lws);
        if rest.is_empty() {
            break;
        }
        if !first {
            // Parameters are separated by commas; tolerate empty list elements
            // (RFC 7230 §7 `#rule`), which some clients emit.
            rest = rest.strip_prefix(',')?;
            rest = rest.trim_start_matches(|c: char| is_lws(c) || c == ',');
            if rest.is_empty() {
                break;
            }
        }
        first = false;
        let (name, value, after) = parse_param(rest)?;
        rest = after;
        if let Some(slot) = params.slot(name) {
            if slot.is_some() {
                return None;
            }
            *slot = Some(value);
        }
    }
    Some(params)
}

/// Parses one `name = value` and returns the remaining input.
fn parse_param(input: &str) -> Option<(&str, Cow<'_, str>, &str)> {
    let name_end = input
        .find(|c: char| !is_token_char(c))
        .unwrap_or(input.len());
    if name_end == 0 {
        return None;
    }
    let (name, rest) = input.split_at(name_end);
    let rest = rest.trim_start_matches(is_lws).strip_prefix('=')?;
    let rest = rest.trim_start_matches(is_lws);
    if let Some(quoted) = rest.strip_prefix('"') {
        let (value, after) = parse_quoted(quoted)?;
        Some((name, value, after))
    } else {
        let end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        let (value, after) = rest.split_at(end);
        Some((name, Cow::Borrowed(value), after))
    }
}

/// Reads a quoted string body (after the opening quote) up to the closing quote,
/// undoing `\` escapes (RFC 3261 §25.1 `quoted-pair`).
fn parse_quoted(input: &str) -> Option<(Cow<'_, str>, &str)> {
    let bytes = input.as_bytes();
    let mut i = 0;
    let mut owned: Option<String> = None;
    let mut segment_start = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let tail = input.get(segment_start..i)?;
                let after = input.get(i + 1..)?;
                let value = match owned {
                    Some(mut s) => {
                        s.push_str(tail);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(tail),
                };
                return Some((value, after));
            }
            b'\\' => {
                let s = owned.get_or_insert_with(String::new);
                s.push_str(input.get(segment_start..i)?);
                // The escaped character may be multi-byte UTF-8; copy it whole.
                let escaped = input.get(i + 1..)?.chars().next()?;
                s.push(escaped);
                i += 1 + escaped.len_utf8();
                segment_start = i;
            }
            b'\r' | b'\n' | 0 => return None,
            _ => i += 1,
        }
    }
    None
}

fn is_lws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// RFC 3261 §25.1 `token` characters.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c)
}

/// Writes `value` as a quoted string, escaping `"` and `\`.
pub(crate) fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_token_values() {
        let p = parse_digest(
            "Digest username=\"bob\", realm=\"a\\\"b\", nc=00000001, algorithm=SHA-256",
        )
        .expect("valid header");
        assert_eq!(p.username.as_deref(), Some("bob"));
        assert_eq!(p.realm.as_deref(), Some("a\"b"));
        assert_eq!(p.nc.as_deref(), Some("00000001"));
        assert_eq!(p.algorithm.as_deref(), Some("SHA-256"));
    }

    #[test]
    fn rejects_other_schemes_duplicates_and_unterminated_quotes() {
        assert!(parse_digest("Basic dXNlcjpwYXNz").is_none());
        assert!(parse_digest("Digest nonce=\"a\", nonce=\"b\"").is_none());
        assert!(parse_digest("Digest nonce=\"abc").is_none());
        assert!(parse_digest("Digest =x").is_none());
    }

    #[test]
    fn skips_unknown_parameters() {
        let p = parse_digest("Digest foo=\"bar\", realm=x,,").expect("valid header");
        assert_eq!(p.realm.as_deref(), Some("x"));
    }
}
