//! The extensions the simulated phones log in as, in the form `switchboard extension add
//! --json` prints them: one JSON object per line, or one JSON array of them.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// One extension's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub number: String,
    #[serde(default)]
    pub name: String,
    pub password: String,
}

/// Reads the extensions file.
pub fn load(path: &Path) -> anyhow::Result<Vec<Extension>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read extensions from {}", path.display()))?;
    parse(&text).with_context(|| format!("bad extensions file {}", path.display()))
}

/// Parses a JSON array, or JSON lines (blank lines ignored), of extensions.
pub fn parse(text: &str) -> anyhow::Result<Vec<Extension>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return Ok(serde_json::from_str(trimmed)?);
    }
    trimmed
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("line {}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_lines_and_arrays_alike() {
        let lines = "{\"number\":\"1001\",\"name\":\"A\",\"password\":\"p1\"}\n\n{\"number\":\"1002\",\"password\":\"p2\"}\n";
        let array = "[{\"number\":\"1001\",\"name\":\"A\",\"password\":\"p1\"},{\"number\":\"1002\",\"password\":\"p2\"}]";
        let a = parse(lines).expect("lines");
        let b = parse(array).expect("array");
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].number, "1002");
        assert_eq!(a[1].name, "");
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = parse("{\"number\":\"1\",\"password\":\"x\"}\nnot json\n").unwrap_err();
        assert!(format!("{err:#}").contains("line 2"), "{err:#}");
    }
}
