//! Voicemail to e-mail: the SMTP server (`get_mail_settings`, `save_mail_settings`), the
//! address each mailbox is e-mailed to (`set_mailbox_email`), a test e-mail that shows the
//! server's answer (`send_test_email`), and the recent e-mails with how each went.
//!
//! The password is write-only: the screens learn whether one is set, never what it is, and
//! saving without one keeps the stored password.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{now_unix, Command, Ctx};
use crate::ApiError;

/// Recent e-mails listed with the settings.
const OUTBOX_LISTED: u32 = 20;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    /// Plain connection upgraded with STARTTLS, usually port 587. The upgrade is required.
    Starttls,
    /// TLS from the start, usually port 465.
    Tls,
    /// No encryption: only for a relay on this computer or a trusted network.
    None,
}

impl From<MailSecurity> for store::MailSecurity {
    fn from(s: MailSecurity) -> Self {
        match s {
            MailSecurity::Starttls => store::MailSecurity::StartTls,
            MailSecurity::Tls => store::MailSecurity::Tls,
            MailSecurity::None => store::MailSecurity::None,
        }
    }
}

impl From<store::MailSecurity> for MailSecurity {
    fn from(s: store::MailSecurity) -> Self {
        match s {
            store::MailSecurity::StartTls => MailSecurity::Starttls,
            store::MailSecurity::Tls => MailSecurity::Tls,
            store::MailSecurity::None => MailSecurity::None,
        }
    }
}

/// The SMTP settings as the screens see them (without the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MailSettings {
    /// Whether voicemail messages are e-mailed.
    pub enabled: bool,
    /// The mail server's name, like `smtp.example.com`.
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    /// Login name; empty when the server takes mail without a login.
    pub username: String,
    /// Whether a password is stored (it is never sent back).
    pub password_set: bool,
    /// The sender address of the e-mails.
    pub from: String,
}

impl From<&store::MailSettings> for MailSettings {
    fn from(s: &store::MailSettings) -> Self {
        MailSettings {
            enabled: s.enabled,
            host: s.host.clone(),
            port: s.port,
            security: s.security.into(),
            username: s.username.clone(),
            password_set: !s.password.is_empty(),
            from: s.from.clone(),
        }
    }
}

/// Where a mailbox's messages are e-mailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MailboxEmail {
    /// The mailbox: an extension's or ring group's number.
    pub mailbox: String,
    pub address: String,
    /// Messages are deleted from the mailbox once e-mailed.
    pub delete_after_sending: bool,
}

impl From<store::MailboxEmail> for MailboxEmail {
    fn from(m: store::MailboxEmail) -> Self {
        MailboxEmail {
            mailbox: m.mailbox,
            address: m.address,
            delete_after_sending: m.delete_after_sending,
        }
    }
}

/// How one voicemail e-mail went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// Waiting for its first attempt or a retry.
    Queued,
    /// The server took it.
    Sent,
    /// Given up; `error` says why.
    Failed,
}

/// One voicemail message's e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MailOutboxEntry {
    pub message_id: i64,
    pub mailbox: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    /// When the message was left, Unix seconds.
    pub received_at: i64,
    pub address: String,
    pub state: MailState,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (Unix seconds), while queued.
    pub next_attempt_at: Option<i64>,
    /// Why the last attempt failed: what happened, then the server's words.
    pub error: Option<String>,
    /// The server's answer when it took the e-mail.
    pub server_reply: Option<String>,
}

impl From<store::OutboxEntry> for MailOutboxEntry {
    fn from(e: store::OutboxEntry) -> Self {
        let state = match e.state {
            store::OutboxState::Queued => MailState::Queued,
            store::OutboxState::Sent => MailState::Sent,
            store::OutboxState::Failed => MailState::Failed,
        };
        MailOutboxEntry {
            message_id: e.message_id,
            mailbox: e.mailbox,
            caller_number: e.caller_number,
            caller_name: e.caller_name.filter(|n| !n.trim().is_empty()),
            received_at: e.received_at,
            address: e.address,
            next_attempt_at: (state == MailState::Queued).then_some(e.next_attempt_at),
            state,
            attempts: e.attempts,
            error: e.last_error,
            server_reply: e.server_reply,
        }
    }
}

/// The e-mail settings, every mailbox's address and the recent e-mails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MailSettingsResponse {
    pub settings: MailSettings,
    /// Mailboxes that have an address, by number.
    pub mailboxes: Vec<MailboxEmail>,
    /// The most recent voicemail e-mails, newest message first.
    pub outbox: Vec<MailOutboxEntry>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetMailSettingsRequest {}

impl Command for GetMailSettingsRequest {
    const NAME: &'static str = "get_mail_settings";
    type Response = MailSettingsResponse;

    async fn run(self, ctx: &Ctx) -> Result<MailSettingsResponse, ApiError> {
        ctx.store(response).await
    }
}

fn response(s: &store::Store) -> Result<MailSettingsResponse, ApiError> {
    Ok(MailSettingsResponse {
        settings: MailSettings::from(&s.mail_settings()?),
        mailboxes: s
            .mailbox_emails()?
            .into_iter()
            .map(MailboxEmail::from)
            .collect(),
        outbox: s
            .mail_outbox(OUTBOX_LISTED)?
            .into_iter()
            .map(MailOutboxEntry::from)
            .collect(),
    })
}

/// The SMTP settings to save (or to send a test e-mail with).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveMailSettingsRequest {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    #[serde(default)]
    pub username: String,
    /// A new password; left out (or null) keeps the stored one, `""` removes it.
    #[serde(default)]
    #[ts(optional)]
    pub password: Option<String>,
    pub from: String,
}

impl SaveMailSettingsRequest {
    /// The settings as the store keeps them, the password taken from `stored` when none is
    /// given.
    fn resolve(self, stored: &store::MailSettings) -> store::MailSettings {
        store::MailSettings {
            enabled: self.enabled,
            host: self.host.trim().to_owned(),
            port: self.port,
            security: self.security.into(),
            username: self.username.trim().to_owned(),
            password: self.password.unwrap_or_else(|| stored.password.clone()),
            from: self.from.trim().to_owned(),
        }
    }
}

impl Command for SaveMailSettingsRequest {
    const NAME: &'static str = "save_mail_settings";
    type Response = MailSettingsResponse;

    /// Saves all fields or, when one is refused, none. E-mails given up on are queued again
    /// (new settings are how a wrong password or server gets fixed).
    async fn run(self, ctx: &Ctx) -> Result<MailSettingsResponse, ApiError> {
        let response = ctx
            .store(move |s| {
                let settings = self.resolve(&s.mail_settings()?);
                s.save_mail_settings(&settings, now_unix())?;
                response(s)
            })
            .await?;
        tracing::info!(
            enabled = response.settings.enabled,
            security = ?response.settings.security,
            "e-mail settings saved"
        );
        Ok(response)
    }
}

/// Sets the address a mailbox's messages are e-mailed to; an empty address stops e-mailing
/// them.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetMailboxEmailRequest {
    /// The extension's or ring group's number.
    pub mailbox: String,
    pub address: String,
    /// Delete each message from the mailbox once it has been e-mailed.
    #[serde(default)]
    pub delete_after_sending: bool,
}

impl Command for SetMailboxEmailRequest {
    const NAME: &'static str = "set_mailbox_email";
    type Response = MailSettingsResponse;

    async fn run(self, ctx: &Ctx) -> Result<MailSettingsResponse, ApiError> {
        ctx.store(move |s| {
            s.set_mailbox_email(
                self.mailbox.trim(),
                &self.address,
                self.delete_after_sending,
            )?;
            response(s)
        })
        .await
    }
}

/// Sends a test e-mail to `to` with the settings given (saved or not yet saved; without a
/// password the stored one is used) and answers with what the server said.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SendTestEmailRequest {
    pub to: String,
    pub settings: SaveMailSettingsRequest,
}

/// The outcome in words, and the server's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SendTestEmailResponse {
    /// Whether the server took the e-mail.
    pub sent: bool,
    /// What happened, for a person.
    pub message: String,
    /// The server's answer ("250 2.0.0 Ok: queued as 4F2A") or the error as it came.
    pub server_reply: String,
}

impl Command for SendTestEmailRequest {
    const NAME: &'static str = "send_test_email";
    type Response = SendTestEmailResponse;

    async fn run(self, ctx: &Ctx) -> Result<SendTestEmailResponse, ApiError> {
        let to = self.to.trim().to_owned();
        if let Err(message) = store::check_email_address(&to) {
            return Err(ApiError::field("to", message));
        }
        let request = self.settings;
        let settings = ctx
            .store(move |s| Ok(request.resolve(&s.mail_settings()?)))
            .await?;
        // The test needs a server and a sender even while e-mail is switched off.
        let mut errors: Vec<(String, String)> = store::MailSettings {
            enabled: true,
            ..settings.clone()
        }
        .check()
        .into_iter()
        .map(|e| (e.field.to_owned(), e.message))
        .collect();
        errors.sort();
        errors.dedup_by(|a, b| a.0 == b.0);
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        Ok(match mail::send_test(&settings, &to).await {
            Ok(reply) => SendTestEmailResponse {
                sent: true,
                message: format!("The mail server accepted the test e-mail for {to}."),
                server_reply: reply.0,
            },
            Err(e) => {
                tracing::warn!(error = %e.summary, "test e-mail not sent");
                SendTestEmailResponse {
                    sent: false,
                    message: e.summary,
                    server_reply: e.detail,
                }
            }
        })
    }
}
