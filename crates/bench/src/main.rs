//! `switchboard-bench`: load a running `switchboard serve` and print what it sustained.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use switchboard_bench::caller::Pacing;
use switchboard_bench::{calls, extensions, register, relay};

mod print;

#[derive(Parser)]
#[command(
    name = "switchboard-bench",
    about = "Load tool for a running switchboard: REGISTER/s, calls/s and relayed RTP"
)]
struct Cli {
    /// Worker threads for the simulated phones (1 runs them on one thread, leaving the
    /// other cores to the PBX)
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Common {
    /// The PBX's SIP address (UDP)
    #[arg(long, default_value = "127.0.0.1:5060")]
    server: SocketAddr,
    /// Extensions as printed by `switchboard extension add --json` (JSON lines or array)
    #[arg(long, value_name = "FILE")]
    extensions: PathBuf,
    /// Simulated phones per UDP socket
    #[arg(long, default_value_t = 250)]
    phones_per_socket: usize,
    /// Seconds before an unanswered request counts as failed
    #[arg(long, default_value_t = 8.0)]
    timeout: f64,
    /// The daemon's pid, to report its CPU use during the run
    #[arg(long)]
    server_pid: Option<u32>,
}

#[derive(Subcommand)]
enum Command {
    /// Phones registering and refreshing with digest auth as fast as the PBX answers
    Register {
        #[command(flatten)]
        common: Common,
        /// Seconds to run
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// REGISTERs outstanding at once
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        /// Expires asked for
        #[arg(long, default_value_t = 3600)]
        expires: u32,
    },
    /// Calls INVITE (auth) → 200 → ACK → BYE between extensions, through the B2BUA
    Calls {
        #[command(flatten)]
        common: Common,
        /// Seconds during which new calls start
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// New calls per second (open loop)
        #[arg(long, conflicts_with = "concurrency")]
        rate: Option<f64>,
        /// Calls in progress at once (closed loop)
        #[arg(long)]
        concurrency: Option<usize>,
        /// Extensions (the first in the file) that answer; the rest call
        #[arg(long, default_value_t = 1)]
        callees: usize,
        /// Milliseconds an answered call lasts before the BYE
        #[arg(long, default_value_t = 0)]
        hold_ms: u64,
        /// Send INVITEs without SDP (no media relay is set up)
        #[arg(long)]
        no_sdp: bool,
        /// Answer with 180 Ringing before the 200
        #[arg(long)]
        ringing: bool,
    },
    /// Concurrent answered calls exchanging G.711 RTP through the PBX's relay
    Relay {
        #[command(flatten)]
        common: Common,
        /// Calls at once
        #[arg(long, default_value_t = 1500)]
        calls: usize,
        /// Seconds of audio
        #[arg(long, default_value_t = 30.0)]
        duration: f64,
        /// Calls set up per second before the audio starts
        #[arg(long, default_value_t = 300.0)]
        setup_rate: f64,
        /// Calls whose audio shares one socket on each side
        #[arg(long, default_value_t = 25)]
        streams_per_socket: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = if cli.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()?
    };
    runtime.block_on(run(cli.command))
}

fn seconds(s: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(s).context("bad number of seconds")
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Register {
            common,
            duration,
            concurrency,
            expires,
        } => {
            let load = register::RegisterLoad {
                server: common.server,
                extensions: extensions::load(&common.extensions)?,
                duration: seconds(duration)?,
                concurrency,
                phones_per_socket: common.phones_per_socket,
                expires,
                timeout: seconds(common.timeout)?,
                server_pid: common.server_pid,
            };
            let report = register::run(load).await?;
            print::register(&report);
        }
        Command::Calls {
            common,
            duration,
            rate,
            concurrency,
            callees,
            hold_ms,
            no_sdp,
            ringing,
        } => {
            let pacing = match (rate, concurrency) {
                (Some(r), None) if r > 0.0 => Pacing::Rate(r),
                (None, Some(n)) if n > 0 => Pacing::Window(n),
                (None, None) => Pacing::Window(100),
                _ => bail!("give a positive --rate or --concurrency"),
            };
            let load = calls::CallLoad {
                server: common.server,
                extensions: extensions::load(&common.extensions)?,
                callees,
                pacing,
                duration: seconds(duration)?,
                hold: Duration::from_millis(hold_ms),
                sdp: !no_sdp,
                ringing,
                phones_per_socket: common.phones_per_socket,
                timeout: seconds(common.timeout)?,
                server_pid: common.server_pid,
            };
            let report = calls::run(load).await?;
            print::calls(&report);
        }
        Command::Relay {
            common,
            calls,
            duration,
            setup_rate,
            streams_per_socket,
        } => {
            let load = relay::RelayLoad {
                server: common.server,
                extensions: extensions::load(&common.extensions)?,
                calls,
                duration: seconds(duration)?,
                setup_rate,
                streams_per_socket,
                phones_per_socket: common.phones_per_socket,
                timeout: seconds(common.timeout)?,
                server_pid: common.server_pid,
            };
            let report = relay::run(load).await?;
            print::relay(&report);
        }
    }
    Ok(())
}
