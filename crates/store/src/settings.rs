//! Settings the owner changes from the admin screens: where the PBX listens for SIP, which
//! ports carry audio, how much it logs and where the admin pages are served.
//!
//! Each setting is one row of the `settings` table, its value as text. A missing row means
//! the default; a row this version cannot read (written by hand, or by a newer version with
//! another format) also falls back to the default, with a warning, so a bad value never
//! keeps the PBX from starting.

use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use rusqlite::params;

use crate::error::{FieldError, ValidationErrors};
use crate::{Error, Result, Store};

/// Most SIP listen addresses accepted: one per interface and IP version is plenty for an
/// office, and each costs a UDP and a TCP socket.
pub const MAX_SIP_LISTEN: usize = 8;

/// Lowest RTP port accepted. Ports below 1024 need privileges and belong to well-known
/// services.
pub const RTP_PORT_FLOOR: u16 = 1024;

/// How much the program logs, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub const ALL: [LogLevel; 5] = [
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Trace,
    ];

    /// The lower-case name stored in the database, and understood by log filters.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LogLevel {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        LogLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

/// Every setting, with its default when never saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Addresses to take SIP on; each is served over UDP and TCP.
    pub sip_listen: Vec<SocketAddr>,
    /// Addresses to take SIP over TLS on (RFC 3261 §26.3.1), usually port 5061; empty:
    /// TLS off.
    pub sip_tls_listen: Vec<SocketAddr>,
    /// First UDP port for relayed audio.
    pub rtp_port_min: u16,
    /// Last UDP port for relayed audio (inclusive).
    pub rtp_port_max: u16,
    pub log_level: LogLevel,
    /// Where the admin API and pages are served.
    pub admin_bind: SocketAddr,
}

impl Default for Settings {
    /// Both IP versions on the standard SIP port (RFC 3261 §19.1.2), ten thousand audio
    /// ports, and the admin pages for this computer only.
    fn default() -> Self {
        Settings {
            sip_listen: vec![
                SocketAddr::from(([0, 0, 0, 0], 5060)),
                SocketAddr::from(([0u16; 8], 5060)),
            ],
            // Off until the owner turns it on: phones must be given the certificate's
            // fingerprint anyway.
            sip_tls_listen: Vec::new(),
            rtp_port_min: 10000,
            rtp_port_max: 19999,
            log_level: LogLevel::Info,
            admin_bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
        }
    }
}

impl Settings {
    /// Field-level problems with these settings; empty when they can be saved.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        errors.extend(check_sip_listen(&self.sip_listen));
        errors.extend(check_sip_tls_listen(self));
        errors.extend(check_rtp_ports(self));
        if self.admin_bind.port() == 0 {
            errors.push(FieldError {
                field: "admin_bind",
                message: "needs a port (1 to 65535)".to_owned(),
            });
        }
        errors
    }
}

fn check_sip_listen(listen: &[SocketAddr]) -> Option<FieldError> {
    let message = if listen.is_empty() {
        "needs at least one address".to_owned()
    } else if listen.len() > MAX_SIP_LISTEN {
        format!("at most {MAX_SIP_LISTEN} addresses")
    } else if listen.iter().any(|a| a.port() == 0) {
        // A random port would move at every start and no phone could find the PBX.
        "each address needs a port (1 to 65535), usually 5060".to_owned()
    } else if listen.iter().collect::<HashSet<_>>().len() != listen.len() {
        "lists the same address twice".to_owned()
    } else {
        return None;
    };
    Some(FieldError {
        field: "sip_listen",
        message,
    })
}

/// TLS addresses: a port each, no repeats, and not a port TCP already takes on that IP.
fn check_sip_tls_listen(s: &Settings) -> Option<FieldError> {
    let tls = &s.sip_tls_listen;
    let clashes = |a: &SocketAddr| {
        s.sip_listen.iter().any(|l| {
            l.port() == a.port()
                && l.is_ipv4() == a.is_ipv4()
                && (l.ip() == a.ip() || l.ip().is_unspecified() || a.ip().is_unspecified())
        })
    };
    let message = if tls.len() > MAX_SIP_LISTEN {
        format!("at most {MAX_SIP_LISTEN} TLS addresses")
    } else if tls.iter().any(|a| a.port() == 0) {
        "each TLS address needs a port (1 to 65535), usually 5061".to_owned()
    } else if tls.iter().collect::<HashSet<_>>().len() != tls.len() {
        "lists the same TLS address twice".to_owned()
    } else if let Some(a) = tls.iter().find(|a| clashes(a)) {
        format!("TLS on {a} takes a port already used for UDP and TCP; usually 5061")
    } else {
        return None;
    };
    Some(FieldError {
        field: "sip_listen",
        message,
    })
}

fn check_rtp_ports(s: &Settings) -> Option<FieldError> {
    let (lo, hi) = (s.rtp_port_min, s.rtp_port_max);
    let (field, message) = if lo < RTP_PORT_FLOOR {
        ("rtp_port_min", format!("must be {RTP_PORT_FLOOR} or more"))
    } else if hi <= lo {
        // Each relayed call takes two ports.
        ("rtp_port_max", "must be above the first port".to_owned())
    } else if let Some(sip) = s
        .sip_listen
        .iter()
        .chain(&s.sip_tls_listen)
        .map(SocketAddr::port)
        .find(|p| (lo..=hi).contains(p))
    {
        (
            "rtp_port_min",
            format!("the range includes the SIP port {sip}; choose ports outside it"),
        )
    } else {
        return None;
    };
    Some(FieldError { field, message })
}

const SIP_LISTEN: &str = "sip_listen";
const SIP_TLS_LISTEN: &str = "sip_tls_listen";
const RTP_PORTS: &str = "rtp_ports";
const LOG_LEVEL: &str = "log_level";
const ADMIN_BIND: &str = "admin_bind";

impl Store {
    /// The saved settings, with defaults for those never saved.
    pub fn settings(&self) -> Result<Settings> {
        let mut settings = Settings::default();
        let mut stmt = self.conn.prepare("SELECT key, value FROM settings")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (key, value) = row?;
            if apply_row(&mut settings, &key, &value).is_none() {
                tracing::warn!(%key, %value, "ignoring a setting this version cannot read; using the default");
            }
        }
        Ok(settings)
    }

    /// Saves every setting in one transaction, or nothing when any field is refused.
    pub fn save_settings(&self, settings: &Settings, now_unix: i64) -> Result<()> {
        let errors = settings.check();
        if !errors.is_empty() {
            return Err(Error::Invalid(ValidationErrors(errors)));
        }
        let listen: Vec<String> = settings
            .sip_listen
            .iter()
            .map(ToString::to_string)
            .collect();
        let tls: Vec<String> = settings
            .sip_tls_listen
            .iter()
            .map(ToString::to_string)
            .collect();
        let rows = [
            (SIP_LISTEN, listen.join(",")),
            (SIP_TLS_LISTEN, tls.join(",")),
            (
                RTP_PORTS,
                format!("{}-{}", settings.rtp_port_min, settings.rtp_port_max),
            ),
            (LOG_LEVEL, settings.log_level.as_str().to_owned()),
            (ADMIN_BIND, settings.admin_bind.to_string()),
        ];
        let tx = self.conn.unchecked_transaction()?;
        for (key, value) in rows {
            tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3
                 WHERE value IS NOT ?2",
                params![key, value, now_unix],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Reads one stored row into `settings`; `None` when the key or value is not understood.
fn apply_row(settings: &mut Settings, key: &str, value: &str) -> Option<()> {
    match key {
        SIP_LISTEN => {
            let listen = value
                .split(',')
                .map(|a| a.trim().parse().ok())
                .collect::<Option<Vec<SocketAddr>>>()?;
            settings.sip_listen = listen;
        }
        SIP_TLS_LISTEN => {
            settings.sip_tls_listen = value
                .split(',')
                .filter(|a| !a.trim().is_empty())
                .map(|a| a.trim().parse().ok())
                .collect::<Option<Vec<SocketAddr>>>()?;
        }
        RTP_PORTS => {
            let (lo, hi) = value.split_once('-')?;
            let (lo, hi) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
            settings.rtp_port_min = lo;
            settings.rtp_port_max = hi;
        }
        LOG_LEVEL => settings.log_level = value.parse().ok()?,
        ADMIN_BIND => settings.admin_bind = value.parse().ok()?,
        // Rows of the same table read by the dial plan's own accessors.
        crate::dial_plan::EMERGENCY_NUMBERS | crate::dial_plan::SETUP_COMPLETE => {}
        crate::backup_schedule::BACKUP_SCHEDULE => {}
        // Read by its own accessor (app_mode.rs).
        crate::app_mode::PHONE_ONLY => {}
        // Read by its own accessor (srtp_policy.rs).
        crate::srtp_policy::SRTP_REQUIRED | crate::srtp_policy::SRTP_KEYS_OVER_PLAIN => {}
        _ => return None,
    }
    Some(())
}
