//! Runs the built `switchboard` binary against a temporary data folder.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `switchboard --data <dir> <args>` and returns what it printed and its status.
pub fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run switchboard")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a command that must succeed and returns its stdout.
pub fn ok(data: &Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "switchboard {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out)
}

/// Runs a command that prints one JSON value and parses it.
pub fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    let text = ok(data, args);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The numbers `extension list --json` reports.
pub fn listed_numbers(data: &Path) -> Vec<String> {
    let list = json(data, &["extension", "list", "--json"]);
    list.as_array()
        .expect("array")
        .iter()
        .map(|e| e["number"].as_str().expect("number").to_owned())
        .collect()
}
