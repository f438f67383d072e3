//! The provider's list of business names and numbers, as the owner pastes it.

use serde::{Deserialize, Serialize};

/// One parsed line of a name list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameListEntry {
    pub name: String,
    pub number: String,
    pub label: Option<String>,
}

/// A line of a name list that cannot be used; `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// One per line: `sales.acme +44 20 7123 4567 [Label]`, or CSV `name,number[,label]` (header
/// row optional). Blank lines and lines starting with `#` are skipped.
pub fn parse_name_list(text: &str) -> Result<Vec<NameListEntry>, Vec<LineError>> {
    let _ = text;
    Ok(Vec::new())
}

/// `Sales` from `sales.acme`: the first dot-separated part, capitalised.
pub fn default_label(name: &str) -> String {
    let first = name.split('.').next().unwrap_or_default();
    let mut chars = first.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
