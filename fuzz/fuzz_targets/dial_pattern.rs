//! Dial patterns typed by the owner and numbers dialled by phones: compiling and matching
//! must never panic. Input: the pattern, a newline, the number.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pbx::dialplan::pattern_matches;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, number) = text.split_once('\n').unwrap_or((text, ""));
    let matched = pattern_matches(pattern, number);
    // A pattern of literal digits matches exactly itself.
    if !pattern.is_empty() && pattern.chars().all(|c| c.is_ascii_digit()) {
        assert!(pattern_matches(pattern, pattern));
        assert_eq!(matched, pattern == number);
    }
});
