//! Dial patterns of outbound routes (syntax in [`super::OutboundRoute`]'s docs).

/// Whether `number` matches the dial `pattern` as a whole.
pub fn pattern_matches(pattern: &str, number: &str) -> bool {
    pattern == number
}
