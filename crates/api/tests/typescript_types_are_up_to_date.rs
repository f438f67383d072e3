//! The UI's `ui/src/api/types.ts` is generated from the API's Rust types; this fails when
//! the committed file no longer matches them, and says how to regenerate it.

use std::path::PathBuf;

#[test]
fn the_committed_typescript_types_match_the_rust_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(api::TYPES_PATH);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = api::typescript();
    assert!(
        committed == generated,
        "{} is stale (or missing): the API's Rust types changed. Regenerate it with `{}` and commit it.",
        api::TYPES_PATH,
        api::EXPORT_COMMAND
    );
}

#[test]
fn every_command_is_in_the_typescript_commands_map() {
    let generated = api::typescript();
    for name in api::COMMAND_NAMES {
        assert!(
            generated.contains(&format!("  {name}: {{ request: ")),
            "{name} is missing from the Commands map"
        );
    }
    let mut names = api::COMMAND_NAMES.to_vec();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        api::COMMAND_NAMES.len(),
        "a command name is declared twice"
    );
    for name in api::COMMAND_NAMES {
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{name} is not snake_case"
        );
    }
}
