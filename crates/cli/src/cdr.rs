//! `switchboard cdr …`: the call history.

use std::path::Path;

use clap::Subcommand;
use store::{Cdr, CdrFilter, Direction, Outcome};

use crate::{extension, time_format, InvalidInput};

#[derive(Subcommand)]
pub enum Command {
    /// List calls, newest first
    List {
        /// Print a JSON array
        #[arg(long)]
        json: bool,
        /// At most this many calls
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only calls from, to or answered by this number
        #[arg(long)]
        number: Option<String>,
        /// Only calls that ended this way: answered, busy, no_answer, unavailable,
        /// not_found, cancelled or failed
        #[arg(long)]
        outcome: Option<String>,
        /// Only calls that went this way: internal, inbound or outbound
        #[arg(long)]
        direction: Option<String>,
        /// Only calls by the trunk with this name
        #[arg(long)]
        trunk: Option<String>,
        /// Only calls to this business name (e.g. sales.acme)
        #[arg(long)]
        business_name: Option<String>,
        /// Only calls that found every line of their trunk busy
        #[arg(long)]
        lines_busy: bool,
    },
}

pub fn run(command: Command, data_dir: &Path) -> anyhow::Result<()> {
    let Command::List {
        json,
        limit,
        number,
        outcome,
        direction,
        trunk,
        business_name,
        lines_busy,
    } = command;
    let outcome = outcome
        .map(|o| {
            o.parse::<Outcome>().map_err(|()| {
                let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
                InvalidInput(format!("outcome: must be one of {}", names.join(", ")))
            })
        })
        .transpose()?;
    let direction = direction
        .map(|d| {
            d.parse::<Direction>().map_err(|()| {
                let names: Vec<&str> = Direction::ALL.iter().map(|d| d.as_str()).collect();
                InvalidInput(format!("direction: must be one of {}", names.join(", ")))
            })
        })
        .transpose()?;
    let store = extension::open(data_dir)?;
    let cdrs = store.list_cdrs(&CdrFilter {
        number,
        outcome,
        direction,
        trunk,
        business_name,
        lines_busy: lines_busy.then_some(true),
        limit,
    })?;
    if json {
        println!("{}", serde_json::to_string(&cdrs)?);
        return Ok(());
    }
    if cdrs.is_empty() {
        println!("No calls yet.");
        return Ok(());
    }
    println!(
        "{:<20}  {:<28}  {:<10}  {:<11}  {:<11}  {:>8}  {:<8}  ENDED BY",
        "STARTED (UTC)", "FROM", "TO", "ANSWERED BY", "OUTCOME", "TALK", "WAY"
    );
    for c in &cdrs {
        println!(
            "{:<20}  {:<28}  {:<10}  {:<11}  {:<11}  {:>8}  {:<8}  {}{}{}",
            time_format::utc(c.started_at),
            caller(c),
            callee(c),
            c.answered_by.as_deref().unwrap_or("-"),
            c.outcome,
            time_format::duration(c.duration_s),
            c.direction.as_str(),
            c.hangup_by.as_str(),
            c.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            via(c),
        );
    }
    Ok(())
}

fn caller(c: &Cdr) -> String {
    match &c.caller_name {
        Some(name) => format!("{name} <{}>", c.caller_number),
        None => c.caller_number.clone(),
    }
}

/// The number dialled, with the business name it belongs to: `sales.acme (+4420…)`.
fn callee(c: &Cdr) -> String {
    match &c.business_name {
        Some(name) => format!("{name} ({})", c.callee),
        None => c.callee.clone(),
    }
}

/// ` via Provider, all lines busy` for trunk calls.
fn via(c: &Cdr) -> String {
    let mut out = String::new();
    if let Some(trunk) = &c.trunk {
        out.push_str(&format!(" via {trunk}"));
    }
    if c.lines_busy {
        out.push_str(", all lines busy");
    }
    out
}
