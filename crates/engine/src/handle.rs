//! The running PBX as the rest of the program sees it: ask it questions, tell it to
//! hang up a call, and listen to what happens. Every request is a message to the core
//! task, so the PBX state has one owner and needs no locks.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use pbx::trunk::TrunkState;
use pbx::{LiveCall, PbxEvent};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

/// A phone registered to an extension, for the admin screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub extension: String,
    pub contact: String,
    pub transport: sip::Transport,
    /// Where its packets come from (differs from the contact behind NAT).
    pub source: SocketAddr,
    pub user_agent: Option<String>,
    /// Seconds until it lapses unless the phone refreshes it.
    pub expires_in: u64,
}

/// Counts for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub registered_phones: usize,
    pub live_calls: usize,
}

/// A source the PBX has banned, for the owner's "Blocked addresses" list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanInfo {
    pub address: IpAddr,
    /// `failed_logins` or `flood`.
    pub reason: &'static str,
    /// How many times this address has been banned (each ban twice as long as the last).
    pub strikes: u32,
    /// Seconds until the ban ends on its own.
    pub remaining_secs: u64,
}

pub(crate) enum Command {
    Bans(oneshot::Sender<Vec<BanInfo>>),
    LiftBan(IpAddr, oneshot::Sender<bool>),
    SetAllowList(Vec<pbx::dialplan::AddressRule>, oneshot::Sender<()>),
    Registrations(oneshot::Sender<Vec<Registration>>),
    LiveCalls(oneshot::Sender<Vec<LiveCall>>),
    Status(oneshot::Sender<Status>),
    HangUp(String, oneshot::Sender<bool>),
    StartRecording(String, oneshot::Sender<Option<PathBuf>>),
    StopRecording(String, oneshot::Sender<Option<PathBuf>>),
    ReloadMusicOnHold(oneshot::Sender<()>),
    TrunkStates(oneshot::Sender<Vec<TrunkState>>),
    ReloadExtensions(oneshot::Sender<()>),
    SetPublicIp(Option<std::net::IpAddr>, oneshot::Sender<()>),
    SetSrtpPolicy(pbx::SrtpPolicy, oneshot::Sender<()>),
    Conference(crate::conference::ConferenceCommand, oneshot::Sender<bool>),
    Shutdown,
}

/// Talks to a running PBX. Cheap to clone.
#[derive(Clone)]
pub struct EngineHandle {
    pub(crate) commands: mpsc::Sender<Command>,
    pub(crate) events: broadcast::Sender<PbxEvent>,
    /// The addresses actually bound (useful with port 0).
    pub(crate) sip_addrs: Vec<SocketAddr>,
    /// Who is in which conference room, as the rooms publish it.
    pub(crate) conference: crate::conference::Shared,
}

/// Returned when the PBX task has stopped.
#[derive(Debug, thiserror::Error)]
#[error("the PBX is not running")]
pub struct NotRunning;

impl EngineHandle {
    pub(crate) async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, NotRunning> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(make(tx)).await.map_err(|_| NotRunning)?;
        rx.await.map_err(|_| NotRunning)
    }

    pub async fn registrations(&self) -> Result<Vec<Registration>, NotRunning> {
        self.ask(Command::Registrations).await
    }

    pub async fn live_calls(&self) -> Result<Vec<LiveCall>, NotRunning> {
        self.ask(Command::LiveCalls).await
    }

    pub async fn status(&self) -> Result<Status, NotRunning> {
        self.ask(Command::Status).await
    }

    /// The sources banned now, soonest to end first.
    pub async fn bans(&self) -> Result<Vec<BanInfo>, NotRunning> {
        self.ask(Command::Bans).await
    }

    /// Lets a banned address back in at once; `false` when it was not banned.
    pub async fn lift_ban(&self, address: IpAddr) -> Result<bool, NotRunning> {
        self.ask(|tx| Command::LiftBan(address, tx)).await
    }

    /// Replaces the owner's addresses and networks never rate limited nor banned (this
    /// machine's own stay allowed); a banned one is let in at once.
    pub async fn set_allow_list(
        &self,
        rules: Vec<pbx::dialplan::AddressRule>,
    ) -> Result<(), NotRunning> {
        self.ask(|tx| Command::SetAllowList(rules, tx)).await
    }

    /// Every trunk of the dial plan with its registration status and lines in use.
    pub async fn trunk_states(&self) -> Result<Vec<TrunkState>, NotRunning> {
        self.ask(Command::TrunkStates).await
    }

    /// Hangs up the live call with this Call-ID; `false` if there is none.
    pub async fn hang_up(&self, call_id: &str) -> Result<bool, NotRunning> {
        let call_id = call_id.to_owned();
        self.ask(|tx| Command::HangUp(call_id, tx)).await
    }

    /// Starts recording the answered call with this Call-ID into a stereo WAV (left the
    /// caller, right the callee) under the data folder's `recordings/`. Returns the path
    /// the file will have once stopped (the running recording's when there is one), or
    /// `None` when no answered call has that Call-ID.
    pub async fn start_recording(&self, call_id: &str) -> Result<Option<PathBuf>, NotRunning> {
        let call_id = call_id.to_owned();
        self.ask(|tx| Command::StartRecording(call_id, tx)).await
    }

    /// Stops the call's recording and returns once the file is complete and in place,
    /// with its path; `None` when the call was not being recorded or the file could not
    /// be written (the log says why). A call that ends finishes its recording too.
    pub async fn stop_recording(&self, call_id: &str) -> Result<Option<PathBuf>, NotRunning> {
        let call_id = call_id.to_owned();
        self.ask(|tx| Command::StopRecording(call_id, tx)).await
    }

    /// Loads the music on hold again: the owner's file in the data folder
    /// (`music-on-hold.wav`, any common audio format) if there is one, else the bundled
    /// piece. Calls put on hold from then on hear it.
    pub async fn reload_music_on_hold(&self) -> Result<(), NotRunning> {
        self.ask(Command::ReloadMusicOnHold).await
    }

    /// Re-reads the extensions and the dial plan from the database now (after the API
    /// changed them), rather than at the next check a second later.
    pub async fn reload_extensions(&self) -> Result<(), NotRunning> {
        self.ask(Command::ReloadExtensions).await
    }

    /// Advertises `public` to phones outside the LAN from the next call on (`None`: stop).
    pub async fn set_public_ip(&self, public: Option<std::net::IpAddr>) -> Result<(), NotRunning> {
        self.ask(|reply| Command::SetPublicIp(public, reply)).await
    }

    /// Applies the owner's SRTP rules from the next call on.
    pub async fn set_srtp_policy(&self, policy: pbx::SrtpPolicy) -> Result<(), NotRunning> {
        self.ask(|reply| Command::SetSrtpPolicy(policy, reply))
            .await
    }

    /// Registration and call events as they happen. A receiver that falls behind by more
    /// than the channel holds gets `Lagged` and should re-read the lists.
    pub fn subscribe(&self) -> broadcast::Receiver<PbxEvent> {
        self.events.subscribe()
    }

    /// A handle to no PBX at all, for a program that runs without one (this PC only a
    /// phone): every question answers [`NotRunning`], no event ever arrives, no address.
    pub fn not_running() -> EngineHandle {
        let (commands, _) = mpsc::channel(1);
        let (events, _) = broadcast::channel(1);
        EngineHandle {
            commands,
            events,
            sip_addrs: Vec::new(),
            conference: crate::conference::Shared::default(),
        }
    }

    pub fn sip_addrs(&self) -> &[SocketAddr] {
        &self.sip_addrs
    }

    /// Asks the PBX to stop; [`Engine::wait`] returns once it has saved everything.
    pub async fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown).await;
    }
}

/// The PBX task started by [`crate::start`].
pub struct Engine {
    pub handle: EngineHandle,
    pub(crate) task: JoinHandle<()>,
    /// The SIP-over-TLS addresses actually bound (the port is real even with port 0; the IP
    /// is the listen IP, possibly a wildcard).
    pub(crate) tls_addrs: Vec<SocketAddr>,
}

impl Engine {
    /// Where SIP over TLS is served (empty when it is off).
    pub fn tls_addrs(&self) -> &[SocketAddr] {
        &self.tls_addrs
    }

    /// Waits until the PBX has stopped (after [`EngineHandle::shutdown`]).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}
