//! Lexical helpers shared by the header and URI parsers (RFC 3261 §25.1).
//!
//! Everything here works on `&str` slices of an already unfolded header value and never
//! indexes past the end: input comes from the network.

/// `token` characters (RFC 3261 §25.1): alphanumerics and `-.!%*_+`'~`.
pub(crate) fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        )
}

/// A non-empty `token`.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// Space or horizontal tab: the only whitespace left after unfolding.
pub(crate) fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

pub(crate) fn trim_ws(s: &str) -> &str {
    s.trim_matches(is_ws)
}

/// Splits `s` at `sep` where `sep` is outside a quoted string and outside `<...>`.
///
/// Commas separate header values and semicolons separate parameters, but both may appear
/// inside a quoted display name or an enclosed URI (RFC 3261 §7.3.1).
pub(crate) fn split_outside(s: &str, sep: u8) -> SplitOutside<'_> {
    SplitOutside { rest: Some(s), sep }
}

pub(crate) struct SplitOutside<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for SplitOutside<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        let bytes = s.as_bytes();
        let mut in_quote = false;
        let mut in_angle = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if in_quote {
                match b {
                    b'\\' => i += 1,
                    b'"' => in_quote = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => in_quote = true,
                    b'<' => in_angle = true,
                    b'>' => in_angle = false,
                    _ if b == self.sep && !in_angle => {
                        // `sep` is ASCII, so `i` and `i + 1` are char boundaries.
                        self.rest = s.get(i + 1..);
                        return s.get(..i);
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        self.rest = None;
        Some(s)
    }
}

/// Parses a quoted string at the start of `s` (RFC 3261 §25.1 `quoted-string`), returning
/// the unescaped content and the text after the closing quote.
pub(crate) fn parse_quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, s.get(i + 1..)?)),
            '\\' => {
                let (_, escaped) = chars.next()?;
                // quoted-pair excludes CR and LF.
                if escaped == '\r' || escaped == '\n' {
                    return None;
                }
                out.push(escaped);
            }
            '\r' | '\n' => return None,
            _ => out.push(c),
        }
    }
    None
}

/// Writes `s` as a quoted string, escaping what `qdtext` cannot carry.
pub(crate) fn write_quoted(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        // quoted-pair cannot carry CR or LF (RFC 3261 §25.1).
        let c = if c == '\r' || c == '\n' { ' ' } else { c };
        if c == '"' || c == '\\' || (c.is_ascii_control() && c != '\t') {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

/// True when every `%` in `s` starts a valid `%HH` escape (RFC 3261 §25.1 `escaped`).
pub(crate) fn escapes_valid(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// Decodes `%HH` escapes; used for comparisons (RFC 3261 §19.1.4), never for storage.
pub(crate) fn unescape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return std::borrow::Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let decoded = if b[i] == b'%' {
            b.get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        } else {
            None
        };
        match decoded {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Parses 1–10 decimal digits into a `u32`, refusing signs, spaces and overflow.
pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_quotes_and_angles() {
        let parts: Vec<_> = split_outside(r#""a,b" <sip:x;y,z>, c"#, b',').collect();
        assert_eq!(parts, vec![r#""a,b" <sip:x;y,z>"#, " c"]);
    }

    #[test]
    fn quoted_unescapes_pairs() {
        let (v, rest) = parse_quoted(r#""J \"R\"" <x>"#).unwrap();
        assert_eq!(v, r#"J "R""#);
        assert_eq!(rest, " <x>");
        assert!(parse_quoted(r#""open"#).is_none());
    }

    #[test]
    fn u32_refuses_overflow() {
        assert_eq!(parse_u32("0009"), Some(9));
        assert_eq!(parse_u32("4294967296"), None);
        assert_eq!(parse_u32("-1"), None);
    }
}
