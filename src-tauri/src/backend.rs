//! The PBX and the admin API, running in this process: the same `engine::start` and
//! `api::serve` as `switchboard serve`, with the window as one more client of the API. On a
//! PC that is only a phone (chosen on the first-run screen) the PBX is not started and the
//! API serves the phone alone (`api::serve_phone_only`): no SIP port is opened here. A new
//! install starts the same way until the first-run question is answered, so that a PC
//! meant to be only a phone never takes calls, even for a minute.

use std::io;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;

use crate::logging::Logging;
use crate::options::Options;

/// The digest realm `switchboard serve` and `switchboard extension add` use by default, so
/// extensions created by either work with the other.
const REALM: &str = "switchboard";

/// How long stopping waits after hanging up calls, for the BYEs' answers (on a LAN a
/// round trip is a few milliseconds; a lost first BYE is retransmitted after 500 ms).
const BYE_GRACE: std::time::Duration = std::time::Duration::from_millis(700);

/// How the backend starts, from the first-run choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// This PC runs the office phone system.
    Pbx,
    /// This PC is only a phone ("Connect to my office").
    PhoneOnly,
    /// A new install whose owner has not answered the first-run question yet: the API (on
    /// this computer only) serves the question; nothing takes calls.
    Unasked,
}

impl Mode {
    /// The saved choice. An install from before the question existed (no answer stored, but
    /// set up or with extensions) runs the phone system, as it always did.
    pub fn of(store: &store::Store) -> store::Result<Mode> {
        Ok(match store.chosen_phone_only()? {
            Some(true) => Mode::PhoneOnly,
            Some(false) => Mode::Pbx,
            None if store.setup_complete()? || !store.extensions()?.is_empty() => Mode::Pbx,
            None => Mode::Unasked,
        })
    }
}

/// What the window and the tray need from the running PBX.
pub struct Backend {
    /// `None` on a PC that is only a phone.
    engine: Option<engine::Engine>,
    api: api::ApiServer,
}

impl Backend {
    /// Starts the PBX, then the API on top of it. Command-line options win over the saved
    /// settings.
    pub async fn start(
        options: &Options,
        data_dir: &Path,
        logging: Logging,
    ) -> anyhow::Result<Backend> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
        // A restore staged in Settings → Backups is finished before the database is opened;
        // a damaged database is explained on the error page, never opened or repaired.
        if let Some(done) = store::apply_pending_restore(data_dir)? {
            tracing::warn!(backup = %done.backup, replaced = %done.replaced.display(), "backup restored");
        }
        store::check_database(data_dir)?;
        let (settings, mode) = store::Store::open(data_dir)
            .and_then(|s| Ok((s.settings()?, Mode::of(&s)?)))
            .with_context(|| format!("cannot read the settings in {}", data_dir.display()))?;
        if !logging.explicit {
            if let Err(e) = logging.set(settings.log_level.as_str()) {
                tracing::warn!(error = %e, "cannot apply the saved log level");
            }
        }
        let listen = if options.listen.is_empty() {
            settings.sip_listen.clone()
        } else {
            options.listen.clone()
        };
        let rtp_ports = options
            .rtp_ports
            .clone()
            .unwrap_or(settings.rtp_port_min..=settings.rtp_port_max);
        let config = engine::Config {
            data_dir: data_dir.to_path_buf(),
            listen,
            tls_listen: settings.sip_tls_listen.clone(),
            rtp_ports,
            realm: REALM.to_owned(),
        };
        match mode {
            Mode::Pbx => {}
            Mode::PhoneOnly => {
                tracing::info!("this PC is only a phone: the phone system is not started here");
                let api =
                    serve_api(options.http, settings.admin_bind, None, config, logging).await?;
                return Ok(Backend { engine: None, api });
            }
            Mode::Unasked => {
                tracing::info!("first run: asking what this PC is for before taking calls");
                // Only the window asks the question: never beyond this computer.
                let bind = loopback(options.http.unwrap_or(settings.admin_bind));
                let api =
                    serve_api(options.http.map(|_| bind), bind, None, config, logging).await?;
                return Ok(Backend { engine: None, api });
            }
        }
        let engine = engine::start(config.clone()).await?;
        let api = match serve_api(
            options.http,
            settings.admin_bind,
            Some(&engine),
            config,
            logging,
        )
        .await
        {
            Ok(api) => api,
            Err(e) => {
                engine.handle.shutdown().await;
                engine.wait().await;
                return Err(e);
            }
        };
        tracing::info!(url = %base_url(api.local_addr()), "admin pages");
        Ok(Backend {
            engine: Some(engine),
            api,
        })
    }

    /// Whether the PBX runs here (false on a PC that is only a phone).
    pub fn runs_pbx(&self) -> bool {
        self.engine.is_some()
    }

    /// Commands and events, in-process, for the tray and the incoming-call windows.
    pub fn api(&self) -> api::ApiHandle {
        self.api.handle()
    }

    /// Where the UI's platform layer sends its API requests.
    pub fn api_base_url(&self) -> String {
        base_url(self.api.local_addr())
    }

    /// Ends the calls in progress (BYE on both legs of an answered call, a ringing one
    /// stops ringing), stops taking requests, then lets the PBX sign its trunks out, save
    /// its state and close its sockets. The ports are free when this returns, so the other
    /// mode (or another program) can start at once.
    pub async fn stop(self) {
        if let Some(engine) = &self.engine {
            hang_up_all(&engine.handle).await;
        }
        self.api.shutdown().await;
        if let Some(engine) = self.engine {
            let sip = engine.handle.sip_addrs().to_vec();
            engine.handle.shutdown().await;
            engine.wait().await;
            ports_released(&sip).await;
        }
    }
}

/// Waits (briefly) until the stopped PBX's socket tasks have closed its SIP ports: they end
/// when the PBX does, but on their own tasks, a moment later.
async fn ports_released(addrs: &[SocketAddr]) {
    let free = |a: &SocketAddr| {
        std::net::UdpSocket::bind(a).is_ok() && std::net::TcpListener::bind(a).is_ok()
    };
    for _ in 0..100 {
        if addrs.iter().all(free) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tracing::warn!(
        ?addrs,
        "the SIP ports are still in use after the phone system stopped"
    );
}

/// Hangs up every live call, so that phones are not left in a call nobody relays.
async fn hang_up_all(engine: &engine::EngineHandle) {
    let Ok(calls) = engine.live_calls().await else {
        return;
    };
    let mut ended = 0;
    for call in calls {
        match engine.hang_up(&call.call_id).await {
            Ok(true) => {
                ended += 1;
                tracing::info!(call_id = %call.call_id, "call ended: the phone system stops");
            }
            Ok(false) => {}
            Err(_) => return,
        }
    }
    if ended > 0 {
        // The BYEs are on their way; give the phones' answers a moment to come back before
        // the sockets close (a lost BYE is retransmitted only while the PBX runs).
        tokio::time::sleep(BYE_GRACE).await;
    }
}

/// `addr` if it is on this computer, else the same port on 127.0.0.1.
fn loopback(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_loopback() {
        addr
    } else {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    }
}

/// Serves the API where asked. The saved address (127.0.0.1:8080 unless changed) may be
/// taken, e.g. by `switchboard serve` or another program; the window does not care which port
/// it talks to, so it falls back to a free port on this computer. An address given on the
/// command line is taken as meant and not replaced.
async fn serve_api(
    requested: Option<SocketAddr>,
    saved: SocketAddr,
    engine: Option<&engine::Engine>,
    config: engine::Config,
    logging: Logging,
) -> anyhow::Result<api::ApiServer> {
    let bind = requested.unwrap_or(saved);
    let api_config = |bind| {
        let logging = logging.clone();
        api::ApiConfig {
            bind,
            // The window has its own copy of the UI; this one is for a browser on this
            // computer (the same pages at the printed address).
            ui: api::UiAssets::Embedded,
            engine: config.clone(),
            log: Some(api::LogControl::new(move |level| {
                logging.set(level.as_str())
            })),
        }
    };
    let serve = |config| async move {
        match engine {
            Some(engine) => api::serve(config, engine.handle.clone()).await,
            None => api::serve_phone_only(config).await,
        }
    };
    match serve(api_config(bind)).await {
        Err(api::ApiError::Bind(_, e))
            if requested.is_none() && e.kind() == io::ErrorKind::AddrInUse =>
        {
            tracing::warn!(%bind, "the admin address is in use; serving on a free port on this computer instead");
            let fallback = SocketAddr::from(([127, 0, 0, 1], 0));
            Ok(serve(api_config(fallback)).await?)
        }
        other => Ok(other?),
    }
}

fn base_url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// The sentence the startup-error page shows: what happened and what to do about it.
pub fn explain(e: &anyhow::Error) -> String {
    if let Some(damaged @ store::Error::Damaged { path, .. }) = e.downcast_ref::<store::Error>() {
        return explain_damaged(damaged, path);
    }
    if let Some(engine::EngineError::Bind(addr, io)) = e.downcast_ref::<engine::EngineError>() {
        if io.kind() == io::ErrorKind::AddrInUse {
            return format!(
                "Another program is already taking phone calls on port {} — most likely \
                 Switchboard itself, running as a service (switchboard serve) or for another \
                 user. Stop that one and start the app again, or open its admin pages in a \
                 browser instead.",
                addr.port()
            );
        }
        return format!(
            "It cannot listen for phones on {addr}: {io}. Check the SIP address in the \
             settings, or start the app with --listen ADDR."
        );
    }
    format!("{e:#}.")
}

/// A damaged database: which file, the newest backup, and how to put it back.
fn explain_damaged(e: &store::Error, path: &Path) -> String {
    let data_dir = path.parent().unwrap_or(Path::new("."));
    // The database holds the chosen backup folder but cannot be trusted now: look in the
    // default one.
    let root = store::BackupSchedule::default().root(data_dir);
    let newest = store::list_backups(&root)
        .ok()
        .and_then(|b| b.into_iter().next());
    let what = format!("{e}. Nothing was changed or deleted.");
    match newest {
        Some(b) => format!(
            "{what} The newest backup is {} in {}. To put it back (the damaged file is kept \
             in a \"replaced-…\" folder), press Restore this backup, or quit the app, run: \
             switchboard --data \"{}\" backup restore {} --now — then start the app again.",
            b.name,
            root.display(),
            data_dir.display(),
            b.name
        ),
        None => format!(
            "{what} There is no backup in {}. Keep a copy of the file; the sqlite3 tool's \
             .recover command may save most of it.",
            root.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_database_is_explained_with_the_newest_backup() {
        let data = std::env::temp_dir().join(format!("switchboard-damaged-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        store::Store::open(&data).expect("open");
        let root = data.join(store::BACKUPS_DIR);
        let backup =
            store::create_backup(&data, &root, store::BackupTrigger::Manual, 1_800_000_000)
                .expect("backup");
        let e = anyhow::Error::from(store::Error::Damaged {
            path: data.join(store::DB_FILE_NAME),
            detail: "database disk image is malformed".to_owned(),
        });
        let text = explain(&e);
        let _ = std::fs::remove_dir_all(&data);
        assert!(text.contains("switchboard.db is damaged"), "{text}");
        assert!(
            text.contains(&format!("backup restore {} --now", backup.name)),
            "{text}"
        );
    }

    #[test]
    fn a_taken_sip_port_is_explained_in_words() {
        let e = anyhow::Error::from(engine::EngineError::Bind(
            SocketAddr::from(([0, 0, 0, 0], 5060)),
            io::Error::from(io::ErrorKind::AddrInUse),
        ));
        let text = explain(&e);
        assert!(text.contains("port 5060"), "{text}");
        assert!(text.contains("Stop that one"), "{text}");
    }

    #[test]
    fn the_ui_gets_a_plain_http_origin() {
        assert_eq!(
            base_url(SocketAddr::from(([127, 0, 0, 1], 8080))),
            "http://127.0.0.1:8080"
        );
    }
}
