//! `switchboard trunk …`: the provider trunks, and what each is doing now.
//!
//! The configuration is read from the database; the live state (registered, failing, lines
//! in use) exists only inside the running PBX, so it is asked of `serve`'s admin API.

use std::net::SocketAddr;
use std::path::Path;

use clap::Subcommand;
use pbx::dialplan::{Trunk, TrunkAuth, TrunkTransport};
use serde::Serialize;
use serde_json::Value;

use crate::{admin_client, extension};

#[derive(Subcommand)]
pub enum Command {
    /// List trunks with their status and lines in use
    List {
        /// Print a JSON array
        #[arg(long)]
        json: bool,
        /// Where the running PBX serves its admin API [default: the saved setting, else
        /// 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR")]
        http: Option<SocketAddr>,
    },
}

/// One trunk as listed: its settings without the password, and its live state.
#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    enabled: bool,
    host: String,
    port: Option<u16>,
    transport: &'static str,
    outbound_proxy: Option<String>,
    mode: &'static str,
    channels: u32,
    /// The PBX's view (`{"state": "registered", "expires_in": …}`), `null` when no PBX
    /// answered.
    status: Option<Value>,
    lines_in_use: Option<u32>,
}

pub fn run(command: Command, data_dir: &Path) -> anyhow::Result<()> {
    let Command::List { json, http } = command;
    let store = extension::open(data_dir)?;
    let trunks = store.trunks()?;
    let api = match http {
        Some(addr) => addr,
        None => store.settings()?.admin_bind,
    };
    // Without a running PBX the settings are still worth showing.
    let live = if trunks.is_empty() {
        Ok(Vec::new())
    } else {
        live_states(api)
    };
    let rows: Vec<Row> = trunks
        .iter()
        .map(|t| row(t, live.as_deref().unwrap_or_default()))
        .collect();
    if json {
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        println!("No trunks yet. Add one in the admin pages (Trunks, or the setup wizard).");
        return Ok(());
    }
    println!(
        "{:<4}  {:<20}  {:<32}  {:<12}  {:<14}  STATUS",
        "ID", "NAME", "PROVIDER", "MODE", "LINES IN USE"
    );
    for r in &rows {
        let provider = match r.port {
            Some(port) => format!("{}:{port} ({})", r.host, r.transport),
            None => format!("{} ({})", r.host, r.transport),
        };
        let lines = match r.lines_in_use {
            Some(n) => format!("{n} of {}", r.channels),
            None => format!("- of {}", r.channels),
        };
        let status = match (&r.status, &live) {
            (Some(s), _) => describe(s),
            (None, _) if !r.enabled => "disabled".to_owned(),
            (None, Ok(_)) => "not started yet".to_owned(),
            (None, Err(_)) => "unknown: the PBX is not running".to_owned(),
        };
        println!(
            "{:<4}  {:<20}  {:<32}  {:<12}  {:<14}  {status}",
            r.id, r.name, provider, r.mode, lines
        );
    }
    if let Err(e) = &live {
        eprintln!("note: no live status ({e:#}); is `switchboard serve` running?");
    }
    Ok(())
}

/// The `state` of every trunk the running PBX reports, by trunk id and name.
fn live_states(api: SocketAddr) -> anyhow::Result<Vec<Value>> {
    let answer = admin_client::call(api, "list_trunks")?;
    Ok(answer
        .get("trunks")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|t| t.get("state").filter(|s| !s.is_null()).cloned())
                .collect()
        })
        .unwrap_or_default())
}

fn row(t: &Trunk, live: &[Value]) -> Row {
    // Matched on name too, so another data folder's PBX on the same port is not believed.
    let state = live.iter().find(|s| {
        s.get("id").and_then(Value::as_i64) == Some(t.id)
            && s.get("name").and_then(Value::as_str) == Some(t.name.as_str())
    });
    Row {
        id: t.id,
        name: t.name.clone(),
        enabled: t.enabled,
        host: t.host.clone(),
        port: t.port,
        transport: match t.transport {
            TrunkTransport::Udp => "udp",
            TrunkTransport::Tcp => "tcp",
        },
        outbound_proxy: t.outbound_proxy.clone(),
        mode: match t.auth {
            TrunkAuth::Registration { .. } => "registration",
            TrunkAuth::Ip { .. } => "ip",
        },
        channels: t.channels,
        status: state.and_then(|s| s.get("status")).cloned(),
        lines_in_use: state
            .and_then(|s| s.get("lines_in_use"))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok()),
    }
}

/// A status in plain words: `registered (granted 300 s)`, `failing: 503 Service
/// Unavailable (next try 42 s after it failed)`. The PBX gives durations as of the last
/// change, not counted down.
fn describe(status: &Value) -> String {
    let text = |key: &str| status.get(key).and_then(Value::as_str).unwrap_or("?");
    let secs = |key: &str| status.get(key).and_then(Value::as_u64).unwrap_or(0);
    match status.get("state").and_then(Value::as_str) {
        Some("disabled") => "disabled".to_owned(),
        Some("ip") => "accepting calls from its addresses (IP mode)".to_owned(),
        Some("resolving") => "looking up the provider's address".to_owned(),
        Some("registering") => "registering".to_owned(),
        Some("registered") => format!("registered (granted {} s)", secs("expires_in")),
        Some("failing") => format!(
            "failing: {} (next try {} s after it failed)",
            text("reason"),
            secs("retry_in")
        ),
        Some("rejected") => format!(
            "REJECTED: {}; check the credentials and save the trunk to try again",
            text("reason")
        ),
        Some(other) => other.to_owned(),
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_plain_words() {
        let s = serde_json::json!({"state": "failing", "reason": "503 Service Unavailable", "retry_in": 42});
        assert_eq!(
            describe(&s),
            "failing: 503 Service Unavailable (next try 42 s after it failed)"
        );
        let s = serde_json::json!({"state": "registered", "expires_in": 300});
        assert_eq!(describe(&s), "registered (granted 300 s)");
        let s = serde_json::json!({"state": "rejected", "reason": "403 Forbidden"});
        assert!(describe(&s).starts_with("REJECTED: 403 Forbidden"));
    }
}
