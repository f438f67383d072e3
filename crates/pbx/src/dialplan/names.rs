//! The provider's list of business names and numbers, as the owner pastes it.
//!
//! Providers hand the list out in whatever shape their portal has: one name per line with
//! its number, a CSV export, or cells copied from a spreadsheet (tab-separated). All three
//! are read; every bad line is reported with its number so the owner can fix the text, and
//! nothing is returned unless every line is good (an import is all or nothing).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::number::{is_phone_number, normalize_number};

/// One parsed line of a name list. `number` is as written (trimmed); it is compared after
/// [`normalize_number`].
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

/// How the lines are laid out, decided by the first line with content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `sales.acme +44 20 7123 4567 [Sales]`
    Plain,
    /// `sales.acme,+44 20 7123 4567,Sales` (RFC 4180 quoting)
    Csv,
    /// Spreadsheet cells: `sales.acme<TAB>+44 20 7123 4567<TAB>Sales`
    Tabs,
}

/// One per line: `sales.acme +44 20 7123 4567 [Label]`, or CSV `name,number[,label]` (header
/// row optional), or the same columns separated by tabs. Blank lines and lines starting with
/// `#` are skipped; an empty list is not an error. Names and numbers must be unique in the
/// list (numbers after normalising).
pub fn parse_name_list(text: &str) -> Result<Vec<NameListEntry>, Vec<LineError>> {
    parse_name_list_numbered(text).map(|entries| entries.into_iter().map(|(_, e)| e).collect())
}

/// [`parse_name_list`] with each entry's line number (from 1), so a later problem with an
/// entry (a number another saved name already has) can be shown on its line.
pub fn parse_name_list_numbered(text: &str) -> Result<Vec<(usize, NameListEntry)>, Vec<LineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut layout = None;
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut numbers: HashMap<String, usize> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let first = layout.is_none();
        let this_layout = *layout.get_or_insert(if content.contains('\t') {
            Layout::Tabs
        } else if content.contains(',') {
            Layout::Csv
        } else {
            Layout::Plain
        });
        let parsed = match this_layout {
            Layout::Plain => parse_plain(content),
            Layout::Csv => split_csv(content).and_then(columns),
            Layout::Tabs => columns(content.split('\t').map(str::to_string).collect()),
        };
        let entry = match parsed {
            // A first row whose number column holds no digit is a header (`name,number`).
            _ if first && this_layout != Layout::Plain && is_header(content) => continue,
            Err(message) => {
                errors.push(LineError { line, message });
                continue;
            }
            Ok(entry) => entry,
        };
        if let Err(message) = check_entry(&entry) {
            errors.push(LineError { line, message });
            continue;
        }
        let name_key = entry.name.to_lowercase();
        let number_key = normalize_number(&entry.number);
        if let Some(earlier) = names.get(&name_key) {
            let message = format!("{} is already on line {earlier}", entry.name);
            errors.push(LineError { line, message });
            continue;
        }
        if let Some(earlier) = numbers.get(&number_key) {
            let message = format!("The number {} is already on line {earlier}", entry.number);
            errors.push(LineError { line, message });
            continue;
        }
        names.insert(name_key, line);
        numbers.insert(number_key, line);
        entries.push((line, entry));
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// `name number… [label]`: the name is the first word, the label an optional bracketed
/// end, and the number everything between (it may contain spaces).
fn parse_plain(content: &str) -> Result<NameListEntry, String> {
    let (name, rest) = content.split_once(char::is_whitespace).ok_or_else(|| {
        "Expected a name and a number, like: sales.acme +44 20 7123 4567".to_string()
    })?;
    let rest = rest.trim();
    let (number, label) = match rest.strip_suffix(']') {
        Some(inner) => {
            let (number, label) = inner
                .rsplit_once('[')
                .ok_or_else(|| "A label must be written in brackets, like: [Sales]".to_string())?;
            (number.trim(), Some(label.trim().to_string()))
        }
        None => (rest, None),
    };
    Ok(NameListEntry {
        name: name.to_string(),
        number: number.to_string(),
        label: label.filter(|l| !l.is_empty()),
    })
}

/// `name, number[, label]` from already split cells.
fn columns(cells: Vec<String>) -> Result<NameListEntry, String> {
    let mut cells = cells.into_iter().map(|c| c.trim().to_string());
    let name = cells.next().unwrap_or_default();
    let number = cells.next().unwrap_or_default();
    let label = cells.next().filter(|l| !l.is_empty());
    if cells.any(|extra| !extra.is_empty()) {
        return Err("Expected at most three columns: name, number, label".to_string());
    }
    Ok(NameListEntry {
        name,
        number,
        label,
    })
}

/// RFC 4180 fields of one line: commas separate, double quotes enclose fields that contain
/// commas, `""` inside quotes is a quote.
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("A quoted field is not closed (missing \")".to_string());
    }
    fields.push(field);
    Ok(fields)
}

/// Whether a CSV or tab row is a header: its second column has no digit.
fn is_header(content: &str) -> bool {
    let cells = if content.contains('\t') {
        content.split('\t').map(str::to_string).collect()
    } else {
        split_csv(content).unwrap_or_default()
    };
    cells
        .get(1)
        .is_some_and(|c| !c.is_empty() && !c.chars().any(|ch| ch.is_ascii_digit()))
}

/// The checks every entry passes, whatever its layout.
fn check_entry(entry: &NameListEntry) -> Result<(), String> {
    if entry.name.is_empty() {
        return Err("The name is missing".to_string());
    }
    if let Some(message) = name_problem(&entry.name) {
        return Err(message);
    }
    if entry.number.is_empty() {
        return Err(format!("{} has no number", entry.name));
    }
    if !is_phone_number(&entry.number) {
        return Err(format!(
            "{} is not a phone number (use digits, spaces, + and -)",
            entry.number
        ));
    }
    match &entry.label {
        Some(label) => label_problem(label).map_or(Ok(()), Err),
        None => Ok(()),
    }
}

/// What is wrong with a business name, if anything: names are single words of letters,
/// digits, dots, dashes and underscores (`sales.acme`, Skype names), at most 100 characters.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("The name is missing".to_string());
    }
    if name.chars().count() > 100 {
        return Some("The name is longer than 100 characters".to_string());
    }
    let ok = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    (!ok).then(|| {
        format!("{name} is not a valid name (use letters, digits, dots, dashes and underscores)")
    })
}

/// What is wrong with a label, if anything. It becomes part of a SIP display name
/// (`"[Sales] Jane Doe"`), so quotes, backslashes, brackets and control characters are out.
pub(crate) fn label_problem(label: &str) -> Option<String> {
    if label.chars().count() > 40 {
        return Some("The label is longer than 40 characters".to_string());
    }
    let bad = label
        .chars()
        .any(|c| c.is_control() || matches!(c, '"' | '\\' | '[' | ']' | '<' | '>'));
    bad.then(|| format!("The label {label} may not contain quotes, brackets or backslashes"))
}

/// `Sales` from `sales.acme`: the first dot-separated part, dashes and underscores as
/// spaces, first letter capitalised (`after_hours.acme` → `After hours`).
pub fn default_label(name: &str) -> String {
    let first = name.trim().split('.').next().unwrap_or_default();
    let words = first.replace(['_', '-'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_split_on_commas_outside_quotes() {
        assert_eq!(
            split_csv("a,b,c"),
            Ok(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(split_csv("\"a,b\",c"), Ok(vec!["a,b".into(), "c".into()]));
        assert_eq!(
            split_csv("\"say \"\"hi\"\"\""),
            Ok(vec!["say \"hi\"".into()])
        );
        assert_eq!(
            split_csv(",,"),
            Ok(vec![String::new(), String::new(), String::new()])
        );
        assert!(split_csv("\"open").is_err());
    }

    #[test]
    fn entries_keep_their_line_numbers() {
        let text = "# list\nsales.acme 1001\n\nsupport.acme 1002\n";
        let lines: Vec<usize> = parse_name_list_numbered(text)
            .map(|v| v.into_iter().map(|(line, _)| line).collect())
            .unwrap_or_default();
        assert_eq!(lines, [2, 4]);
    }
}
