//! Voicemail to e-mail: the SMTP server to send through, the address of each mailbox, and
//! the outbox of messages waiting to be sent.
//!
//! A message is queued by the database itself: a trigger on `voicemail_messages` inserts an
//! outbox row in the same transaction as the message, when e-mail is switched on and the
//! mailbox has an address. Nothing is lost if the program stops between saving a message
//! and sending it, and the recorder needs to know nothing about e-mail.
//!
//! The SMTP password is stored as it is (the server needs it, so it cannot be a hash) and is
//! never handed back to the screens: they only learn whether one is set.

use rusqlite::{params, OptionalExtension, Row};

use crate::error::FieldError;
use crate::{destination, Error, Result, Store};

/// Longest e-mail address accepted (RFC 5321 §4.5.3.1.3 limits a path to 256 octets).
pub const EMAIL_MAX_LEN: usize = 254;

/// Outbox rows kept once sent or given up, for the screens' "recent e-mails" list.
const OUTBOX_HISTORY: i64 = 200;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailSecurity {
    /// Plain connection upgraded with STARTTLS (RFC 3207), usually port 587 (submission).
    /// The upgrade is required: a server that does not offer it is not used.
    StartTls,
    /// TLS from the first byte (RFC 8314 §3.3), usually port 465.
    Tls,
    /// No encryption: only for a relay on the same computer or a trusted network.
    None,
}

impl MailSecurity {
    pub const ALL: [MailSecurity; 3] = [
        MailSecurity::StartTls,
        MailSecurity::Tls,
        MailSecurity::None,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            MailSecurity::StartTls => "starttls",
            MailSecurity::Tls => "tls",
            MailSecurity::None => "none",
        }
    }

    fn parse(s: &str) -> Option<MailSecurity> {
        MailSecurity::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The port servers usually take this on.
    pub fn default_port(self) -> u16 {
        match self {
            MailSecurity::StartTls => 587,
            MailSecurity::Tls => 465,
            MailSecurity::None => 25,
        }
    }
}

/// The SMTP server voicemail is e-mailed through.
#[derive(Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// Whether messages are e-mailed at all; off keeps the settings but queues nothing.
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    /// Login name; empty for a server that takes mail without a login.
    pub username: String,
    /// Login password, stored as typed.
    pub password: String,
    /// The sender address (`From:`), often one the login is allowed to send as.
    pub from: String,
}

impl std::fmt::Debug for MailSettings {
    /// Everything but the password, which must never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("enabled", &self.enabled)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password_set", &!self.password.is_empty())
            .field("from", &self.from)
            .finish()
    }
}

impl Default for MailSettings {
    /// Off, STARTTLS on the submission port (RFC 6409 §3.1): what most providers want.
    fn default() -> Self {
        MailSettings {
            enabled: false,
            host: String::new(),
            port: MailSecurity::StartTls.default_port(),
            security: MailSecurity::StartTls,
            username: String::new(),
            password: String::new(),
            from: String::new(),
        }
    }
}

impl MailSettings {
    /// Field-level problems; empty when the settings can be saved. Switched off, only what
    /// is filled in is checked, so half-typed settings can be kept.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let host = self.host.trim();
        if host.is_empty() && self.enabled {
            errors.push(FieldError {
                field: "host",
                message: "needs the mail server's name, like smtp.example.com".to_owned(),
            });
        } else if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            errors.push(FieldError {
                field: "host",
                message: "must be a server name or address, without spaces".to_owned(),
            });
        }
        if self.port == 0 {
            errors.push(FieldError {
                field: "port",
                message: format!(
                    "needs a port (1 to 65535), usually {}",
                    self.security.default_port()
                ),
            });
        }
        if self.from.trim().is_empty() && self.enabled {
            errors.push(FieldError {
                field: "from",
                message: "needs the address e-mails are sent from".to_owned(),
            });
        } else if !self.from.trim().is_empty() {
            if let Err(message) = check_address(&self.from) {
                errors.push(FieldError {
                    field: "from",
                    message,
                });
            }
        }
        if self.username.chars().any(char::is_control) {
            errors.push(FieldError {
                field: "username",
                message: "must not contain control characters".to_owned(),
            });
        }
        errors
    }
}

/// A rough check of an e-mail address (`name@domain`): enough to catch typing mistakes.
/// The mail server has the last word.
pub fn check_address(address: &str) -> std::result::Result<(), String> {
    let a = address.trim();
    if a.len() > EMAIL_MAX_LEN {
        return Err(format!("must be at most {EMAIL_MAX_LEN} characters"));
    }
    let ok = match a.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !a.chars().any(|c| c.is_whitespace() || c.is_control())
                && !a.contains(['<', '>', ',', ';'])
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err("must be an e-mail address like jane@example.com".to_owned())
    }
}

/// Where a mailbox's messages are e-mailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxEmail {
    /// The mailbox (extension or ring group number).
    pub mailbox: String,
    pub address: String,
    /// Whether a message is deleted from the mailbox once e-mailed.
    pub delete_after_sending: bool,
}

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for its first or next attempt.
    Queued,
    /// The server took it.
    Sent,
    /// Given up: the server refused it for good, or it kept failing.
    Failed,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> OutboxState {
        match s {
            "sent" => OutboxState::Sent,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Queued,
        }
    }
}

/// One voicemail message to e-mail, and how sending it has gone so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The voicemail message's id (the message row may be gone since).
    pub message_id: i64,
    /// Copied from the message, so the list still reads after the message is deleted.
    pub mailbox: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    pub received_at: i64,
    /// Where it goes.
    pub address: String,
    pub delete_after_sending: bool,
    pub state: OutboxState,
    /// Attempts made so far.
    pub attempts: u32,
    /// Unix seconds of the next attempt (while queued).
    pub next_attempt_at: i64,
    /// Why the last attempt failed, in words.
    pub last_error: Option<String>,
    /// What the server answered when it took the message.
    pub server_reply: Option<String>,
    /// Unix seconds when it was sent or given up.
    pub finished_at: Option<i64>,
}

const OUTBOX_COLUMNS: &str = "message_id, mailbox, caller_number, caller_name, received_at, \
     address, delete_after, state, attempts, next_attempt_at, last_error, server_reply, \
     finished_at";

const MAIL_SETTINGS_COLUMNS: &str =
    "enabled, host, port, security, username, password, from_address";

impl Store {
    /// The SMTP settings; the defaults (switched off) when never saved.
    pub fn mail_settings(&self) -> Result<MailSettings> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {MAIL_SETTINGS_COLUMNS} FROM mail_settings WHERE id = 1"),
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? != 0,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((enabled, host, port, security, username, password, from)) = row else {
            return Ok(MailSettings::default());
        };
        let security = MailSecurity::parse(&security).unwrap_or_else(|| {
            tracing::warn!(%security, "unknown mail security in the database; using STARTTLS");
            MailSecurity::StartTls
        });
        Ok(MailSettings {
            enabled,
            host,
            port: u16::try_from(port).unwrap_or(security.default_port()),
            security,
            username,
            password,
            from,
        })
    }

    /// Saves the SMTP settings, or nothing when a field is refused. E-mails given up on
    /// are queued again and those waiting for a retry are due at once: new settings are
    /// the usual cure for a wrong password or server.
    pub fn save_mail_settings(&self, settings: &MailSettings, now_unix: i64) -> Result<()> {
        let errors = settings.check();
        if !errors.is_empty() {
            return Err(Error::Invalid(crate::ValidationErrors(errors)));
        }
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO mail_settings
                (id, enabled, host, port, security, username, password, from_address, updated_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET enabled = ?1, host = ?2, port = ?3, security = ?4,
                username = ?5, password = ?6, from_address = ?7, updated_at = ?8",
            params![
                settings.enabled,
                settings.host.trim(),
                settings.port,
                settings.security.as_str(),
                settings.username.trim(),
                settings.password,
                settings.from.trim(),
                now_unix
            ],
        )?;
        if settings.enabled {
            tx.execute(
                "UPDATE mail_outbox SET state = 'queued', attempts = 0, next_attempt_at = ?1,
                        finished_at = NULL
                  WHERE state = 'failed' AND message_id IN (SELECT id FROM voicemail_messages)",
                [now_unix],
            )?;
            tx.execute(
                "UPDATE mail_outbox SET next_attempt_at = ?1
                  WHERE state = 'queued' AND next_attempt_at > ?1",
                [now_unix],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The e-mail address of every mailbox that has one, by mailbox number.
    pub fn mailbox_emails(&self) -> Result<Vec<MailboxEmail>> {
        let mut stmt = self
            .conn
            .prepare("SELECT mailbox, address, delete_after FROM mailbox_email ORDER BY mailbox")?;
        let rows = stmt.query_map([], |r| {
            Ok(MailboxEmail {
                mailbox: r.get(0)?,
                address: r.get(1)?,
                delete_after_sending: r.get::<_, i64>(2)? != 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets where messages of `mailbox` (an extension or ring group) are e-mailed, or stops
    /// e-mailing them when `address` is empty. Refuses an unknown number (field `mailbox`)
    /// and an address that is not one (field `address`).
    pub fn set_mailbox_email(
        &self,
        mailbox: &str,
        address: &str,
        delete_after_sending: bool,
    ) -> Result<()> {
        let address = address.trim();
        if !address.is_empty() {
            check_address(address).map_err(|m| Error::field("address", m))?;
        }
        let tx = self.write_tx()?;
        if address.is_empty() {
            tx.execute("DELETE FROM mailbox_email WHERE mailbox = ?1", [mailbox])?;
            tx.commit()?;
            return Ok(());
        }
        if !destination::extension_exists(&tx, mailbox)?
            && !destination::ring_group_exists(&tx, mailbox)?
        {
            return Err(Error::field(
                "mailbox",
                format!("there is no extension or ring group {mailbox}"),
            ));
        }
        tx.execute(
            "INSERT INTO mailbox_email (mailbox, address, delete_after) VALUES (?1, ?2, ?3)
             ON CONFLICT (mailbox) DO UPDATE SET address = ?2, delete_after = ?3",
            params![mailbox, address, delete_after_sending],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Queued e-mails whose next attempt is due at `now_unix`, oldest first.
    pub fn due_mail(&self, now_unix: i64) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM mail_outbox
              WHERE state = 'queued' AND next_attempt_at <= ?1
              ORDER BY next_attempt_at, message_id"
        ))?;
        let rows = stmt.query_map([now_unix], outbox_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Unix seconds of the earliest queued attempt, if any e-mail is queued.
    pub fn next_mail_attempt(&self) -> Result<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT MIN(next_attempt_at) FROM mail_outbox WHERE state = 'queued'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The most recent outbox rows, newest message first, for the screens.
    pub fn mail_outbox(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM mail_outbox
              ORDER BY received_at DESC, message_id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], outbox_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records that the server took message `message_id`'s e-mail, with its answer, and
    /// forgets the oldest finished rows beyond the kept history.
    pub fn mail_sent(&self, message_id: i64, reply: &str, now_unix: i64) -> Result<()> {
        self.finish_mail(message_id, OutboxState::Sent, None, Some(reply), now_unix)
    }

    /// Records a failed attempt: tried again at `retry_at`, or given up when `None`.
    pub fn mail_failed(
        &self,
        message_id: i64,
        error: &str,
        retry_at: Option<i64>,
        now_unix: i64,
    ) -> Result<()> {
        match retry_at {
            Some(at) => {
                self.conn.execute(
                    "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?2,
                            last_error = ?3
                      WHERE message_id = ?1",
                    params![message_id, at, error],
                )?;
                Ok(())
            }
            None => self.finish_mail(message_id, OutboxState::Failed, Some(error), None, now_unix),
        }
    }

    fn finish_mail(
        &self,
        message_id: i64,
        state: OutboxState,
        error: Option<&str>,
        reply: Option<&str>,
        now_unix: i64,
    ) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE mail_outbox SET state = ?2, attempts = attempts + 1,
                    last_error = COALESCE(?3, last_error), server_reply = ?4, finished_at = ?5
              WHERE message_id = ?1",
            params![message_id, state.as_str(), error, reply, now_unix],
        )?;
        tx.execute(
            "DELETE FROM mail_outbox WHERE state != 'queued' AND message_id NOT IN
               (SELECT message_id FROM mail_outbox WHERE state != 'queued'
                 ORDER BY finished_at DESC, message_id DESC LIMIT ?1)",
            [OUTBOX_HISTORY],
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn outbox_from_row(r: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        message_id: r.get(0)?,
        mailbox: r.get(1)?,
        caller_number: r.get(2)?,
        caller_name: r.get(3)?,
        received_at: r.get(4)?,
        address: r.get(5)?,
        delete_after_sending: r.get::<_, i64>(6)? != 0,
        state: OutboxState::parse(&r.get::<_, String>(7)?),
        attempts: u32::try_from(r.get::<_, i64>(8)?).unwrap_or(0),
        next_attempt_at: r.get(9)?,
        last_error: r.get(10)?,
        server_reply: r.get(11)?,
        finished_at: r.get(12)?,
    })
}
