//! Starting and stopping the API server.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::command::Ctx;
use crate::error::ErrorBody;
use crate::events::Event;
use crate::http::{self, Shared};
use crate::phone_host::PhoneHost;
use crate::ui::UiAssets;
use crate::{events, registry, ApiError};

/// How many events a slow connection may fall behind before it is told to re-read.
const EVENT_BUFFER: usize = 1024;

/// Changes how much the program logs, while it runs. The program that set up logging
/// makes one (e.g. around a `tracing_subscriber::reload` handle); `save_settings` calls it.
#[derive(Clone)]
pub struct LogControl(pub(crate) Arc<dyn Fn(store::LogLevel) -> Result<(), String> + Send + Sync>);

impl LogControl {
    pub fn new(
        set: impl Fn(store::LogLevel) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        LogControl(Arc::new(set))
    }
}

impl fmt::Debug for LogControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LogControl")
    }
}

/// What [`serve`] needs.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Where to serve (port 0 picks a free port). Beyond this computer only once an owner
    /// login is set; requests from other computers then need a login.
    pub bind: SocketAddr,
    pub ui: UiAssets,
    /// The configuration the PBX was started with: its data folder, realm and addresses.
    pub engine: engine::Config,
    /// Lets `save_settings` change the log level at once; without it the level applies at
    /// the next start.
    pub log: Option<LogControl>,
}

impl ApiConfig {
    /// Serves the built-in UI, without live log-level changes.
    pub fn new(bind: SocketAddr, engine: engine::Config) -> ApiConfig {
        ApiConfig {
            bind,
            ui: UiAssets::Embedded,
            engine,
            log: None,
        }
    }
}

/// Whether `addr` is on this computer, where the admin pages need no login. Elsewhere they
/// may be served only once an owner login exists (anyone who reaches them could change the
/// phone system).
pub fn admin_bind_allowed(addr: SocketAddr) -> bool {
    addr.ip().to_canonical().is_loopback()
}

/// Refuses an admin address that can never serve the admin pages. Any address may: one
/// beyond this computer needs an owner login in the database, which [`serve`] checks (it
/// refuses with [`ApiError::NotLoopback`] until the owner has set one).
pub fn check_admin_bind(_addr: SocketAddr) -> Result<(), ApiError> {
    Ok(())
}

/// The running API server.
pub struct ApiServer {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    forwarder: JoinHandle<()>,
    phone: Arc<PhoneHost>,
}

impl ApiServer {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Moves the login clock forward (sessions expire after eight idle hours, lockouts
    /// after fifteen minutes), so tests need not wait.
    #[doc(hidden)]
    pub fn advance_login_clock(&self, by: std::time::Duration) {
        self.shared.ctx.auth.advance_clock(by);
    }

    /// The address to open in a browser, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Runs a command in-process, as HTTP and the WebSocket do: for a third transport such
    /// as a desktop window's native command bridge.
    pub async fn call(
        &self,
        command: &str,
        request: serde_json::Value,
    ) -> Result<serde_json::Value, ErrorBody> {
        registry::dispatch(&self.shared.ctx, command, request)
            .await
            .map_err(|e| e.body())
    }

    /// The events every WebSocket receives, for in-process listeners (e.g. a desktop
    /// notification when a call rings).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.shared.ctx.events.subscribe()
    }

    /// Runs commands and hears events in-process, for as long as the holder likes (the
    /// desktop app's tray and incoming-call window).
    pub fn handle(&self) -> ApiHandle {
        ApiHandle(Arc::clone(&self.shared))
    }

    /// Stops accepting, closes the WebSockets, and waits for requests in progress.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        match self.server.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "the API server stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "the API server task failed"),
        }
        self.forwarder.abort();
        self.phone.stop().await;
    }
}

/// A cloneable way into a running API server: [`ApiServer::call`] and
/// [`ApiServer::subscribe`] without owning the server.
#[derive(Clone)]
pub struct ApiHandle(Arc<Shared>);

impl ApiHandle {
    pub async fn call(
        &self,
        command: &str,
        request: serde_json::Value,
    ) -> Result<serde_json::Value, ErrorBody> {
        registry::dispatch(&self.0.ctx, command, request)
            .await
            .map_err(|e| e.body())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.ctx.events.subscribe()
    }
}

/// Starts serving the API (and the UI) for the PBX behind `engine`. Must be called within a
/// tokio runtime. Refuses a `bind` address beyond this computer.
pub async fn serve(config: ApiConfig, engine: engine::EngineHandle) -> Result<ApiServer, ApiError> {
    start(config, engine, false).await
}

/// Serves the API without a PBX, for a PC that is only a phone connecting to an office
/// elsewhere: the phone's commands work, the PBX's answer 409 ("this PC connects to an
/// office"), and no SIP or audio port is opened here.
pub async fn serve_phone_only(config: ApiConfig) -> Result<ApiServer, ApiError> {
    start(config, engine::EngineHandle::not_running(), true).await
}

async fn start(
    config: ApiConfig,
    engine: engine::EngineHandle,
    phone_only: bool,
) -> Result<ApiServer, ApiError> {
    check_admin_bind(config.bind)?;
    let data_dir = config.engine.data_dir.clone();
    let store = tokio::task::spawn_blocking(move || store::Store::open(&data_dir))
        .await
        .map_err(|e| ApiError::Internal(format!("opening the database failed: {e}")))??;
    // Beyond this computer every request needs a login, so there must be one to use.
    if !admin_bind_allowed(config.bind) && store.owner_login()?.is_none() {
        return Err(ApiError::NotLoopback(config.bind));
    }
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|e| ApiError::Bind(config.bind, e))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| ApiError::Bind(config.bind, e))?;

    let (events_tx, _) = broadcast::channel(EVENT_BUFFER);
    let forwarder = tokio::spawn(events::forward(engine.subscribe(), events_tx.clone()));
    let (stop, stopping) = watch::channel(false);
    let (account, devices) = (store.phone_account()?, store.phone_audio()?);
    let sound = store.phone_sound()?;
    let phone = Arc::new(PhoneHost::new(events_tx.clone(), devices, &sound));
    phone.restart(account.as_ref()).await;
    let mut ctx = Ctx::new(
        store,
        engine,
        config.engine,
        config.bind,
        events_tx,
        config.log,
        Arc::clone(&phone),
    );
    ctx.phone_only = phone_only;
    let ctx = crate::provision_server::attach(ctx).await;
    let shared = Arc::new(Shared {
        ctx,
        ui: config.ui,
        stopping: stopping.clone(),
    });
    tokio::spawn(crate::commands::backup::run_schedule(
        shared.ctx.data_dir().to_path_buf(),
        stopping.clone(),
    ));
    let router = http::router(Arc::clone(&shared));
    let mut stopped = stopping;
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .await
    });
    tracing::info!(url = %format!("http://{local_addr}"), "admin API and pages served");
    Ok(ApiServer {
        local_addr,
        shared,
        stop,
        server,
        forwarder,
        phone,
    })
}
