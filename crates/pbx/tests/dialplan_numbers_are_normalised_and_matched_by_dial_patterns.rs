//! Numbers as people type them compare equal once normalised; only `0-9 + * #` can be
//! dialled out; dial patterns match as the outbound route docs say.

use pbx::dialplan::{is_dialable, normalize_number, pattern_matches};

#[test]
fn separators_are_dropped_and_00_becomes_plus() {
    assert_eq!(normalize_number("+44 20 7123 4567"), "+442071234567");
    assert_eq!(normalize_number("0044-20-7123-4567"), "+442071234567");
    assert_eq!(normalize_number(" (020) 7123.4567 "), "02071234567");
    assert_eq!(normalize_number("020/7123 4567"), "02071234567");
    assert_eq!(normalize_number("+44\u{a0}20\t7123 4567"), "+442071234567");
}

#[test]
fn the_uk_trunk_prefix_after_a_country_code_is_dropped() {
    assert_eq!(normalize_number("+44 (0)20 7123 4567"), "+442071234567");
    assert_eq!(normalize_number("0044 (0) 20 7123 4567"), "+442071234567");
    // Without a country code the 0 is part of the number.
    assert_eq!(normalize_number("(0)20 7123 4567"), "02071234567");
}

#[test]
fn only_a_leading_00_is_international() {
    assert_eq!(normalize_number("1007"), "1007");
    assert_eq!(normalize_number("00"), "+");
    assert_eq!(normalize_number("0"), "0");
}

#[test]
fn star_hash_and_unknown_characters_are_kept() {
    assert_eq!(normalize_number("*98#"), "*98#");
    assert_eq!(normalize_number("12ab"), "12ab");
    assert_eq!(normalize_number("sip:1@x"), "sip:1@x");
    assert_eq!(normalize_number(""), "");
}

#[test]
fn dialable_means_digits_plus_star_and_hash_only() {
    for ok in ["1", "201", "+442071234567", "*98#", "#31#0123"] {
        assert!(is_dialable(ok), "{ok}");
    }
    for bad in [
        "",
        "12 3",
        "1;user=phone",
        "sip:1",
        "1@evil",
        "12\r\nVia: x",
        "١٢٣",
        "１２",
        "12a",
        "<1>",
    ] {
        assert!(!is_dialable(bad), "{bad:?}");
    }
}

#[test]
fn a_trailing_dot_needs_at_least_one_more_character() {
    assert!(pattern_matches("0.", "0123"));
    assert!(pattern_matches("0.", "01"));
    assert!(!pattern_matches("0.", "0"));
    assert!(!pattern_matches("0.", "1123"));
    assert!(pattern_matches("+44.", "+442071234567"));
    assert!(!pattern_matches("+44.", "+33123456789"));
    assert!(pattern_matches(".", "1"));
    assert!(!pattern_matches(".", ""));
}

#[test]
fn a_trailing_bang_allows_nothing_more() {
    assert!(pattern_matches("12!", "12"));
    assert!(pattern_matches("12!", "12345"));
    assert!(!pattern_matches("12!", "1"));
}

#[test]
fn without_a_tail_the_length_must_be_exact() {
    assert!(pattern_matches("112", "112"));
    assert!(!pattern_matches("112", "1120"));
    assert!(!pattern_matches("112", "11"));
}

#[test]
fn x_z_and_n_are_digit_classes_in_either_case() {
    assert!(pattern_matches("NXXXXXX", "2345678"));
    assert!(!pattern_matches("NXXXXXX", "1345678"));
    assert!(!pattern_matches("NXXXXXX", "23456789"));
    assert!(pattern_matches("nxxxxxx", "9000000"));
    assert!(pattern_matches("ZX", "10"));
    assert!(!pattern_matches("ZX", "01"));
    assert!(!pattern_matches("X", "*"));
    assert!(!pattern_matches("X", "a"));
}

#[test]
fn sets_hold_digits_ranges_and_symbols() {
    assert!(pattern_matches("[1-5]X", "19"));
    assert!(!pattern_matches("[1-5]X", "69"));
    assert!(pattern_matches("[135]", "3"));
    assert!(!pattern_matches("[135]", "2"));
    assert!(pattern_matches("[1-35-7]", "6"));
    assert!(!pattern_matches("[1-35-7]", "4"));
    assert!(pattern_matches("[*#]X", "#5"));
}

#[test]
fn a_leading_underscore_is_ignored() {
    assert!(pattern_matches("_9.", "9123"));
    assert!(!pattern_matches("_9.", "_9123"));
}

#[test]
fn malformed_patterns_match_nothing() {
    for bad in [
        "", " ", "_", "0.1", "0!!", "[", "[12", "[]", "[5-1]", "[1-]", "[a]", "A1", "1 2", "1-2",
        "+44 .",
    ] {
        assert!(!pattern_matches(bad, "12"), "{bad:?}");
        assert!(!pattern_matches(bad, "0123"), "{bad:?}");
        assert!(!pattern_matches(bad, ""), "{bad:?}");
    }
}
