//! `switchboard`: the headless PBX daemon and its administration commands.

mod admin_client;
mod backup;
mod cdr;
mod extension;
mod forwarding;
mod lan_address;
mod phone;
mod serve;
mod time_format;
mod trunk;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

/// Exit status for input the program refuses (bad number, unknown extension); clap uses the
/// same for bad command lines, so scripts can tell "you asked wrongly" from "it broke" (1).
const EXIT_INVALID_INPUT: u8 = 2;

/// Exit status when `serve` finds the database damaged and does not start.
const EXIT_DAMAGED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Office PBX: phones register here and call each other"
)]
struct Cli {
    /// Folder for the database and audio files [default: the OS data folder, e.g.
    /// ~/.local/share/switchboard]
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,

    /// Log filter, e.g. `info` or `engine=debug` [default: $RUST_LOG, else `info` for serve
    /// and `warn` otherwise]
    #[arg(long, global = true, value_name = "FILTER", value_parser = parse_log_filter)]
    log_level: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add, list and remove extensions (the numbers staff phones register as)
    Extension {
        #[command(subcommand)]
        command: extension::Command,
    },
    /// Provider trunks and their live status
    Trunk {
        #[command(subcommand)]
        command: trunk::Command,
    },
    /// Call history
    Cdr {
        #[command(subcommand)]
        command: cdr::Command,
    },
    /// Back up, list backups, restore one
    Backup {
        #[command(subcommand)]
        command: backup::Command,
    },
    /// Run the PBX
    Serve(serve::Args),
    /// A headless softphone: register, call or answer, play a tone, record, print events
    Phone(Box<phone::Args>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let logging = init_logging(
        cli.log_level.as_deref(),
        matches!(cli.command, Command::Serve(_)),
    );
    match run(cli, logging) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

fn run(cli: Cli, logging: Logging) -> anyhow::Result<()> {
    let data_dir = match cli.data {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    match cli.command {
        Command::Extension { command } => extension::run(command, &data_dir),
        Command::Trunk { command } => trunk::run(command, &data_dir),
        Command::Cdr { command } => cdr::run(command, &data_dir),
        Command::Backup { command } => backup::run(command, &data_dir),
        Command::Serve(args) => serve::run(args, data_dir, logging),
        Command::Phone(args) => phone::run(*args),
    }
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "switchboard")
        .map(|d| d.data_dir().to_path_buf())
        .context("cannot find the home folder; pass --data DIR")
}

/// The log filter in force, which `serve` may change while it runs (from the saved
/// settings at start, and from the Settings page).
pub(crate) struct Logging {
    filter: reload::Handle<EnvFilter, Registry>,
    /// `--log-level` or `RUST_LOG` chose the filter; the saved setting must not override it
    /// at start.
    pub(crate) explicit: bool,
}

impl Logging {
    /// Replaces the filter, e.g. with `info` or `engine=debug`.
    pub(crate) fn set(&self, filter: &str) -> Result<(), String> {
        let filter = EnvFilter::try_new(filter).map_err(|e| e.to_string())?;
        self.filter.reload(filter).map_err(|e| e.to_string())
    }
}

/// Logs go to stderr so that stdout stays clean for `--json`.
fn init_logging(level: Option<&str>, serving: bool) -> Logging {
    let default = if serving { "info" } else { "warn" };
    let chosen = match level {
        Some(l) => EnvFilter::try_new(l).ok(),
        None => EnvFilter::try_from_default_env().ok(),
    };
    let explicit = chosen.is_some();
    let (filter, handle) = reload::Layer::new(chosen.unwrap_or_else(|| EnvFilter::new(default)));
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .init();
    Logging {
        filter: handle,
        explicit,
    }
}

/// Refuses a `--log-level` that tracing cannot parse, so a typo is not silently ignored.
fn parse_log_filter(s: &str) -> Result<String, String> {
    EnvFilter::try_new(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.to_string())
}

/// Prints the error for a person and picks the exit status.
fn report(e: &anyhow::Error) -> ExitCode {
    match e.downcast_ref::<store::Error>() {
        Some(store::Error::Invalid(fields)) => {
            for f in &fields.0 {
                eprintln!("error: {}: {}", f.field, f.message);
            }
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        Some(store::Error::ExtensionNotFound(number)) => {
            eprintln!("error: number: no extension {number}");
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        _ if e.is::<backup::Damaged>() => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_DAMAGED)
        }
        _ if e.is::<InvalidInput>() => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        _ => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Input refused by the CLI itself, reported with exit status 2.
#[derive(Debug)]
struct InvalidInput(String);

impl std::fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidInput {}

/// Current time as unix seconds (a clock before 1970 counts as 1970).
fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
