//! `switchboard serve`: run the PBX and the admin pages until Ctrl-C or SIGTERM.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::PathBuf;

use anyhow::Context;

use crate::extension::DEFAULT_REALM;
use crate::{lan_address, InvalidInput, Logging};

#[derive(clap::Args)]
pub struct Args {
    /// Address to take SIP on, over UDP and TCP; repeat for several [default: the saved
    /// setting, else 0.0.0.0:5060 and [::]:5060]
    #[arg(long = "listen", value_name = "ADDR")]
    listen: Vec<SocketAddr>,
    /// Address to take SIP over TLS on (usually port 5061); repeat for several [default:
    /// the saved setting, else none]
    #[arg(long = "tls-listen", value_name = "ADDR")]
    tls_listen: Vec<SocketAddr>,
    /// UDP ports for relayed audio, LO-HI (each call takes two) [default: the saved
    /// setting, else 10000-19999]
    #[arg(long, value_name = "LO-HI", value_parser = parse_port_range)]
    rtp_ports: Option<RangeInclusive<u16>>,
    /// Where to serve the admin pages and API; this computer only (127.0.0.1 or ::1)
    /// [default: the saved setting, else 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Digest realm presented to phones; extensions must be created with the same one
    #[arg(long, default_value = DEFAULT_REALM)]
    realm: String,
    /// Hide phone numbers, names and addresses in the log
    #[arg(long)]
    redact_logs: bool,
    /// Only the phone and its API, no PBX (no SIP port is opened) [default: the choice saved
    /// on the first-run screen, "Connect to my office"]
    #[arg(long)]
    phone_only: bool,
}

/// `LO-HI` with LO ≤ HI and room for at least one call (two ports).
fn parse_port_range(s: &str) -> Result<RangeInclusive<u16>, String> {
    let (lo, hi) = s
        .split_once('-')
        .ok_or_else(|| "expected LO-HI, e.g. 10000-19999".to_owned())?;
    let lo: u16 = lo.trim().parse().map_err(|_| format!("bad port {lo:?}"))?;
    let hi: u16 = hi.trim().parse().map_err(|_| format!("bad port {hi:?}"))?;
    if lo == 0 || hi <= lo {
        return Err("need 1 <= LO < HI".to_owned());
    }
    Ok(lo..=hi)
}

pub fn run(args: Args, data_dir: PathBuf, logging: Logging) -> anyhow::Result<()> {
    // A restore staged from the admin pages or the CLI is finished before anything opens
    // the database; a damaged database is explained instead of opened.
    crate::backup::check_at_start(&data_dir)?;
    // The saved settings fill in whatever the command line leaves out.
    let store = crate::extension::open(&data_dir)?;
    let saved = store.settings().context("cannot read the saved settings")?;
    let phone_only = args.phone_only
        || store
            .phone_only()
            .context("cannot read the saved settings")?;
    drop(store);
    if !logging.explicit {
        if let Err(e) = logging.set(saved.log_level.as_str()) {
            tracing::warn!(error = %e, "cannot apply the saved log level");
        }
    }
    let http = Admin {
        addr: args.http.unwrap_or(saved.admin_bind),
        explicit: args.http.is_some(),
    };
    api::check_admin_bind(http.addr).map_err(|e| {
        let from = if http.explicit {
            "http"
        } else {
            "saved admin_bind setting"
        };
        InvalidInput(format!("{from}: {e}"))
    })?;
    let config = engine::Config {
        data_dir,
        listen: if args.listen.is_empty() {
            saved.sip_listen
        } else {
            args.listen
        },
        tls_listen: if args.tls_listen.is_empty() {
            saved.sip_tls_listen
        } else {
            args.tls_listen
        },
        rtp_ports: args
            .rtp_ports
            .unwrap_or(saved.rtp_port_min..=saved.rtp_port_max),
        realm: args.realm,
    };
    engine::redact_personal_data(args.redact_logs);
    raise_open_file_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = if phone_only {
        runtime.block_on(serve_phone_only(config, http, logging))
    } else {
        runtime.block_on(serve(config, http, logging))
    };
    // A trunk host name lookup still waiting on DNS (on a blocking thread) must not hold
    // up the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// Where the admin pages go, and whether the command line chose it.
#[derive(Clone, Copy)]
struct Admin {
    addr: SocketAddr,
    explicit: bool,
}

/// Starts the PBX, then the admin pages over it; stops both on a signal (or when the PBX
/// stops by itself).
async fn serve(config: engine::Config, http: Admin, logging: Logging) -> anyhow::Result<()> {
    let shutdown = shutdown_signal()?;
    let engine = engine::start(config.clone()).await?;
    let handle = engine.handle.clone();
    print_welcome(&config, handle.sip_addrs());
    print_tls(&config, engine.tls_addrs());
    let api_config = api::ApiConfig {
        bind: http.addr,
        ui: api::UiAssets::Embedded,
        engine: config,
        log: Some(api::LogControl::new(move |level| {
            logging.set(level.as_str())
        })),
    };
    let api = match api::serve(api_config, handle.clone()).await {
        Ok(api) => Some(api),
        // The default address taken (most likely by another Switchboard) must not keep
        // the phones from working: run without the admin pages and say how to get them.
        Err(api::ApiError::Bind(addr, e)) if !http.explicit => {
            tracing::warn!(%addr, error = %e, "cannot serve the admin pages");
            println!(
                "The admin pages are not available: {addr} is in use ({e}). \
                 Start with --http 127.0.0.1:PORT to serve them on another port."
            );
            None
        }
        Err(e) => {
            handle.shutdown().await;
            engine.wait().await;
            // An address beyond this computer without an owner login is the user's input
            // to fix, not a failure of ours.
            if let api::ApiError::NotLoopback(_) = e {
                let from = if http.explicit {
                    "http"
                } else {
                    "saved admin_bind setting"
                };
                return Err(InvalidInput(format!("{from}: {e}")).into());
            }
            return Err(e.into());
        }
    };
    if let Some(api) = &api {
        println!("Open {} in a browser", api.url());
        if !api::ui_built() {
            println!(
                "(This build has no web UI; build it with `{}`, then build Switchboard again.)",
                api::UI_BUILD_COMMAND
            );
        }
    }
    let mut stopped = std::pin::pin!(engine.wait());
    let signalled = tokio::select! {
        () = shutdown => true,
        () = &mut stopped => false,
    };
    if let Some(api) = api {
        api.shutdown().await;
    }
    if signalled {
        handle.shutdown().await;
        stopped.await;
        Ok(())
    } else {
        anyhow::bail!("the PBX stopped unexpectedly; see the log above")
    }
}

/// A PC that is only a phone: the API (for the Phone page) without a PBX, until a signal.
async fn serve_phone_only(
    config: engine::Config,
    http: Admin,
    logging: Logging,
) -> anyhow::Result<()> {
    let shutdown = shutdown_signal()?;
    let api_config = api::ApiConfig {
        bind: http.addr,
        ui: api::UiAssets::Embedded,
        engine: config,
        log: Some(api::LogControl::new(move |level| {
            logging.set(level.as_str())
        })),
    };
    let api = api::serve_phone_only(api_config).await?;
    println!(
        "This PC connects to an office: the phone system is not started here. \
         Open {} in a browser for the phone.",
        api.url()
    );
    shutdown.await;
    api.shutdown().await;
    Ok(())
}

/// Three lines for the person who just started it: where it listens, how to add an
/// extension, how to point a phone at it.
fn print_welcome(config: &engine::Config, bound: &[SocketAddr]) {
    let listen: Vec<String> = bound.iter().map(ToString::to_string).collect();
    println!(
        "Switchboard is listening for SIP on {} (UDP and TCP), audio on UDP ports {}-{}, realm \"{}\".",
        listen.join(", "),
        config.rtp_ports.start(),
        config.rtp_ports.end(),
        config.realm
    );
    let realm = if config.realm == DEFAULT_REALM {
        String::new()
    } else {
        format!(" --realm \"{}\"", config.realm)
    };
    println!(
        "Add an extension: switchboard --data \"{}\" extension add 201 --name \"Alice Smith\"{realm}",
        config.data_dir.display()
    );
    println!(
        "Register a phone: SIP server {}, user name = the extension number, password = the one `extension add` printed.",
        phone_server(bound)
    );
}

/// Where TLS is served and the fingerprint phones pin the certificate by.
fn print_tls(config: &engine::Config, bound: &[SocketAddr]) {
    if bound.is_empty() {
        return;
    }
    let listen: Vec<String> = bound.iter().map(ToString::to_string).collect();
    match engine::tls_cert::load_or_create(&config.data_dir) {
        Ok(id) => println!(
            "SIP over TLS on {}; certificate fingerprint (SHA-256) {}",
            listen.join(", "),
            id.fingerprint()
        ),
        Err(e) => println!("SIP over TLS on {} (certificate: {e})", listen.join(", ")),
    }
}

/// What to type into a phone as server: the first listen address, with a wildcard replaced by
/// this computer's LAN address.
fn phone_server(listen: &[SocketAddr]) -> String {
    let Some(first) = listen.first() else {
        return "<this computer's IP address>".to_owned();
    };
    let ip: Option<IpAddr> = if first.ip().is_unspecified() {
        lan_address::guess()
    } else {
        Some(first.ip())
    };
    match ip {
        Some(ip) => SocketAddr::new(ip, first.port()).to_string(),
        None => format!("<this computer's IP address>:{}", first.port()),
    }
}

/// Resolves on Ctrl-C, or on SIGTERM (what service managers send) on Unix. The handlers
/// are installed when this is called, not when the future is first polled, so a signal
/// that arrives while the PBX is still starting is not lost (nor fatal).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = interrupt.recv() => {}
            }
            tracing::info!("shutting down");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::error!(error = %e, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
            tracing::info!("shutting down");
        })
    }
}

/// Each relayed call holds four UDP sockets (RTP and RTCP on both sides), so a busy PBX
/// needs far more descriptors than the usual soft limit of 1,024. Raising the soft limit
/// up to the hard limit needs no privilege.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < 8192 => tracing::warn!(
            limit,
            "the open-file limit is low; the PBX can relay about {} calls at once",
            limit / 4
        ),
        Ok(limit) => tracing::debug!(limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges() {
        assert_eq!(parse_port_range("10000-19999"), Ok(10000..=19999));
        assert!(parse_port_range("10000").is_err());
        assert!(parse_port_range("20000-10000").is_err());
        assert!(parse_port_range("0-100").is_err());
        assert!(parse_port_range("1-70000").is_err());
    }
}
