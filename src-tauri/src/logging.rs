//! Logging to stderr with a filter that the admin screens can change while the app runs
//! (the "log level" setting applies at once).

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

/// Changes the log filter of the running app.
#[derive(Clone)]
pub struct Logging {
    filter: reload::Handle<EnvFilter, Registry>,
    /// `--log-level` or `RUST_LOG` chose the filter, so the saved setting must not replace
    /// it at start.
    pub explicit: bool,
}

impl Logging {
    /// Replaces the filter, e.g. with `info` or `engine=debug`.
    pub fn set(&self, filter: &str) -> Result<(), String> {
        let filter = EnvFilter::try_new(filter).map_err(|e| e.to_string())?;
        self.filter.reload(filter).map_err(|e| e.to_string())
    }
}

/// Starts logging with `--log-level` if given, else `$RUST_LOG`, else `info` until the
/// saved setting is read.
pub fn init(level: Option<&str>) -> Logging {
    let chosen = match level {
        Some(l) => EnvFilter::try_new(l).ok(),
        None => EnvFilter::try_from_default_env().ok(),
    };
    let explicit = chosen.is_some();
    let (filter, handle) = reload::Layer::new(chosen.unwrap_or_else(|| EnvFilter::new("info")));
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .init();
    Logging {
        filter: handle,
        explicit,
    }
}
