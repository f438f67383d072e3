//! Dial patterns of outbound routes (syntax in [`super::OutboundRoute`]'s docs).
//!
//! The syntax is the one PBX owners know from other systems: `0.` is "anything starting
//! with 0", `+44.` "any UK number", `NXXXXXX` "a seven-digit local number". A leading `_`
//! (written by habit) is ignored; `X Z N` may be written in lower case.

use super::DialPlanError;

/// One position of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// This exact character (`0-9 + * #`).
    Literal(char),
    /// Any character in these inclusive ranges.
    Set(Vec<(char, char)>),
}

/// What may follow the fixed positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    Nothing,
    /// `.`: one or more further characters.
    OneOrMore,
    /// `!`: zero or more further characters.
    ZeroOrMore,
}

/// A parsed dial pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    tokens: Vec<Token>,
    tail: Tail,
}

impl Pattern {
    pub(crate) fn parse(pattern: &str) -> Result<Pattern, DialPlanError> {
        let bad = || DialPlanError::BadPattern(pattern.to_string());
        let body = pattern.trim();
        let body = body.strip_prefix('_').unwrap_or(body);
        let mut tokens = Vec::new();
        let mut tail = Tail::Nothing;
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if tail != Tail::Nothing {
                // `.` and `!` only at the end.
                return Err(bad());
            }
            match c {
                '0'..='9' | '+' | '*' | '#' => tokens.push(Token::Literal(c)),
                'X' | 'x' => tokens.push(Token::Set(vec![('0', '9')])),
                'Z' | 'z' => tokens.push(Token::Set(vec![('1', '9')])),
                'N' | 'n' => tokens.push(Token::Set(vec![('2', '9')])),
                '.' => tail = Tail::OneOrMore,
                '!' => tail = Tail::ZeroOrMore,
                '[' => tokens.push(Token::Set(parse_set(&mut chars).ok_or_else(bad)?)),
                _ => return Err(bad()),
            }
        }
        if tokens.is_empty() && tail == Tail::Nothing {
            // An empty pattern is more likely a forgotten field than a route for nothing.
            return Err(bad());
        }
        Ok(Pattern { tokens, tail })
    }

    pub(crate) fn matches(&self, number: &str) -> bool {
        let chars: Vec<char> = number.chars().collect();
        let fixed = self.tokens.len();
        let length_ok = match self.tail {
            Tail::Nothing => chars.len() == fixed,
            Tail::OneOrMore => chars.len() > fixed,
            Tail::ZeroOrMore => chars.len() >= fixed,
        };
        length_ok
            && self.tokens.iter().zip(&chars).all(|(t, &c)| match t {
                Token::Literal(l) => *l == c,
                Token::Set(ranges) => ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi),
            })
    }
}

/// Reads a set after its `[` up to and including `]`: digits, `+ * #` and digit ranges
/// such as `1-5`. `None` when unterminated, empty or malformed.
fn parse_set(chars: &mut std::str::Chars<'_>) -> Option<Vec<(char, char)>> {
    let mut ranges = Vec::new();
    let mut items: Vec<char> = Vec::new();
    loop {
        let c = chars.next()?;
        if c == ']' {
            break;
        }
        items.push(c);
    }
    let mut i = 0;
    while let Some(&c) = items.get(i) {
        match (items.get(i + 1), items.get(i + 2)) {
            (Some('-'), Some(&hi)) => {
                if !c.is_ascii_digit() || !hi.is_ascii_digit() || hi < c {
                    return None;
                }
                ranges.push((c, hi));
                i += 3;
            }
            _ => {
                if !(c.is_ascii_digit() || matches!(c, '+' | '*' | '#')) {
                    return None;
                }
                ranges.push((c, c));
                i += 1;
            }
        }
    }
    (!ranges.is_empty()).then_some(ranges)
}

/// Whether `number` matches the dial `pattern` as a whole. A pattern that does not parse
/// matches nothing ([`super::DialPlan::validate`] reports it).
pub fn pattern_matches(pattern: &str, number: &str) -> bool {
    Pattern::parse(pattern).is_ok_and(|p| p.matches(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_parse_into_positions_and_a_tail() {
        let p = Pattern::parse("_0[1-35]X.").expect("valid");
        assert_eq!(p.tokens.len(), 3);
        assert_eq!(p.tail, Tail::OneOrMore);
        assert_eq!(p.tokens[1], Token::Set(vec![('1', '3'), ('5', '5')]));
        assert_eq!(Pattern::parse("!").map(|p| p.tail), Ok(Tail::ZeroOrMore));
        assert!(Pattern::parse("").is_err());
    }
}
