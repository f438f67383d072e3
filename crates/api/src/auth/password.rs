//! How strong the owner's password must be. The admin pages on the office network can
//! change the whole phone system, so a short or guessable password is refused.

/// Shortest owner password accepted.
pub(crate) const MIN_LEN: usize = 10;

/// Passwords (and their stems) that guessers try first.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "123456",
    "12345678",
    "1234567890",
    "qwerty",
    "qwertyuiop",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "switchboard",
    "iloveyou",
    "abc123",
    "111111",
    "000000",
    "monkey",
    "dragon",
    "football",
    "changeme",
    "secret",
];

/// Why `password` is too weak for the user `username`, or `None` when it will do.
pub(crate) fn check_strength(username: &str, password: &str) -> Option<&'static str> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_LEN {
        return Some("must be at least 10 characters");
    }
    if chars.len() > 256 {
        return Some("must be at most 256 characters");
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return Some("must not repeat the same few characters");
    }
    let lower = password.to_lowercase();
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Some("must not contain the user name");
    }
    let stripped: String = lower.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if COMMON.iter().any(|c| {
        lower == *c
            || (stripped.len() >= 5 && c.starts_with(&stripped))
            || lower.starts_with(c) && lower.len() < c.len() + 4
    }) {
        return Some("is too easy to guess");
    }
    if is_sequence(&chars) {
        return Some("is too easy to guess");
    }
    None
}

/// `abcdefghij`, `1234567890`, `9876543210`: each character one step from the last.
fn is_sequence(chars: &[char]) -> bool {
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| i64::from(u32::from(w[1])) - i64::from(u32::from(w[0])))
        .collect();
    steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_and_a_passphrase_passes() {
        for weak in [
            "short",
            "aaaaaaaaaaaa",
            "password12",
            "Password123",
            "1234567890",
            "owner-is-me-123",
        ] {
            assert!(check_strength("owner", weak).is_some(), "{weak}");
        }
        assert_eq!(check_strength("owner", "tall-green-lamp-42"), None);
    }
}
