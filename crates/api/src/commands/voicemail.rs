//! Voicemail: the mailbox of each extension and ring group (switched on with a PIN the owner
//! chooses, never a default one) and the messages in it, listened to in the browser.
//!
//! The audio itself is not a command: it is served by `GET /api/voicemail/<id>/audio`
//! (see `voicemail_audio.rs`), which a page's audio player and download link can point at.
//! Every change here makes the PBX re-read its mailboxes at once (so a mailbox switched on
//! takes the next unanswered call, and the phones' message lamps follow a message heard or
//! deleted), then sends [`Event::VoicemailChanged`], the same event the PBX sends when a
//! message arrives, so every open inbox and the new-message count follow.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::events::Event;
use crate::ApiError;

/// The mailbox of an extension or ring group, and how many messages wait in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Mailbox {
    /// The extension's or ring group's number; the mailbox has no number of its own.
    pub number: String,
    /// Whether unanswered calls may leave a message here.
    pub enabled: bool,
    /// Messages nobody has listened to yet (these light the phone's message lamp).
    pub new_count: u32,
    /// Messages already heard and kept.
    pub saved_count: u32,
}

impl From<store::Mailbox> for Mailbox {
    fn from(m: store::Mailbox) -> Mailbox {
        Mailbox {
            number: m.number,
            enabled: m.enabled,
            new_count: m.new_count,
            saved_count: m.saved_count,
        }
    }
}

/// One message left in a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct VoicemailMessage {
    pub id: i64,
    /// The mailbox (extension or ring group number) it was left in.
    pub mailbox: String,
    /// The caller's number as the PBX saw it (`anonymous` when withheld).
    pub caller_number: String,
    /// The caller's name, when the call said.
    pub caller_name: Option<String>,
    /// The business name the caller dialled (`sales.acme`), for calls from a trunk.
    pub business_name: Option<String>,
    /// Unix seconds.
    pub received_at: i64,
    /// How long the recording lasts, in milliseconds.
    pub duration_ms: u64,
    /// Whether someone has listened to it (or marked it so).
    pub heard: bool,
    /// Where its WAV audio is served, relative to the API's address
    /// (`/api/voicemail/7/audio`); add `?download` to save it as a file.
    pub audio_path: String,
}

impl From<store::VoicemailMessage> for VoicemailMessage {
    fn from(m: store::VoicemailMessage) -> VoicemailMessage {
        VoicemailMessage {
            audio_path: audio_path(m.id),
            id: m.id,
            mailbox: m.mailbox,
            caller_number: m.caller_number,
            caller_name: non_empty(m.caller_name),
            business_name: non_empty(m.business_name),
            received_at: m.received_at,
            duration_ms: m.duration_ms,
            heard: m.heard,
        }
    }
}

/// The audio route of message `id`.
pub(crate) fn audio_path(id: i64) -> String {
    format!("/api/voicemail/{id}/audio")
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// The messages, newest first; of one mailbox, or of all.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListVoicemailRequest {
    /// Only this mailbox (an extension's or ring group's number); every mailbox when left out.
    #[serde(default)]
    #[ts(optional)]
    pub mailbox: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListVoicemailResponse {
    /// Newest first.
    pub messages: Vec<VoicemailMessage>,
}

impl Command for ListVoicemailRequest {
    const NAME: &'static str = "list_voicemail";
    type Response = ListVoicemailResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListVoicemailResponse, ApiError> {
        let mailbox = self.mailbox.map(|m| m.trim().to_owned());
        let mut messages: Vec<VoicemailMessage> = ctx
            .store(move |s| {
                if let Some(number) = &mailbox {
                    // Messages outlive a disabled mailbox, but not a removed number.
                    let known = s.mailboxes()?.iter().any(|m| &m.number == number);
                    let kept = !s.voicemail_messages(Some(number))?.is_empty();
                    if !known && !kept {
                        return Err(ApiError::NotFound {
                            message: format!("there is no mailbox {number}"),
                            field: "mailbox",
                        });
                    }
                }
                Ok(s.voicemail_messages(mailbox.as_deref())?)
            })
            .await?
            .into_iter()
            .map(VoicemailMessage::from)
            .collect();
        messages.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)));
        Ok(ListVoicemailResponse { messages })
    }
}

/// Marks a message heard (or new again, so the phone's lamp lights once more).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct MarkVoicemailHeardRequest {
    pub id: i64,
    pub heard: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MarkVoicemailHeardResponse {
    pub message: VoicemailMessage,
}

impl Command for MarkVoicemailHeardRequest {
    const NAME: &'static str = "mark_voicemail_heard";
    type Response = MarkVoicemailHeardResponse;

    async fn run(self, ctx: &Ctx) -> Result<MarkVoicemailHeardResponse, ApiError> {
        let id = self.id;
        let heard = self.heard;
        let message = ctx
            .store(move |s| {
                let mut message = find(s, id)?;
                s.mark_voicemail_heard(id, heard)
                    .map_err(|e| ApiError::from_store(e, "id"))?;
                message.heard = heard;
                Ok(message)
            })
            .await?;
        let message = VoicemailMessage::from(message);
        changed(ctx, &message.mailbox).await;
        Ok(MarkVoicemailHeardResponse { message })
    }
}

/// Deletes a message: its row first (so it is gone from every list at once), then its
/// file. A file already missing is not an error: the message is gone either way.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeleteVoicemailRequest {
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeleteVoicemailResponse {}

impl Command for DeleteVoicemailRequest {
    const NAME: &'static str = "delete_voicemail";
    type Response = DeleteVoicemailResponse;

    async fn run(self, ctx: &Ctx) -> Result<DeleteVoicemailResponse, ApiError> {
        let id = self.id;
        let (mailbox, file) = ctx
            .store(move |s| {
                let message = find(s, id)?;
                let file = s
                    .voicemail_file(id)
                    .map_err(|e| ApiError::from_store(e, "id"))?;
                s.delete_voicemail(id)
                    .map_err(|e| ApiError::from_store(e, "id"))?;
                Ok((message.mailbox, file))
            })
            .await?;
        // The store names files inside `voicemail/` without a folder; anything else is not
        // ours to delete.
        let path = file
            .filter(|f| crate::voicemail_audio::plain_file_name(f))
            .map(|f| ctx.data_dir().join(crate::voicemail_audio::FOLDER).join(f));
        if let Some(path) = path {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                // The message is deleted; a file left behind is only disk space.
                Err(e) => {
                    tracing::warn!(error = %e, "a deleted voicemail's file could not be removed")
                }
            }
        }
        changed(ctx, &mailbox).await;
        Ok(DeleteVoicemailResponse {})
    }
}

/// Every extension's mailbox, switched on or not, ordered by number.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListMailboxesRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListMailboxesResponse {
    pub mailboxes: Vec<Mailbox>,
}

impl Command for ListMailboxesRequest {
    const NAME: &'static str = "list_mailboxes";
    type Response = ListMailboxesResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListMailboxesResponse, ApiError> {
        let mailboxes = ctx.store(|s| Ok(s.mailboxes()?)).await?;
        Ok(ListMailboxesResponse {
            mailboxes: mailboxes.into_iter().map(Mailbox::from).collect(),
        })
    }
}

/// Switches a mailbox on, or changes its PIN. The PIN is chosen by the owner (there is no
/// default one) and refused when easy to guess (`1234`, `0000`, the number itself).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EnableMailboxRequest {
    /// The extension's or ring group's number.
    pub number: String,
    /// 4 to 10 digits, asked for when listening by phone.
    pub pin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EnableMailboxResponse {
    pub mailbox: Mailbox,
}

impl Command for EnableMailboxRequest {
    const NAME: &'static str = "enable_mailbox";
    type Response = EnableMailboxResponse;

    async fn run(self, ctx: &Ctx) -> Result<EnableMailboxResponse, ApiError> {
        let number = self.number.trim().to_owned();
        let pin = self.pin;
        let mailbox = ctx
            .store(move |s| {
                s.enable_mailbox(&number, &pin)
                    .map_err(|e| ApiError::from_store(e, "number"))?;
                mailbox_of(s, &number)
            })
            .await?;
        changed(ctx, &mailbox.number).await;
        Ok(EnableMailboxResponse { mailbox })
    }
}

/// Switches a mailbox off and forgets its PIN: calls no longer leave messages there. The
/// messages already in it are kept.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DisableMailboxRequest {
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DisableMailboxResponse {
    pub mailbox: Mailbox,
}

impl Command for DisableMailboxRequest {
    const NAME: &'static str = "disable_mailbox";
    type Response = DisableMailboxResponse;

    async fn run(self, ctx: &Ctx) -> Result<DisableMailboxResponse, ApiError> {
        let number = self.number.trim().to_owned();
        let mailbox = ctx
            .store(move |s| {
                s.disable_mailbox(&number)?;
                mailbox_of(s, &number)
            })
            .await?;
        changed(ctx, &mailbox.number).await;
        Ok(DisableMailboxResponse { mailbox })
    }
}

/// The message `id`, or "there is no voicemail message <id>" on the `id` field.
fn find(s: &store::Store, id: i64) -> Result<store::VoicemailMessage, ApiError> {
    s.voicemail_messages(None)?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| ApiError::NotFound {
            message: format!("there is no voicemail message {id}"),
            field: "id",
        })
}

fn mailbox_of(s: &store::Store, number: &str) -> Result<Mailbox, ApiError> {
    s.mailboxes()?
        .into_iter()
        .find(|m| m.number == number)
        .map(Mailbox::from)
        .ok_or_else(|| ApiError::NotFound {
            message: format!("there is no extension or ring group {number}"),
            field: "number",
        })
}

/// The PBX re-reads mailboxes and message counts now rather than within a second; a stopped
/// PBX reads them when it starts, so that is not the caller's error.
async fn changed(ctx: &Ctx, mailbox: &str) {
    if let Err(e) = ctx.engine.reload_extensions().await {
        tracing::warn!(error = %e, "saved the voicemail change; the PBX will read it when it runs");
    }
    ctx.publish(Event::VoicemailChanged {
        mailbox: mailbox.to_owned(),
    });
}
