//! The desktop binary answers `--help` and refuses bad options before it opens anything, so
//! it can be scripted (and checked here) on a machine without a display.
//!
//! Building this test also makes `cargo test --workspace` build the binary itself, which
//! the desktop smoke test (tests/desktop/run) then drives.

use std::process::Command;

fn desktop() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard-desktop"));
    cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    cmd
}

#[test]
fn help_names_every_option() {
    let out = desktop()
        .arg("--help")
        .output()
        .expect("run switchboard-desktop");
    assert!(out.status.success(), "--help exits 0");
    let text = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--data",
        "--listen",
        "--rtp-ports",
        "--http",
        "--hidden",
        "--log-level",
    ] {
        assert!(text.contains(option), "--help mentions {option}:\n{text}");
    }
}

#[test]
fn a_bad_port_range_is_refused_with_the_reason() {
    let out = desktop()
        .args(["--rtp-ports", "20000-10000"])
        .output()
        .expect("run switchboard-desktop");
    // clap's exit status for a bad command line.
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--rtp-ports"), "{err}");
    assert!(err.contains("need 1 <= LO < HI"), "{err}");
}
