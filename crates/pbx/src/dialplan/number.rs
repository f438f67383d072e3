//! Phone numbers as people type them and as providers send them.

/// The form numbers are compared in: separators people type (`space - . ( ) /`) dropped,
/// the international prefix `00` written as `+`; digits, `+`, `*` and `#` kept, anything
/// else kept too (so a bad number stays visibly bad rather than silently becoming another).
pub fn normalize_number(s: &str) -> String {
    let kept: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '-' | '.' | '(' | ')' | '/'))
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
