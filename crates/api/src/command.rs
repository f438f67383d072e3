//! What a command is, and what it runs with.
//!
//! A command is its request type: a serde + `TS` struct that implements [`Command`], naming
//! the command and its response type and saying what it does. The registry
//! (`registry.rs`) lists them once; both transports and the TypeScript export read that list.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::events::Event;
use crate::phone_host::PhoneHost;
use crate::server::LogControl;
use crate::ApiError;

/// One API command. `Self` is the request.
pub trait Command: DeserializeOwned + TS + Send + 'static {
    /// The command's name on the wire, snake_case (`add_extension`).
    const NAME: &'static str;
    type Response: Serialize + TS + Send;

    fn run(self, ctx: &Ctx) -> impl Future<Output = Result<Self::Response, ApiError>> + Send;
}

/// Everything a command may use. Shared by all connections.
pub struct Ctx {
    store: Arc<Mutex<store::Store>>,
    pub(crate) engine: engine::EngineHandle,
    /// How the running PBX was started: its realm for new passwords, and its addresses to
    /// tell which saved settings wait for a restart.
    pub(crate) engine_config: engine::Config,
    /// The address the API was asked to serve on.
    pub(crate) bind: SocketAddr,
    pub(crate) events: broadcast::Sender<Event>,
    pub(crate) log: Option<LogControl>,
    /// The app's own softphone.
    pub(crate) phone: Arc<PhoneHost>,
    /// Where remote apps redeem setup links; `None` when it could not start (or no PBX).
    pub(crate) provisioning: Option<crate::provision_server::ProvisionListener>,
    /// Started without a PBX (this PC is only a phone): PBX commands answer 409.
    pub(crate) phone_only: bool,
    /// Logins from the office network: sessions and failed-login counts.
    pub(crate) auth: Arc<crate::auth::Auth>,
}

impl Ctx {
    pub(crate) fn new(
        store: store::Store,
        engine: engine::EngineHandle,
        engine_config: engine::Config,
        bind: SocketAddr,
        events: broadcast::Sender<Event>,
        log: Option<LogControl>,
        phone: Arc<PhoneHost>,
    ) -> Ctx {
        let store = Arc::new(Mutex::new(store));
        phone.attach_store(Arc::clone(&store));
        let auth = Arc::new(crate::auth::Auth::new(Arc::clone(&store)));
        Ctx {
            store,
            engine,
            engine_config,
            bind,
            events,
            log,
            phone,
            provisioning: None,
            phone_only: false,
            auth,
        }
    }

    /// Runs `f` on the database off the async threads: a write waits for an fsync.
    pub(crate) async fn store<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&store::Store) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half-done SQLite transaction
            // behind (it rolls back on drop), so a poisoned lock is still safe to use.
            let guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&guard)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("database task failed: {e}")))?
    }

    pub(crate) fn data_dir(&self) -> &Path {
        &self.engine_config.data_dir
    }

    /// Tells every connected screen. Nobody listening is fine.
    pub(crate) fn publish(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// Makes the PBX route by the saved dial plan now (it would otherwise notice within a
    /// second), then tells every screen. A stopped PBX reads the plan when it starts.
    pub(crate) async fn dial_plan_changed(&self, what: String) {
        if let Err(e) = self.engine.reload_extensions().await {
            tracing::warn!(error = %e, "saved the dial plan change; the PBX will read it when it runs");
        }
        self.publish(Event::DialPlanChanged { what });
    }
}

/// Current time as unix seconds (a clock before 1970 counts as 1970).
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
