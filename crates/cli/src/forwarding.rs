//! `switchboard extension dnd|forward …`: do-not-disturb and call forwarding from the
//! command line, for a headless office. A running PBX notices the change within a second
//! (it watches the database), as it does for the admin pages.

use clap::ValueEnum;
use store::{ForwardKind, Store};

/// Which forward `extension forward` changes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    /// Every call
    Always,
    /// Calls while the extension is on a call (or its phone answers busy)
    Busy,
    /// Calls not answered within the ring time
    NoAnswer,
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

pub fn dnd(store: &Store, number: &str, switch: Switch) -> anyhow::Result<()> {
    let on = matches!(switch, Switch::On);
    store.set_dnd(number, on)?;
    if on {
        println!("Extension {number} is in do not disturb: callers hear busy (or voicemail).");
    } else {
        println!("Extension {number} takes calls again.");
    }
    Ok(())
}

/// `target` is a number, or `off` to stop forwarding.
pub fn forward(store: &Store, number: &str, kind: Kind, target: &str) -> anyhow::Result<()> {
    let target = Some(target.trim()).filter(|t| !t.eq_ignore_ascii_case("off"));
    let store_kind = match kind {
        Kind::Always => ForwardKind::Always,
        Kind::Busy => ForwardKind::Busy,
        Kind::NoAnswer => ForwardKind::NoAnswer,
    };
    let settings = store.set_forward(number, store_kind, target)?;
    let what = match kind {
        Kind::Always => "every call".to_owned(),
        Kind::Busy => "calls while busy".to_owned(),
        Kind::NoAnswer => format!("calls not answered within {} s", settings.no_answer_seconds),
    };
    match target {
        Some(t) => println!("Extension {number} forwards {what} to {t}."),
        None => println!("Extension {number} no longer forwards {what}."),
    }
    Ok(())
}
