//! The provider's name → number list, pasted as lines, CSV (with or without a header) or
//! spreadsheet cells: every good line read, or every bad line reported by its number and
//! nothing returned.

use pbx::dialplan::{default_label, parse_name_list, LineError, NameListEntry};

fn entry(name: &str, number: &str, label: Option<&str>) -> NameListEntry {
    NameListEntry {
        name: name.into(),
        number: number.into(),
        label: label.map(str::to_string),
    }
}

fn errors(text: &str) -> Vec<LineError> {
    match parse_name_list(text) {
        Ok(entries) => panic!("expected errors, got {entries:?}"),
        Err(errors) => errors,
    }
}

fn error_lines(text: &str) -> Vec<usize> {
    errors(text).into_iter().map(|e| e.line).collect()
}

#[test]
fn one_name_per_line_with_an_optional_bracketed_label() {
    let text = "sales.acme +44 20 7123 4567 [Sales]\nsupport.acme 0044 20 7123 4568\n";
    assert_eq!(
        parse_name_list(text),
        Ok(vec![
            entry("sales.acme", "+44 20 7123 4567", Some("Sales")),
            entry("support.acme", "0044 20 7123 4568", None),
        ])
    );
}

#[test]
fn labels_may_have_spaces_and_empty_brackets_mean_no_label() {
    let text = "after_hours.acme  +1 (212) 555-0100   [After hours line]\nx.acme 123 []";
    assert_eq!(
        parse_name_list(text),
        Ok(vec![
            entry(
                "after_hours.acme",
                "+1 (212) 555-0100",
                Some("After hours line")
            ),
            entry("x.acme", "123", None),
        ])
    );
}

#[test]
fn blank_lines_comments_bom_and_crlf_are_tolerated() {
    let text = "\u{feff}# exported from the provider\r\n\r\nsales.acme +44 20 7123 4567\r\n   \r\nsupport.acme +44 20 7123 4568\r\n";
    let entries = parse_name_list(text).expect("valid list");
    assert_eq!(
        entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["sales.acme", "support.acme"]
    );
}

#[test]
fn csv_with_a_header_row() {
    let text =
        "name,number,label\nsales.acme,+44 20 7123 4567,Sales\nsupport.acme,+44 20 7123 4568\n";
    assert_eq!(
        parse_name_list(text),
        Ok(vec![
            entry("sales.acme", "+44 20 7123 4567", Some("Sales")),
            entry("support.acme", "+44 20 7123 4568", None),
        ])
    );
}

#[test]
fn csv_without_a_header_row() {
    let text = "sales.acme, +44 20 7123 4567 , Sales\nsupport.acme,+44 20 7123 4568,\n";
    assert_eq!(
        parse_name_list(text),
        Ok(vec![
            entry("sales.acme", "+44 20 7123 4567", Some("Sales")),
            entry("support.acme", "+44 20 7123 4568", None),
        ])
    );
}

#[test]
fn csv_quotes_protect_commas() {
    let text = "\"sales.acme\",\"+44 20 7123 4567\",\"Sales, UK\"\n\"support.acme\",\"+44 20 7123 4568\",\"Support \"\"24/7\"\"\"";
    let parsed = parse_name_list(text);
    // The second label has quotes, which cannot go into a display name.
    let errs = parsed.expect_err("quotes in a label are refused");
    assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), [2]);
    let ok = "\"sales.acme\",\"+44 20 7123 4567\",\"Sales, UK\"";
    assert_eq!(
        parse_name_list(ok),
        Ok(vec![entry(
            "sales.acme",
            "+44 20 7123 4567",
            Some("Sales, UK")
        )])
    );
}

#[test]
fn spreadsheet_cells_separated_by_tabs() {
    let text = "Name\tNumber\tLabel\nsales.acme\t+44 20 7123 4567\tSales\nsupport.acme\t+44 20 7123 4568\n";
    assert_eq!(
        parse_name_list(text),
        Ok(vec![
            entry("sales.acme", "+44 20 7123 4567", Some("Sales")),
            entry("support.acme", "+44 20 7123 4568", None),
        ])
    );
}

#[test]
fn a_header_is_only_recognised_on_the_first_line() {
    let text = "sales.acme,+44 20 7123 4567\nname,number\n";
    assert_eq!(error_lines(text), [2]);
}

#[test]
fn every_malformed_line_is_reported_with_its_number() {
    let text = "\
sales.acme +44 20 7123 4567
support.acme
# a comment

stephen.acme +44 abc
bad!name +44 20 7123 4570
conference.acme +44 20 7123 4571 [Conf
ok.acme +44 20 7123 4572
";
    let errs = errors(text);
    assert_eq!(
        errs.iter().map(|e| e.line).collect::<Vec<_>>(),
        [2, 5, 6, 7]
    );
    assert!(errs.iter().all(|e| !e.message.is_empty()));
    assert!(errs[1].message.contains("+44 abc"), "{}", errs[1].message);
}

#[test]
fn csv_errors_name_their_lines_too() {
    let text = "name,number,label\nsales.acme,+44 20 7123 4567,Sales,extra\n\"support.acme,+44 20 7123 4568\n,+44 20 7123 4569\nx.acme,\n";
    assert_eq!(error_lines(text), [2, 3, 4, 5]);
}

#[test]
fn duplicate_names_and_numbers_point_at_the_first_line() {
    let text = "\
sales.acme +44 20 7123 4567
support.acme +44 20 7123 4568
SALES.acme +44 20 7123 4569
other.acme 0044 (0)20 7123-4567
";
    let errs = errors(text);
    assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
    assert!(errs[0].message.contains("line 1"), "{}", errs[0].message);
    assert!(errs[1].message.contains("line 1"), "{}", errs[1].message);
}

#[test]
fn nothing_is_returned_when_one_line_is_bad() {
    let text = "sales.acme +44 20 7123 4567\nsupport.acme not-a-number\n";
    assert!(parse_name_list(text).is_err());
}

#[test]
fn an_empty_list_is_empty_not_an_error() {
    assert_eq!(parse_name_list(""), Ok(Vec::new()));
    assert_eq!(parse_name_list("\n  \n# nothing yet\n"), Ok(Vec::new()));
}

#[test]
fn odd_input_is_reported_not_panicked_on() {
    for text in [
        "\"",
        ",",
        "\t",
        "[]",
        "a [",
        "ü,ü,ü,ü",
        "a\u{0}b 1",
        "\u{feff}",
        "x 1 ]",
        ",,,,",
        "\"\"\"",
        "a.b \"1\"",
        "🙂 123",
        "name\tnumber",
    ] {
        let lines = text.lines().count().max(1);
        if let Err(errs) = parse_name_list(text) {
            assert!(!errs.is_empty());
            assert!(
                errs.iter().all(|e| e.line >= 1 && e.line <= lines),
                "{text:?}"
            );
        }
    }
}

#[test]
fn default_labels_come_from_the_first_part_of_the_name() {
    assert_eq!(default_label("sales.acme"), "Sales");
    assert_eq!(default_label("support.acme.co.uk"), "Support");
    assert_eq!(default_label("after_hours.acme"), "After hours");
    assert_eq!(default_label("front-desk.acme"), "Front desk");
    assert_eq!(default_label("acme"), "Acme");
    assert_eq!(default_label("élan.acme"), "Élan");
    assert_eq!(default_label(""), "");
    assert_eq!(default_label(".acme"), "");
}
