//! What the application holds: commands in, events out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot};

use media::sdp::CodecSpec;

use super::net::LocalIp;
use crate::audio::AudioBackend;
use crate::ua::{Account, CallHandle, Party, RefuseReason, RegistrationEvent, TransferProgress};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("the phone has stopped")]
    Stopped,
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Phone(#[from] crate::Error),
}

/// What happened, for the screen (or a test reading JSON lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneEvent {
    Registration(RegistrationEvent),
    Incoming {
        call: CallHandle,
        caller: Party,
    },
    Ringing {
        call: CallHandle,
    },
    Answered {
        call: CallHandle,
    },
    /// The call could not be set up (`status` of the final response).
    Failed {
        call: CallHandle,
        status: u16,
        reason: String,
    },
    /// Hold changed: `held_locally` once our hold is accepted, `held_remotely` while the
    /// far end holds us (it sends nothing).
    HoldChanged {
        call: CallHandle,
        held_locally: bool,
        held_remotely: bool,
    },
    Ended {
        call: CallHandle,
        reason: String,
    },
    /// A key the far end pressed (RFC 4733 in the media, or SIP INFO).
    Key {
        call: CallHandle,
        key: char,
    },
    /// A transfer asked for on `call` moved on; after `Succeeded` the call ends.
    Transfer {
        call: CallHandle,
        progress: TransferProgress,
    },
    /// A call refused without ringing (do not disturb, or no room for another call).
    Refused {
        caller: Party,
        reason: RefuseReason,
    },
    /// The call's audio started (or restarted after a new answer) with this codec: its
    /// `a=rtpmap` name ("opus", "G722", "PCMU", "PCMA") and RTP clock rate.
    Codec {
        call: CallHandle,
        codec: String,
        clock_rate: u32,
        /// The call's audio is SRTP.
        encrypted: bool,
    },
    /// The call's quality figures changed (an RTCP report went out or came in).
    Quality {
        call: CallHandle,
        quality: crate::call_media::CallQuality,
    },
    /// A microphone or speaker chosen during a call: `problem` says why the call could
    /// not move to it ("Could not open Headset; the call stays on Laptop."), `None` when
    /// it did.
    DeviceChoice {
        call: CallHandle,
        problem: Option<String>,
    },
}

/// How the phone places and takes calls, beyond its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneOptions {
    /// What calls offer and accept, best first, telephone-event included
    /// ([`crate::call_media::default_offer`], [`crate::call_media::parse_offer`]).
    pub codecs: Vec<CodecSpec>,
    /// Register with the account's server. Off for calls straight to another phone (the
    /// server is then that phone's address): nothing is registered, calls still work.
    pub register: bool,
    /// For a TLS account: the SHA-256 fingerprint (`AB:CD:…`) the server's certificate
    /// must have (pinning, for the PBX's self-signed certificate). `None`: the system's
    /// trusted authorities must vouch for it instead.
    pub tls_fingerprint: Option<String>,
    /// Take SIP on this UDP address (say `0.0.0.0:5060`), so another phone can call this
    /// one straight at a known port; `None`: a port of the system's choosing, which only
    /// the server learns (by the registration). The address stays whatever the network
    /// does.
    pub listen: Option<SocketAddr>,
    /// How often the account asks which local address reaches its server, to follow the
    /// PC to a new network. On Linux the kernel's word of a new address or route makes it
    /// ask at once as well; this poll is what other systems have.
    pub network_check: Duration,
    /// Whether calls encrypt their audio (SRTP): auto (over TLS), off or required.
    pub srtp: crate::call_media::SrtpMode,
}

impl Default for PhoneOptions {
    fn default() -> Self {
        PhoneOptions {
            codecs: crate::call_media::default_offer(),
            register: true,
            tls_fingerprint: None,
            listen: None,
            network_check: Duration::from_secs(2),
            srtp: crate::call_media::SrtpMode::Auto,
        }
    }
}

pub(super) type Reply<T> = oneshot::Sender<Result<T, RuntimeError>>;

pub(super) enum Command {
    Dial(String, Reply<CallHandle>),
    Answer(CallHandle, Reply<()>),
    Decline(CallHandle, Reply<()>),
    HangUp(CallHandle, Reply<()>),
    Hold(CallHandle, Reply<()>),
    Resume(CallHandle, Reply<()>),
    SendDtmf(CallHandle, String, Reply<()>),
    SetMuted(CallHandle, bool, Reply<()>),
    Transfer(CallHandle, String, Reply<()>),
    Consult(CallHandle, String, Reply<CallHandle>),
    CompleteTransfer(CallHandle, CallHandle, Reply<()>),
    SetDnd(bool, Reply<()>),
    SetSrtp(crate::call_media::SrtpMode, Reply<()>),
    Shutdown(Reply<()>),
}

/// A running account: see the module docs.
#[derive(Clone)]
pub struct Phone {
    commands: mpsc::Sender<Command>,
    events: broadcast::Sender<PhoneEvent>,
    /// The receiver made with the channel, before the account started: the first
    /// subscriber gets it, so the events of the first moments (a registration answered
    /// at once on a fast network) are not lost to it.
    first: Arc<std::sync::Mutex<Option<broadcast::Receiver<PhoneEvent>>>>,
    /// Where the account's SIP socket took requests when it started.
    sip_addr: SocketAddr,
}

impl Phone {
    /// Binds the account's sockets and starts registering. Calls play and capture on
    /// `audio`'s default devices.
    pub async fn start(
        account: Account,
        audio: Arc<dyn AudioBackend>,
    ) -> Result<Phone, RuntimeError> {
        Self::start_with(account, audio, PhoneOptions::default()).await
    }

    /// As [`Phone::start`], with the codecs to offer and whether to register.
    pub async fn start_with(
        account: Account,
        audio: Arc<dyn AudioBackend>,
        options: PhoneOptions,
    ) -> Result<Phone, RuntimeError> {
        let route: LocalIp = Arc::new(super::net::routed_ip);
        Self::start_on(account, audio, options, route).await
    }

    /// As [`Phone::start_with`], with the local address to use towards the server
    /// chosen by `local_ip` instead of the routing table (a fixed interface). It is
    /// asked again every few seconds: when its answer changes, the account registers
    /// from the new address and the calls' audio moves there.
    pub async fn start_on(
        account: Account,
        audio: Arc<dyn AudioBackend>,
        options: PhoneOptions,
        local_ip: LocalIp,
    ) -> Result<Phone, RuntimeError> {
        let (commands, rx) = mpsc::channel(32);
        let (events, first) = broadcast::channel(256);
        let sip_addr =
            super::account::spawn(account, audio, options, local_ip, rx, events.clone()).await?;
        let first = Arc::new(std::sync::Mutex::new(Some(first)));
        Ok(Phone {
            commands,
            events,
            first,
            sip_addr,
        })
    }

    /// The address the account's SIP socket had when it started (the one another phone
    /// calls with [`PhoneOptions::listen`]).
    pub fn sip_addr(&self) -> SocketAddr {
        self.sip_addr
    }

    /// Events from now on; the first subscriber also gets those since the start.
    pub fn subscribe(&self) -> broadcast::Receiver<PhoneEvent> {
        let first = self.first.lock().unwrap_or_else(|p| p.into_inner()).take();
        first.unwrap_or_else(|| self.events.subscribe())
    }

    /// Calls `target` (a number or a SIP URI).
    pub async fn dial(&self, target: &str) -> Result<CallHandle, RuntimeError> {
        self.ask(|r| Command::Dial(target.to_owned(), r)).await
    }

    /// Answers a ringing call; a call already talking is put on hold first (call
    /// waiting).
    pub async fn answer(&self, call: CallHandle) -> Result<(), RuntimeError> {
        self.ask(|r| Command::Answer(call, r)).await
    }

    /// Refuses a ringing call (486 Busy Here).
    pub async fn decline(&self, call: CallHandle) -> Result<(), RuntimeError> {
        self.ask(|r| Command::Decline(call, r)).await
    }

    pub async fn hang_up(&self, call: CallHandle) -> Result<(), RuntimeError> {
        self.ask(|r| Command::HangUp(call, r)).await
    }

    pub async fn hold(&self, call: CallHandle) -> Result<(), RuntimeError> {
        self.ask(|r| Command::Hold(call, r)).await
    }

    /// Takes `call` off hold; any other call talking is put on hold (switching calls).
    pub async fn resume(&self, call: CallHandle) -> Result<(), RuntimeError> {
        self.ask(|r| Command::Resume(call, r)).await
    }

    /// Sends `keys` one after the other: RFC 4733 events when the far end agreed to
    /// them, else SIP INFO.
    pub async fn send_dtmf(&self, call: CallHandle, keys: &str) -> Result<(), RuntimeError> {
        self.ask(|r| Command::SendDtmf(call, keys.to_owned(), r))
            .await
    }

    /// Stops (or restarts) sending the microphone on `call`; the far end hears silence.
    pub async fn set_muted(&self, call: CallHandle, muted: bool) -> Result<(), RuntimeError> {
        self.ask(|r| Command::SetMuted(call, muted, r)).await
    }

    /// Blind transfer: the server takes `call`'s far end to `target`; the call ends
    /// once the target answers ([`PhoneEvent::Transfer`] tells how it goes).
    pub async fn transfer(&self, call: CallHandle, target: &str) -> Result<(), RuntimeError> {
        self.ask(|r| Command::Transfer(call, target.to_owned(), r))
            .await
    }

    /// Attended transfer, first step: holds `call` and calls `target` to ask first.
    pub async fn consult(
        &self,
        call: CallHandle,
        target: &str,
    ) -> Result<CallHandle, RuntimeError> {
        self.ask(|r| Command::Consult(call, target.to_owned(), r))
            .await
    }

    /// Attended transfer, second step: joins `call`'s far end with `consult`'s.
    pub async fn complete_transfer(
        &self,
        call: CallHandle,
        consult: CallHandle,
    ) -> Result<(), RuntimeError> {
        self.ask(|r| Command::CompleteTransfer(call, consult, r))
            .await
    }

    /// Do not disturb: new calls get busy (486) and come as [`PhoneEvent::Refused`].
    pub async fn set_dnd(&self, on: bool) -> Result<(), RuntimeError> {
        self.ask(|r| Command::SetDnd(on, r)).await
    }

    /// Whether calls encrypt their audio, from the next call on (offered or answered):
    /// the account stays registered and the calls under way keep what they agreed.
    pub async fn set_srtp(&self, mode: crate::call_media::SrtpMode) -> Result<(), RuntimeError> {
        self.ask(|r| Command::SetSrtp(mode, r)).await
    }

    /// Hangs up every call, unregisters and stops; recordings are closed when it returns.
    pub async fn shutdown(&self) -> Result<(), RuntimeError> {
        self.ask(Command::Shutdown).await
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, RuntimeError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| RuntimeError::Stopped)?;
        rx.await.map_err(|_| RuntimeError::Stopped)?
    }
}

impl CallHandle {
    /// A number naming the call within its account, for logs and machine-read output.
    pub fn id(self) -> u64 {
        self.0
    }
}
