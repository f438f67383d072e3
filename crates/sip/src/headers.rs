//! The header multimap of a message.

use std::borrow::Cow;

use crate::header_name::{canonical, known};

/// Headers in the order they appeared, under canonical names (compact forms expanded).
/// Lookups ignore case and accept compact forms. Values are stored unfolded and trimmed.
///
/// A header written as several comma-separated values stays one entry; the typed
/// accessors on [`crate::Request`] and [`crate::Response`] split them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(Cow<'static, str>, String)>,
}

/// A looked-up name, resolved once per lookup rather than once per entry.
#[derive(Clone, Copy)]
enum Wanted<'a> {
    /// Stored names of known headers are exactly the canonical spelling.
    Known(&'static str),
    Other(&'a str),
}

impl<'a> Wanted<'a> {
    fn new(name: &'a str) -> Self {
        match known(name) {
            Some(k) => Wanted::Known(k),
            None => Wanted::Other(name),
        }
    }

    fn matches(self, stored: &str) -> bool {
        match self {
            Wanted::Known(k) => stored == k,
            Wanted::Other(n) => stored.eq_ignore_ascii_case(n),
        }
    }
}

impl Headers {
    pub fn new() -> Self {
        Headers::default()
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        Headers {
            entries: Vec::with_capacity(n),
        }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let wanted = Wanted::new(name);
        self.entries
            .iter()
            .find(|(n, _)| wanted.matches(n))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let wanted = Wanted::new(name);
        self.entries
            .iter()
            .filter(move |(n, _)| wanted.matches(n))
            .map(|(_, v)| v.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// How many header lines carry `name`.
    pub fn count(&self, name: &str) -> usize {
        self.get_all(name).count()
    }

    /// Appends a header.
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.entries.push((canonical(name), value.into()));
    }

    /// Inserts a header before all others (a new top Via, RFC 3261 §8.1.1.7).
    pub fn push_front(&mut self, name: &str, value: impl Into<String>) {
        self.entries.insert(0, (canonical(name), value.into()));
    }

    /// Replaces every `name` with one value, at the position of the first one (or at the end).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let wanted = Wanted::new(name);
        match self.entries.iter().position(|(n, _)| wanted.matches(n)) {
            Some(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    slot.1 = value.into();
                }
                let mut seen = 0usize;
                self.entries.retain(|(n, _)| {
                    if wanted.matches(n) {
                        seen += 1;
                        seen == 1
                    } else {
                        true
                    }
                });
            }
            None => self.push(name, value),
        }
    }

    /// Removes every `name`; returns how many were removed.
    pub fn remove(&mut self, name: &str) -> usize {
        let wanted = Wanted::new(name);
        let before = self.entries.len();
        self.entries.retain(|(n, _)| !wanted.matches(n));
        before - self.entries.len()
    }

    /// Removes the first `name` and returns its value (popping the top Via).
    pub fn remove_first(&mut self, name: &str) -> Option<String> {
        let wanted = Wanted::new(name);
        let i = self.entries.iter().position(|(n, _)| wanted.matches(n))?;
        Some(self.entries.remove(i).1)
    }

    /// `(name, value)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_ref(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends a header whose name has already been canonicalised by the parser.
    pub(crate) fn push_canonical(&mut self, name: Cow<'static, str>, value: String) {
        self.entries.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case_and_compact_forms() {
        let mut h = Headers::new();
        h.push("v", "SIP/2.0/UDP a");
        h.push("VIA", "SIP/2.0/UDP b");
        h.push("x-thing", "1");
        assert_eq!(h.get("Via"), Some("SIP/2.0/UDP a"));
        assert_eq!(h.get_all("v").count(), 2);
        assert_eq!(h.get("X-Thing"), Some("1"));
        assert_eq!(h.iter().next().map(|(n, _)| n), Some("Via"));
    }

    #[test]
    fn set_replaces_all_in_place() {
        let mut h = Headers::new();
        h.push("X-A", "1");
        h.push("Contact", "x");
        h.push("X-B", "2");
        h.push("m", "y");
        h.set("contact", "z");
        let v: Vec<_> = h.iter().collect();
        assert_eq!(v, vec![("X-A", "1"), ("Contact", "z"), ("X-B", "2")]);
        assert_eq!(h.remove("CONTACT"), 1);
        assert!(!h.contains("Contact"));
    }

    #[test]
    fn push_front_and_remove_first() {
        let mut h = Headers::new();
        h.push("Via", "b");
        h.push_front("Via", "a");
        assert_eq!(h.remove_first("Via").as_deref(), Some("a"));
        assert_eq!(h.get("Via"), Some("b"));
    }
}
