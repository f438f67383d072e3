//! The app's own softphone: its account on a SIP server (usually this PBX), the audio
//! devices it uses, and its calls. The phone runs in this process (see `phone_host.rs`);
//! every change is pushed as [`Event::PhoneChanged`], a ringing call as
//! [`Event::PhoneIncoming`].
//!
//! [`Event::PhoneChanged`]: crate::events::Event::PhoneChanged
//! [`Event::PhoneIncoming`]: crate::events::Event::PhoneIncoming

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::commands::phone_sound::PhoneSrtpMode;
use crate::phone_host::resolve;
use crate::ApiError;

/// Everything the phone screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneState {
    /// `null`: not set up yet.
    pub account: Option<PhoneAccount>,
    pub registration: Registration,
    pub audio: AudioState,
    pub calls: Vec<PhoneCall>,
    /// Do not disturb: calls get busy and are listed as missed.
    pub dnd: bool,
    /// Missed calls not looked at yet (`phone_mark_missed_seen` clears it).
    pub missed: u32,
    /// Whether calls encrypt their audio (`phone_set_srtp` changes it).
    pub srtp: PhoneSrtpMode,
    /// Set while the phone takes direct calls (an account with `direct_port`) and runs:
    /// where it listens and for whom. `null` otherwise (see `registration`).
    pub direct: Option<DirectCalls>,
}

/// A phone taking calls straight from one other phone, with no PBX between.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DirectCalls {
    /// The UDP port this PC takes calls on (the one the running phone holds).
    pub port: u16,
    /// The other phone's `host:port`: the only one whose calls ring.
    pub peer: String,
}

/// How the account places and takes calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PhoneAccountMode {
    /// Registers with an office phone system (PBX) at `server`.
    #[default]
    Pbx,
    /// Direct calls with one phone at `server` (`host:port`), no PBX: nothing registers,
    /// calls are taken on `direct_port` and refused (403) from any other address.
    Direct,
}

/// The saved account, without its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneAccount {
    /// `host:port`.
    pub server: String,
    pub transport: PhoneTransport,
    pub user: String,
    pub auth_user: Option<String>,
    pub display_name: Option<String>,
    pub password_set: bool,
    /// For TLS: the SHA-256 fingerprint the server's certificate must have (`None`: the
    /// system's trusted authorities decide).
    pub tls_fingerprint: Option<String>,
    /// Direct calls with the phone at `server` (no PBX), taken on this UDP port; `null`
    /// for an account that registers.
    pub direct_port: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PhoneTransport {
    Udp,
    Tcp,
    /// SIP over TLS (usually port 5061).
    Tls,
}

impl PhoneTransport {
    fn parse(stored: &str) -> PhoneTransport {
        match stored {
            "tcp" => PhoneTransport::Tcp,
            "tls" => PhoneTransport::Tls,
            _ => PhoneTransport::Udp,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            PhoneTransport::Udp => "udp",
            PhoneTransport::Tcp => "tcp",
            PhoneTransport::Tls => "tls",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Registration {
    pub state: RegState,
    /// Why it failed (the server's answer), when it did.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RegState {
    Off,
    Registering,
    Registered,
    Failed,
}

/// The sound devices. Without any (`available: false`) calls still connect, silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AudioState {
    pub available: bool,
    pub error: Option<String>,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    /// The chosen devices; `null` is the system's default.
    pub input: Option<String>,
    pub output: Option<String>,
    /// Why a call under way could not move to the device chosen last ("Could not open
    /// Headset; the call stays on Laptop."); `null` once a choice opened, or after the
    /// next choice.
    pub device_problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneCall {
    pub id: u64,
    pub direction: CallDirection,
    pub number: String,
    pub name: Option<String>,
    pub state: CallState,
    pub held_by_far_end: bool,
    pub muted: bool,
    /// Unix seconds.
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_reason: Option<String>,
    /// The codec the call's audio uses once it started ("opus", "G722", "PCMU", "PCMA").
    pub codec: Option<String>,
    /// The call's audio is encrypted (SRTP), known once its audio started.
    pub encrypted: bool,
    /// How a transfer of this call goes ("transferring", "target ringing", "transferred",
    /// "transfer failed: 486 Busy Here"); `null` when none was asked.
    pub transfer: Option<String>,
    /// This call asks someone first before transferring call `consult_for` to them
    /// (attended transfer): `phone_complete_transfer { call: consult_for, consult: id }`.
    pub consult_for: Option<u64>,
    /// How the call's audio travels, from RTCP reports (RFC 3550 §6.4) every few seconds.
    pub quality: CallQuality,
}

/// A call's quality figures; each is `null` until a report made it known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct CallQuality {
    /// Share of the far end's packets lost on their way to us (last few seconds), %.
    pub loss_percent: Option<u8>,
    /// Share of our packets the far end reports lost on their way to it, %.
    pub far_loss_percent: Option<u8>,
    /// Interarrival jitter of what we receive, ms.
    pub jitter_ms: Option<u32>,
    /// Round trip to the far end (or the PBX relaying the call), ms.
    pub round_trip_ms: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    In,
    Out,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    Ringing,
    Calling,
    Talking,
    Held,
    Ended,
}

/// The direct-call line, when the saved account is direct and its phone runs.
fn direct(ctx: &Ctx, account: Option<&store::PhoneAccount>) -> Option<DirectCalls> {
    let account = account.filter(|a| a.direct_port.is_some())?;
    let phone = ctx.phone.phone()?;
    Some(DirectCalls {
        port: phone.sip_addr().port(),
        peer: account.server.clone(),
    })
}

pub(crate) async fn state(ctx: &Ctx) -> Result<PhoneState, ApiError> {
    let (account, missed, sound) = ctx
        .store(|s| {
            Ok((
                s.phone_account()?,
                s.unseen_missed_calls()?,
                s.phone_sound()?,
            ))
        })
        .await?;
    let direct = direct(ctx, account.as_ref());
    Ok(PhoneState {
        account: account.map(|a| PhoneAccount {
            server: a.server,
            transport: PhoneTransport::parse(&a.transport),
            user: a.user,
            auth_user: a.auth_user,
            display_name: a.display_name,
            password_set: !a.password.is_empty(),
            tls_fingerprint: a.tls_fingerprint,
            direct_port: a.direct_port,
        }),
        registration: ctx.phone.registration(),
        audio: ctx.phone.audio(),
        calls: ctx.phone.calls(),
        dnd: ctx.phone.dnd(),
        missed,
        srtp: sound.srtp.into(),
        direct,
    })
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetPhoneRequest {}

impl Command for GetPhoneRequest {
    const NAME: &'static str = "get_phone";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        state(ctx).await
    }
}

/// Saves the account and restarts the phone with it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SavePhoneAccountRequest {
    /// Omitted: `pbx`.
    #[serde(default)]
    #[ts(optional)]
    pub mode: Option<PhoneAccountMode>,
    /// The PBX's `host:port`; for `direct`, the other phone's.
    pub server: String,
    /// Ignored for `direct` (UDP).
    pub transport: PhoneTransport,
    /// Ignored for `direct`.
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    #[ts(optional)]
    pub auth_user: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub display_name: Option<String>,
    /// Omitted: keep the saved one.
    #[serde(default)]
    #[ts(optional)]
    pub password: Option<String>,
    /// With TLS: pin the server's certificate to this SHA-256 fingerprint (the office
    /// PBX's Settings page shows it). Omitted or blank: the system's trusted authorities.
    #[serde(default)]
    #[ts(optional)]
    pub tls_fingerprint: Option<String>,
    /// For `direct`: the UDP port this PC takes calls on (1–65535, free).
    #[serde(default)]
    #[ts(optional)]
    pub direct_port: Option<i32>,
}

/// The user name a direct account calls from (no PBX gives it one).
const DIRECT_USER: &str = "switchboard";

/// `port` as a port this PC can take calls on: in range and not held by another program
/// (the phone running now may hold it: it lets go before it starts again).
fn direct_port(ctx: &Ctx, port: Option<i32>) -> Result<u16, String> {
    let port = port.ok_or("required")?;
    let port = u16::try_from(port)
        .ok()
        .filter(|p| *p != 0)
        .ok_or("must be a port from 1 to 65535")?;
    let ours = ctx
        .phone
        .phone()
        .is_some_and(|p| p.sip_addr().port() == port);
    if !ours && std::net::UdpSocket::bind(("0.0.0.0", port)).is_err() {
        return Err(format!("port {port} is already in use on this PC"));
    }
    Ok(port)
}

fn blank_to_none(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Command for SavePhoneAccountRequest {
    const NAME: &'static str = "save_phone_account";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        let direct = self.mode == Some(PhoneAccountMode::Direct);
        let server = self.server.trim().to_owned();
        let mut user = self.user.trim().to_owned();
        let mut errors = Vec::new();
        if let Err(e) = resolve(&server).await {
            errors.push(("server".to_owned(), e));
        }
        let transport = if direct {
            PhoneTransport::Udp
        } else {
            self.transport
        };
        let mut port = None;
        if direct {
            user = DIRECT_USER.to_owned();
            match direct_port(ctx, self.direct_port) {
                Ok(p) => port = Some(p),
                Err(e) => errors.push(("direct_port".to_owned(), e)),
            }
        }
        if user.is_empty()
            || user
                .chars()
                .any(|c| c.is_whitespace() || c == '@' || c == ':')
        {
            errors.push((
                "user".to_owned(),
                "required, without spaces, @ or :".to_owned(),
            ));
        }
        let tls_fingerprint = match transport {
            PhoneTransport::Tls => blank_to_none(self.tls_fingerprint),
            _ => None,
        };
        if transport != PhoneTransport::Tls {
            let sound = ctx.store(|s| Ok(s.phone_sound()?)).await?;
            if sound.srtp == store::PhoneSrtp::Required {
                // Direct calls have no transport field to show it by: the choice itself is
                // what conflicts.
                let (field, message) = if direct {
                    (
                        "mode",
                        "encrypted audio is set to always, and direct calls are plain UDP",
                    )
                } else {
                    (
                        "transport",
                        "encrypted audio is set to always, which needs TLS",
                    )
                };
                errors.push((field.to_owned(), message.to_owned()));
            }
        }
        if tls_fingerprint
            .as_deref()
            .is_some_and(|f| phone::runtime::parse_fingerprint(f).is_none())
        {
            errors.push((
                "tls_fingerprint".to_owned(),
                "must be the 32 hex pairs of a SHA-256 fingerprint, like AB:CD:…".to_owned(),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        let new = self.password;
        let account = ctx
            .store(move |s| {
                let password = match new {
                    _ if direct => String::new(),
                    Some(p) => p,
                    None => s.phone_account()?.map(|a| a.password).unwrap_or_default(),
                };
                let account = store::PhoneAccount {
                    server,
                    transport: transport.as_str().to_owned(),
                    user,
                    auth_user: blank_to_none(self.auth_user),
                    display_name: blank_to_none(self.display_name),
                    password,
                    tls_fingerprint,
                    direct_port: port,
                };
                s.save_phone_account(&account)?;
                Ok(account)
            })
            .await?;
        ctx.phone.restart(Some(&account)).await;
        state(ctx).await
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemovePhoneAccountRequest {}

impl Command for RemovePhoneAccountRequest {
    const NAME: &'static str = "remove_phone_account";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        ctx.store(|s| Ok(s.remove_phone_account()?)).await?;
        ctx.phone.stop().await;
        state(ctx).await
    }
}

/// Chooses the microphone and speaker; `null` is the system's default. A call under way
/// moves to them at once, as does a call ringing on the speaker. Saved, so they are chosen
/// again at the next start.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetAudioDevicesRequest {
    pub input: Option<String>,
    pub output: Option<String>,
}

impl Command for SetAudioDevicesRequest {
    const NAME: &'static str = "set_audio_devices";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        let audio = ctx.phone.audio();
        let mut errors = Vec::new();
        if let Some(i) = &self.input {
            if !audio.inputs.contains(i) {
                errors.push(("input".to_owned(), "no such device".to_owned()));
            }
        }
        if let Some(o) = &self.output {
            if !audio.outputs.contains(o) {
                errors.push(("output".to_owned(), "no such device".to_owned()));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        let devices = store::PhoneAudio {
            input: self.input,
            output: self.output,
        };
        let saved = devices.clone();
        ctx.store(move |s| Ok(s.save_phone_audio(&saved)?)).await?;
        // The running phone follows the choice without a restart or a new registration:
        // calls under way move to the new devices, the next ones open them.
        ctx.phone.set_devices(devices);
        ctx.phone.changed();
        state(ctx).await
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneDialRequest {
    pub number: String,
}

impl Command for PhoneDialRequest {
    const NAME: &'static str = "phone_dial";
    type Response = PhoneCall;

    async fn run(self, ctx: &Ctx) -> Result<PhoneCall, ApiError> {
        let number = self.number.trim().to_owned();
        if number.is_empty() || number.chars().any(char::is_whitespace) {
            return Err(ApiError::field("number", "enter a number to call"));
        }
        let Some(phone) = ctx.phone.phone() else {
            return Err(ApiError::field("number", "the phone has no account"));
        };
        let call = phone
            .dial(&number)
            .await
            .map_err(|e| ApiError::field("number", e.to_string()))?;
        Ok(ctx.phone.dialled(call, &number))
    }
}

/// What to do to one call.
#[derive(Debug, Clone, Copy)]
enum Act<'a> {
    Answer,
    Decline,
    HangUp,
    Hold(bool),
    Mute(bool),
    Dtmf(&'a str),
}

pub(crate) fn call_not_found(id: u64) -> ApiError {
    ApiError::NotFound {
        message: format!("there is no call {id}"),
        field: "call",
    }
}

async fn act(ctx: &Ctx, id: u64, what: Act<'_>) -> Result<PhoneState, ApiError> {
    let not_found = || ApiError::NotFound {
        message: format!("there is no call {id}"),
        field: "call",
    };
    let (Some(phone), Some(call)) = (ctx.phone.phone(), ctx.phone.handle(id)) else {
        return Err(not_found());
    };
    let result = match what {
        Act::Answer => phone.answer(call).await,
        Act::Decline => phone.decline(call).await,
        Act::HangUp => phone.hang_up(call).await,
        Act::Hold(true) => phone.hold(call).await,
        Act::Hold(false) => phone.resume(call).await,
        Act::Mute(on) => {
            let r = phone.set_muted(call, on).await;
            if r.is_ok() {
                ctx.phone.set_muted(id, on);
            }
            r
        }
        Act::Dtmf(keys) => phone.send_dtmf(call, keys).await,
    };
    match result {
        Ok(()) => state(ctx).await,
        Err(phone::runtime::RuntimeError::Phone(phone::Error::UnknownCall)) => Err(not_found()),
        Err(e) => Err(ApiError::field("call", e.to_string())),
    }
}

macro_rules! call_command {
    ($(#[$doc:meta])* $name:ident, $wire:literal, |$req:ident| $act:expr, { $($field:ident: $ty:ty),* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Deserialize, Serialize, TS)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub call: u64,
            $(pub $field: $ty,)*
        }

        impl Command for $name {
            const NAME: &'static str = $wire;
            type Response = PhoneState;

            async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
                let $req = &self;
                act(ctx, self.call, $act).await
            }
        }
    };
}

call_command!(PhoneAnswerRequest, "phone_answer", |_r| Act::Answer, {});
call_command!(
    /// Refuses a ringing call (the caller hears busy).
    PhoneDeclineRequest, "phone_decline", |_r| Act::Decline, {}
);
call_command!(PhoneHangUpRequest, "phone_hang_up", |_r| Act::HangUp, {});
call_command!(PhoneHoldRequest, "phone_hold", |r| Act::Hold(r.on), { on: bool });
call_command!(
    /// A muted call sends silence instead of the microphone.
    PhoneMuteRequest, "phone_mute", |r| Act::Mute(r.on), { on: bool }
);
call_command!(PhoneDtmfRequest, "phone_dtmf", |r| Act::Dtmf(&r.keys), { keys: String });
