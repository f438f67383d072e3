//! `get_settings` and `save_settings`. The log level applies at once; addresses and ports
//! are read when the program starts, so the answer lists the saved settings that wait for
//! a restart.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{now_unix, Command, Ctx};
use crate::server::admin_bind_allowed;
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetSettingsRequest {}

/// The settings the owner can change. Also the request of `save_settings`, which saves all
/// of them or, when any field is refused, none.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Addresses to take SIP on, like `0.0.0.0:5060` (every IPv4 interface) or
    /// `[::]:5060`. Each is served over UDP and TCP; one written `tls:0.0.0.0:5061` is
    /// served over SIP over TLS instead.
    pub sip_listen: Vec<String>,
    /// The UDP ports relayed audio may use; each call takes two.
    pub rtp_port_min: u16,
    pub rtp_port_max: u16,
    /// Applies at once.
    pub log_level: LogLevel,
    /// Where the admin pages and this API are served. Beyond this computer (127.0.0.1 or
    /// ::1) only once an owner login is set; other computers must then log in.
    pub admin_bind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// The settings, what cannot be changed here, and what waits for a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SettingsResponse {
    pub settings: Settings,
    /// Where the database and audio files are (read-only: chosen when the program starts).
    pub data_folder: String,
    /// Each SIP address is served over these (read-only).
    pub sip_transports: Vec<crate::types::Transport>,
    /// SHA-256 fingerprint (`AB:CD:…`) of the certificate SIP over TLS presents, for
    /// phones to pin; `None` when TLS is off or the certificate cannot be read.
    pub tls_fingerprint: Option<String>,
    /// The owner's own certificate is installed (else the PBX's generated one is used).
    pub tls_own_certificate: bool,
    /// Saved settings the running program does not use yet, by field name; they apply
    /// when Switchboard is restarted.
    pub restart_required: Vec<String>,
}

impl Command for GetSettingsRequest {
    const NAME: &'static str = "get_settings";
    type Response = SettingsResponse;

    async fn run(self, ctx: &Ctx) -> Result<SettingsResponse, ApiError> {
        let saved = ctx.store(|s| Ok(s.settings()?)).await?;
        Ok(response(ctx, &saved))
    }
}

impl Command for Settings {
    const NAME: &'static str = "save_settings";
    type Response = SettingsResponse;

    async fn run(self, ctx: &Ctx) -> Result<SettingsResponse, ApiError> {
        let owner_login = ctx.store(|s| Ok(s.owner_login()?.is_some())).await?;
        let settings = self.validate(owner_login)?;
        let to_save = settings.clone();
        ctx.store(move |s| Ok(s.save_settings(&to_save, now_unix())?))
            .await?;
        if let Some(log) = &ctx.log {
            if let Err(e) = (log.0)(settings.log_level) {
                tracing::warn!(error = %e, "could not change the log level");
            }
        }
        tracing::info!(log_level = %settings.log_level, "settings saved");
        Ok(response(ctx, &settings))
    }
}

impl Settings {
    /// Parses and checks every field, reporting all refused fields at once.
    /// Beyond this computer the admin pages need a login, so an owner login must exist
    /// (`owner_login`) before they may be served there.
    fn validate(self, owner_login: bool) -> Result<store::Settings, ApiError> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut listen = Vec::new();
        let mut tls_listen = Vec::new();
        for a in &self.sip_listen {
            let (list, text) = match strip_tls(a.trim()) {
                Some(rest) => (&mut tls_listen, rest),
                None => (&mut listen, a.trim()),
            };
            match text.parse::<SocketAddr>() {
                Ok(addr) => list.push(addr),
                Err(_) => {
                    errors.push((
                        "sip_listen".to_owned(),
                        format!("{a:?} is not an address and port like 0.0.0.0:5060"),
                    ));
                    break;
                }
            }
        }
        let admin_bind = match self.admin_bind.trim().parse::<SocketAddr>() {
            Ok(addr) if !admin_bind_allowed(addr) && !owner_login => {
                errors.push((
                    "admin_bind".to_owned(),
                    "must be on this computer (127.0.0.1 or ::1) until an owner login is set \
                     (Admin access, below)"
                        .to_owned(),
                ));
                None
            }
            Ok(addr) => Some(addr),
            Err(_) => {
                errors.push((
                    "admin_bind".to_owned(),
                    "must be an address and port like 127.0.0.1:8080".to_owned(),
                ));
                None
            }
        };
        let settings = store::Settings {
            sip_listen: listen,
            sip_tls_listen: tls_listen,
            rtp_port_min: self.rtp_port_min,
            rtp_port_max: self.rtp_port_max,
            log_level: self.log_level.into(),
            admin_bind: admin_bind.unwrap_or_else(|| store::Settings::default().admin_bind),
        };
        // The store's own checks, for the fields that parsed; one error per field.
        for e in settings.check() {
            if !errors.iter().any(|(f, _)| f == e.field) {
                errors.push((e.field.to_owned(), e.message));
            }
        }
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(ApiError::fields(errors))
        }
    }
}

fn response(ctx: &Ctx, saved: &store::Settings) -> SettingsResponse {
    let running = &ctx.engine_config;
    let mut restart_required = Vec::new();
    if saved.sip_listen != running.listen || saved.sip_tls_listen != running.tls_listen {
        restart_required.push("sip_listen".to_owned());
    }
    if saved.rtp_port_min != *running.rtp_ports.start() {
        restart_required.push("rtp_port_min".to_owned());
    }
    if saved.rtp_port_max != *running.rtp_ports.end() {
        restart_required.push("rtp_port_max".to_owned());
    }
    if saved.admin_bind != ctx.bind {
        restart_required.push("admin_bind".to_owned());
    }
    SettingsResponse {
        settings: Settings::from(saved),
        data_folder: ctx.data_dir().display().to_string(),
        sip_transports: vec![crate::types::Transport::Udp, crate::types::Transport::Tcp],
        tls_fingerprint: tls_fingerprint(ctx, saved),
        tls_own_certificate: own_certificate(ctx),
        restart_required,
    }
}

/// Whether the owner's certificate is the one in use (read from the data folder).
fn own_certificate(ctx: &Ctx) -> bool {
    engine::tls_cert::has_own(ctx.data_dir())
}

/// Installs the owner's certificate and key (PEM) for SIP over TLS in place of the
/// generated one. Checked first (the key must fit the certificate); used from the next
/// start.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetTlsCertificateRequest {
    /// The certificate, then any intermediate certificates, in PEM.
    pub certificate_pem: String,
    /// Its private key in PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
}

impl Command for SetTlsCertificateRequest {
    const NAME: &'static str = "set_tls_certificate";
    type Response = SettingsResponse;

    async fn run(self, ctx: &Ctx) -> Result<SettingsResponse, ApiError> {
        let dir = ctx.data_dir().to_path_buf();
        let installed = tokio::task::spawn_blocking(move || {
            engine::tls_cert::install_own(
                &dir,
                self.certificate_pem.as_bytes(),
                self.key_pem.as_bytes(),
            )
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        if let Err(e) = installed {
            use engine::tls_cert::TlsCertError;
            let field = match e {
                TlsCertError::NoKey => "key_pem",
                TlsCertError::Io(_) | TlsCertError::Generate(_) => {
                    return Err(ApiError::Internal(e.to_string()))
                }
                _ => "certificate_pem",
            };
            return Err(ApiError::field(field, e.to_string()));
        }
        tracing::info!("own TLS certificate installed");
        let saved = ctx.store(|s| Ok(s.settings()?)).await?;
        Ok(response(ctx, &saved))
    }
}

/// Goes back to the PBX's generated certificate (from the next start).
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveTlsCertificateRequest {}

impl Command for RemoveTlsCertificateRequest {
    const NAME: &'static str = "remove_tls_certificate";
    type Response = SettingsResponse;

    async fn run(self, ctx: &Ctx) -> Result<SettingsResponse, ApiError> {
        engine::tls_cert::remove_own(ctx.data_dir())
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let saved = ctx.store(|s| Ok(s.settings()?)).await?;
        Ok(response(ctx, &saved))
    }
}

/// `tls:ADDR` (any case) → `ADDR`; `None` for a plain address.
fn strip_tls(text: &str) -> Option<&str> {
    let (scheme, rest) = text.split_once(':')?;
    scheme.eq_ignore_ascii_case("tls").then_some(rest)
}

/// The fingerprint of the certificate TLS uses (or will use after a restart), made on
/// first use so the owner can hand it to phones before turning TLS on for them.
fn tls_fingerprint(ctx: &Ctx, saved: &store::Settings) -> Option<String> {
    if saved.sip_tls_listen.is_empty() && ctx.engine_config.tls_listen.is_empty() {
        return None;
    }
    match engine::tls_cert::load_or_create(ctx.data_dir()) {
        Ok(identity) => Some(identity.fingerprint().to_owned()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the TLS certificate");
            None
        }
    }
}

impl From<&store::Settings> for Settings {
    fn from(s: &store::Settings) -> Settings {
        Settings {
            sip_listen: s
                .sip_listen
                .iter()
                .map(ToString::to_string)
                .chain(s.sip_tls_listen.iter().map(|a| format!("tls:{a}")))
                .collect(),
            rtp_port_min: s.rtp_port_min,
            rtp_port_max: s.rtp_port_max,
            log_level: s.log_level.into(),
            admin_bind: s.admin_bind.to_string(),
        }
    }
}

impl From<LogLevel> for store::LogLevel {
    fn from(l: LogLevel) -> store::LogLevel {
        match l {
            LogLevel::Error => store::LogLevel::Error,
            LogLevel::Warn => store::LogLevel::Warn,
            LogLevel::Info => store::LogLevel::Info,
            LogLevel::Debug => store::LogLevel::Debug,
            LogLevel::Trace => store::LogLevel::Trace,
        }
    }
}

impl From<store::LogLevel> for LogLevel {
    fn from(l: store::LogLevel) -> LogLevel {
        match l {
            store::LogLevel::Error => LogLevel::Error,
            store::LogLevel::Warn => LogLevel::Warn,
            store::LogLevel::Info => LogLevel::Info,
            store::LogLevel::Debug => LogLevel::Debug,
            store::LogLevel::Trace => LogLevel::Trace,
        }
    }
}
