//! Phone numbers as people type them and as providers send them.

/// The form numbers are compared in: separators people type (white space, `- . ( ) /`)
/// dropped, the international prefix `00` written as `+`, and the UK-style trunk prefix
/// `(0)` after a country code (`+44 (0)20 …`) dropped. Other characters are kept, so a bad
/// number stays visibly bad instead of silently becoming another one.
pub fn normalize_number(s: &str) -> String {
    let s = s.trim();
    let international = s.starts_with('+') || s.starts_with("00");
    let s = if international {
        s.replace("(0)", "")
    } else {
        s.to_string()
    };
    let kept: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '(' | ')' | '/'))
        .collect();
    match kept.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => kept,
    }
}

/// Whether a dialled string may go out in a Request-URI: non-empty and only `0-9 + * #`, so
/// nothing can be injected into the SIP message built from it.
pub fn is_dialable(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '*' | '#'))
}

/// Whether `s`, once normalised, is a number a business name can have: dialable and with
/// at least one digit.
pub(crate) fn is_phone_number(s: &str) -> bool {
    let n = normalize_number(s);
    is_dialable(&n) && n.chars().any(|c| c.is_ascii_digit())
}

/// The same number with and without a leading `+`: providers differ in whether they send
/// it, and the owner may have typed either.
pub(crate) fn same_number_loosely(a: &str, b: &str) -> bool {
    a.trim_start_matches('+') == b.trim_start_matches('+')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_need_a_digit() {
        assert!(is_phone_number("+44 20 7123 4567"));
        assert!(is_phone_number("*98"));
        assert!(!is_phone_number("+"));
        assert!(!is_phone_number("*#"));
        assert!(!is_phone_number("12a"));
        assert!(!is_phone_number(""));
    }

    #[test]
    fn a_leading_plus_is_optional_when_comparing_loosely() {
        assert!(same_number_loosely("+442071234567", "442071234567"));
        assert!(!same_number_loosely("+442071234567", "02071234567"));
    }
}
