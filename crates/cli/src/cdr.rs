//! `switchboard cdr …`: the call history.

use std::path::Path;

use clap::Subcommand;
use store::{Cdr, CdrFilter, Outcome};

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
    },
}

pub fn run(command: Command, data_dir: &Path) -> anyhow::Result<()> {
    let Command::List {
        json,
        limit,
        number,
        outcome,
    } = command;
    let outcome = outcome
        .map(|o| {
            o.parse::<Outcome>().map_err(|()| {
                let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
                InvalidInput(format!("outcome: must be one of {}", names.join(", ")))
            })
        })
        .transpose()?;
    let store = extension::open(data_dir)?;
    let cdrs = store.list_cdrs(&CdrFilter {
        number,
        outcome,
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
        "{:<20}  {:<28}  {:<10}  {:<11}  {:<11}  {:>8}  ENDED BY",
        "STARTED (UTC)", "FROM", "TO", "ANSWERED BY", "OUTCOME", "TALK"
    );
    for c in &cdrs {
        println!(
            "{:<20}  {:<28}  {:<10}  {:<11}  {:<11}  {:>8}  {}{}",
            time_format::utc(c.started_at),
            caller(c),
            c.callee,
            c.answered_by.as_deref().unwrap_or("-"),
            c.outcome,
            time_format::duration(c.duration_s),
            c.hangup_by.as_str(),
            c.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
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
