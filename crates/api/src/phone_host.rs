//! Owns the app's softphone: started from the saved account, restarted when it is saved,
//! stopped when it is removed or the server stops. Keeps what the phone screen shows (the
//! registration and the calls) from the phone's events, and tells the screens.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use phone::audio::{
    AudioBackend, AudioError, Capture, CpalBackend, DeviceInfo, FileBackend, FileSource, Playback,
};
use phone::audio::{ChoiceStamp, Selected};
use phone::dsp::VoiceSwitches;
use phone::runtime::{Phone, PhoneEvent};
use phone::ua::{CallHandle, RegistrationEvent, TransferProgress};
use sip::Transport;
use store::NewPhoneCall;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::command::now_unix;
use crate::commands::phone::{
    AudioState, CallQuality, CallState, PhoneCall, RegState, Registration,
};
use crate::commands::phone_audio::{self, AudioTools};
use crate::events::Event;

/// How long an ended call stays on the screen.
const ENDED_KEPT: Duration = Duration::from_secs(60);

/// The env var tests set to use files instead of sound cards: `file:<tone-hz>:<record.wav>`.
const AUDIO_ENV: &str = "SWITCHBOARD_PHONE_AUDIO";

struct Running {
    phone: Phone,
    listener: JoinHandle<()>,
}

struct State {
    running: Option<Running>,
    registration: Registration,
    calls: BTreeMap<u64, (PhoneCall, Option<Instant>)>,
    /// The runtime's handle of each call shown.
    handles: BTreeMap<u64, CallHandle>,
    /// Do not disturb, kept across restarts of the phone (not across restarts of the app).
    dnd: bool,
    /// Whether calls encrypt their audio (the saved setting), for the phone's next starts.
    srtp: store::PhoneSrtp,
    /// Why a call could not move to the device chosen last, until the next choice.
    device_problem: Option<String>,
}

/// See the module docs. Shared by every command.
pub(crate) struct PhoneHost {
    state: Arc<Mutex<State>>,
    events: broadcast::Sender<Event>,
    backend: Arc<dyn AudioBackend>,
    /// The device test and the sound settings in force.
    audio_tools: Arc<AudioTools>,
    /// Why there is no sound card, when there is none (calls then run on silence).
    audio_error: Option<String>,
    /// The chosen microphone and speaker, as saved (what the screen shows).
    devices: Arc<Mutex<store::PhoneAudio>>,
    /// The same choice in front of the sound system: read each time a device opens, and
    /// followed at once by the calls under way (they move to a newly chosen device).
    selected: Selected,
    /// Finished calls on their way to the call history (see `phone_history.rs`).
    history: mpsc::UnboundedSender<NewPhoneCall>,
    /// Taken by [`PhoneHost::attach_store`], which starts the writer.
    history_rx: Mutex<Option<mpsc::UnboundedReceiver<NewPhoneCall>>>,
}

impl PhoneHost {
    /// The phone host with the saved devices and sound settings.
    pub(crate) fn new(
        events: broadcast::Sender<Event>,
        devices: store::PhoneAudio,
        sound: &store::PhoneSound,
    ) -> PhoneHost {
        let (backend, audio_error) = pick_backend();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(phone_audio::watch_devices(
                Arc::clone(&backend),
                events.clone(),
            ));
        }
        let (history, history_rx) = mpsc::unbounded_channel();
        let selected = Selected::new(
            Arc::clone(&backend),
            devices.input.clone(),
            devices.output.clone(),
        );
        PhoneHost {
            state: Arc::new(Mutex::new(State {
                running: None,
                registration: off(),
                calls: BTreeMap::new(),
                handles: BTreeMap::new(),
                dnd: false,
                srtp: sound.srtp,
                device_problem: None,
            })),
            events,
            backend,
            audio_tools: Arc::new(AudioTools::new(sound)),
            audio_error,
            selected,
            devices: Arc::new(Mutex::new(devices)),
            history,
            history_rx: Mutex::new(Some(history_rx)),
        }
    }

    /// Starts writing finished calls to the database's call history (once).
    pub(crate) fn attach_store(&self, store: Arc<Mutex<store::Store>>) {
        let rx = self
            .history_rx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(rx) = rx {
            tokio::spawn(crate::phone_history::write(rx, store, self.events.clone()));
        }
    }

    pub(crate) fn dnd(&self) -> bool {
        self.lock().dnd
    }

    /// Do not disturb on or off, now and for the phone's next starts.
    pub(crate) async fn set_dnd(&self, on: bool) {
        self.lock().dnd = on;
        if let Some(phone) = self.phone() {
            if let Err(err) = phone.set_dnd(on).await {
                tracing::warn!(%err, "do not disturb not applied");
            }
        }
        self.changed();
    }

    /// Whether calls encrypt their audio, from the next call on: the running phone
    /// follows at once, without signing in again.
    pub(crate) async fn set_srtp(&self, srtp: store::PhoneSrtp) {
        self.lock().srtp = srtp;
        if let Some(phone) = self.phone() {
            if let Err(err) = phone.set_srtp(srtp_mode(srtp)).await {
                tracing::warn!(%err, "encryption setting not applied");
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The running phone, if any.
    pub(crate) fn phone(&self) -> Option<Phone> {
        self.lock().running.as_ref().map(|r| r.phone.clone())
    }

    /// Stops the phone (if running) and starts it again with `account` (none: stays off).
    pub(crate) async fn restart(&self, account: Option<&store::PhoneAccount>) {
        self.stop().await;
        let Some(account) = account else {
            return;
        };
        // A direct account registers nowhere: its state is the direct-call line instead.
        let registering = Registration {
            state: if account.direct_port.is_some() {
                RegState::Off
            } else {
                RegState::Registering
            },
            reason: None,
        };
        let reason = match to_phone_account(account).await {
            Ok(ua_account) => {
                let audio: Arc<dyn AudioBackend> = Arc::new(self.chosen());
                let options = phone::runtime::PhoneOptions {
                    tls_fingerprint: account.tls_fingerprint.clone(),
                    srtp: srtp_mode(self.lock().srtp),
                    // Direct calls: the server is the other phone, the only one whose calls
                    // the runtime lets ring (others get 403).
                    register: account.direct_port.is_none(),
                    listen: account
                        .direct_port
                        .map(|port| SocketAddr::from(([0, 0, 0, 0], port))),
                    ..Default::default()
                };
                match Phone::start_with(ua_account, Arc::clone(&audio), options).await {
                    Ok(phone) => {
                        // The state's listener subscribes first: the first subscriber gets
                        // every event since the phone started, and a refusal can arrive
                        // within a millisecond. "Registering" is set before it runs, so it
                        // never overwrites an answer already in.
                        let events = phone.subscribe();
                        self.lock().registration = registering;
                        let listener = tokio::spawn(listen(
                            events,
                            Arc::clone(&self.state),
                            self.events.clone(),
                            self.history.clone(),
                        ));
                        tokio::spawn(phone_audio::ring(
                            phone.subscribe(),
                            Arc::clone(&self.audio_tools),
                            audio,
                        ));
                        if self.dnd() {
                            let _ = phone.set_dnd(true).await;
                        }
                        let mut state = self.lock();
                        state.running = Some(Running { phone, listener });
                        drop(state);
                        self.changed();
                        return;
                    }
                    Err(e) => e.to_string(),
                }
            }
            Err(e) => e,
        };
        self.lock().registration = Registration {
            state: RegState::Failed,
            reason: Some(reason),
        };
        self.changed();
    }

    /// Hangs up, unregisters and stops.
    pub(crate) async fn stop(&self) {
        let running = self.lock().running.take();
        if let Some(running) = running {
            let _ = running.phone.shutdown().await;
            running.listener.abort();
        }
        let mut state = self.lock();
        state.registration = off();
        state.calls.clear();
        state.handles.clear();
        drop(state);
        self.changed();
    }

    /// Chooses the microphone and speaker: calls under way move to them at once, a call
    /// ringing rings on the new speaker (when it rings on the speaker), and the next calls
    /// open them.
    pub(crate) fn set_devices(&self, devices: store::PhoneAudio) {
        self.selected
            .choose(devices.input.clone(), devices.output.clone());
        *self.devices.lock().unwrap_or_else(|p| p.into_inner()) = devices;
        // A new choice: what the last one came to no longer applies. A call under way
        // reports (`PhoneEvent::DeviceChoice`) whether this one opened.
        self.lock().device_problem = None;
        self.audio_tools.ring_changed.notify_one();
    }

    pub(crate) fn audio_tools(&self) -> &AudioTools {
        &self.audio_tools
    }

    /// Why there is no sound card, when there is none.
    pub(crate) fn audio_error(&self) -> Option<String> {
        self.audio_error.clone()
    }

    /// The chosen devices (falling back to the defaults) as a backend, for the device test.
    pub(crate) fn chosen_devices(&self) -> Arc<dyn AudioBackend> {
        Arc::new(self.chosen())
    }

    fn chosen(&self) -> Chosen {
        Chosen {
            selected: self.selected.clone(),
            tools: Arc::clone(&self.audio_tools),
        }
    }

    pub(crate) fn registration(&self) -> Registration {
        self.lock().registration.clone()
    }

    /// The calls to show; ended ones older than a minute are dropped here.
    pub(crate) fn calls(&self) -> Vec<PhoneCall> {
        let mut state = self.lock();
        state
            .calls
            .retain(|_, (_, ended)| ended.is_none_or(|t| t.elapsed() < ENDED_KEPT));
        state.calls.values().map(|(c, _)| c.clone()).collect()
    }

    /// The runtime's handle of a call still shown.
    pub(crate) fn handle(&self, id: u64) -> Option<CallHandle> {
        let shown = self.calls().iter().any(|c| c.id == id);
        let state = self.lock();
        shown.then(|| state.handles.get(&id).copied()).flatten()
    }

    /// Records a call this side placed, before its first event.
    pub(crate) fn dialled(&self, handle: CallHandle, number: &str) -> PhoneCall {
        self.placed(handle, number, None)
    }

    /// Records a consultation call placed to ask `number` before transferring `call`.
    pub(crate) fn consulted(&self, handle: CallHandle, number: &str, call: u64) -> PhoneCall {
        self.placed(handle, number, Some(call))
    }

    fn placed(&self, handle: CallHandle, number: &str, consult_for: Option<u64>) -> PhoneCall {
        let id = handle.id();
        let call = PhoneCall {
            id,
            direction: crate::commands::phone::CallDirection::Out,
            number: number.to_owned(),
            name: None,
            state: CallState::Calling,
            held_by_far_end: false,
            muted: false,
            started_at: now_unix(),
            answered_at: None,
            ended_reason: None,
            codec: None,
            encrypted: false,
            transfer: None,
            consult_for,
            quality: CallQuality::default(),
        };
        let mut state = self.lock();
        state.handles.insert(id, handle);
        let shown = state
            .calls
            .entry(id)
            .or_insert_with(|| (call, None))
            .0
            .clone();
        drop(state);
        self.changed();
        shown
    }

    pub(crate) fn set_muted(&self, id: u64, on: bool) {
        if let Some((call, _)) = self.lock().calls.get_mut(&id) {
            call.muted = on;
        }
        self.changed();
    }

    pub(crate) fn audio(&self) -> AudioState {
        let devices = self
            .devices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let names = |list: Result<Vec<DeviceInfo>, AudioError>| {
            list.map(|l| l.into_iter().map(|d| d.name).collect())
                .unwrap_or_default()
        };
        let (inputs, outputs) = if self.audio_error.is_some() {
            (Vec::new(), Vec::new())
        } else {
            (
                names(self.backend.input_devices()),
                names(self.backend.output_devices()),
            )
        };
        AudioState {
            available: self.audio_error.is_none(),
            error: self.audio_error.clone(),
            inputs,
            outputs,
            input: devices.input,
            output: devices.output,
            device_problem: self.lock().device_problem.clone(),
        }
    }

    pub(crate) fn changed(&self) {
        let _ = self.events.send(Event::PhoneChanged {});
    }
}

fn srtp_mode(srtp: store::PhoneSrtp) -> phone::call_media::SrtpMode {
    match srtp {
        store::PhoneSrtp::Auto => phone::call_media::SrtpMode::Auto,
        store::PhoneSrtp::Off => phone::call_media::SrtpMode::Off,
        store::PhoneSrtp::Required => phone::call_media::SrtpMode::Required,
    }
}

fn off() -> Registration {
    Registration {
        state: RegState::Off,
        reason: None,
    }
}

/// Files when the env var asks for them, else the sound card; with no device at all,
/// calls run on silence and the screen says why.
fn pick_backend() -> (Arc<dyn AudioBackend>, Option<String>) {
    if let Ok(spec) = std::env::var(AUDIO_ENV) {
        let mut parts = spec.splitn(3, ':');
        if let (Some("file"), Some(hz), Some(wav)) = (parts.next(), parts.next(), parts.next()) {
            let source = hz
                .parse::<f64>()
                .map(FileSource::Tone)
                .unwrap_or(FileSource::Silence);
            let sink = (!wav.is_empty()).then(|| PathBuf::from(wav));
            return (Arc::new(FileBackend::new(source, sink, 8_000)), None);
        }
        tracing::warn!(%spec, "{AUDIO_ENV} is not file:<hz>:<wav>; using the sound card");
    }
    let cpal = CpalBackend::new();
    let has = |l: Result<Vec<DeviceInfo>, AudioError>| l.map(|l| !l.is_empty()).unwrap_or(false);
    if has(cpal.input_devices()) || has(cpal.output_devices()) {
        (Arc::new(cpal), None)
    } else {
        (
            Arc::new(FileBackend::null()),
            Some("no audio device".to_owned()),
        )
    }
}

/// The stored account as the phone takes it; the server's name is looked up here.
pub(crate) async fn to_phone_account(
    account: &store::PhoneAccount,
) -> Result<phone::ua::Account, String> {
    let server = resolve(&account.server).await?;
    Ok(phone::ua::Account {
        server,
        transport: match account.transport.as_str() {
            "tcp" => Transport::Tcp,
            "tls" => Transport::Tls,
            _ => Transport::Udp,
        },
        domain: None,
        user: account.user.clone(),
        auth_user: account.auth_user.clone(),
        password: account.password.clone(),
        display_name: account.display_name.clone(),
        expires: 600,
    })
}

/// `host:port` to an address.
pub(crate) async fn resolve(server: &str) -> Result<SocketAddr, String> {
    let bad = || "must be host:port".to_owned();
    let (host, port) = server.rsplit_once(':').ok_or_else(bad)?;
    if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
        return Err(bad());
    }
    tokio::net::lookup_host(server)
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("cannot find {host}"))
}

/// The chosen devices in place of the defaults the runtime asks for (the defaults when
/// the chosen ones are missing), as chosen when a device is opened, and the voice
/// processing switches the user sets, which calls follow as they change.
struct Chosen {
    selected: Selected,
    tools: Arc<AudioTools>,
}

impl Chosen {
    fn inner(&self) -> &Selected {
        &self.selected
    }
}

impl AudioBackend for Chosen {
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.inner().input_devices()
    }
    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        self.inner().output_devices()
    }
    fn open_capture(&self, device: Option<&str>, rate: u32) -> Result<Capture, AudioError> {
        self.inner().open_capture(device, rate)
    }
    fn open_playback(&self, device: Option<&str>, rate: u32) -> Result<Playback, AudioError> {
        self.inner().open_playback(device, rate)
    }
    fn choice_stamp(&self) -> ChoiceStamp {
        self.selected.choice_stamp()
    }
    fn voice_processing(&self) -> VoiceSwitches {
        // What the devices allow (nothing on a file device) limits the user's switches.
        let allowed = self.inner().voice_processing().current();
        VoiceSwitches::shared(Arc::clone(&self.tools.processing)).and(allowed)
    }
}

/// Turns the phone's events into the screen's state.
async fn listen(
    mut events: broadcast::Receiver<PhoneEvent>,
    state: Arc<Mutex<State>>,
    screens: broadcast::Sender<Event>,
    history: mpsc::UnboundedSender<NewPhoneCall>,
) {
    loop {
        let event = match events.recv().await {
            Ok(e) => e,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let mut incoming = None;
        let mut finished = None;
        {
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            apply(&mut s, &event, &mut incoming, &mut finished);
        }
        if let Some(call) = finished {
            let _ = history.send(call);
        }
        if let Some(e) = incoming {
            let _ = screens.send(e);
        }
        let _ = screens.send(Event::PhoneChanged {});
    }
}

fn apply(
    s: &mut State,
    event: &PhoneEvent,
    incoming: &mut Option<Event>,
    finished: &mut Option<NewPhoneCall>,
) {
    let now = now_unix();
    let mut end = |s: &mut State, call: CallHandle, reason: String| {
        if let Some((c, ended)) = s.calls.get_mut(&call.id()) {
            if c.state == CallState::Ended {
                return;
            }
            // A call ringing here that we ended ourselves was declined: seen, not missed.
            let declined = c.state == CallState::Ringing && reason == "local";
            c.state = CallState::Ended;
            c.ended_reason = Some(reason);
            *ended = Some(Instant::now());
            *finished = Some(crate::phone_history::finished(c, declined));
        }
    };
    match event {
        PhoneEvent::Registration(r) => {
            s.registration = match r {
                RegistrationEvent::Registered { .. } => Registration {
                    state: RegState::Registered,
                    reason: None,
                },
                RegistrationEvent::Unregistered => off(),
                RegistrationEvent::Failed { status, reason, .. } => Registration {
                    state: RegState::Failed,
                    reason: Some(format!("{status} {reason}")),
                },
            }
        }
        PhoneEvent::Incoming { call, caller } => {
            s.handles.insert(call.id(), *call);
            s.calls.insert(
                call.id(),
                (
                    PhoneCall {
                        id: call.id(),
                        direction: crate::commands::phone::CallDirection::In,
                        number: caller.number.clone(),
                        name: caller.name.clone(),
                        state: CallState::Ringing,
                        held_by_far_end: false,
                        muted: false,
                        started_at: now,
                        answered_at: None,
                        ended_reason: None,
                        codec: None,
                        encrypted: false,
                        transfer: None,
                        consult_for: None,
                        quality: CallQuality::default(),
                    },
                    None,
                ),
            );
            *incoming = Some(Event::PhoneIncoming {
                call: call.id(),
                name: caller.name.clone(),
                number: caller.number.clone(),
            });
        }
        PhoneEvent::Ringing { .. } | PhoneEvent::Key { .. } => {}
        PhoneEvent::Answered { call } => {
            if let Some((c, _)) = s.calls.get_mut(&call.id()) {
                c.state = CallState::Talking;
                c.answered_at = Some(now);
            }
        }
        PhoneEvent::HoldChanged {
            call,
            held_locally,
            held_remotely,
        } => {
            if let Some((c, _)) = s.calls.get_mut(&call.id()) {
                c.state = if *held_locally {
                    CallState::Held
                } else {
                    CallState::Talking
                };
                c.held_by_far_end = *held_remotely;
            }
        }
        PhoneEvent::Failed {
            call,
            status,
            reason,
        } => end(s, *call, format!("{status} {reason}")),
        PhoneEvent::Ended { call, reason } => end(s, *call, reason.clone()),
        PhoneEvent::Transfer { call, progress } => {
            if let Some((c, _)) = s.calls.get_mut(&call.id()) {
                c.transfer = Some(match progress {
                    TransferProgress::Accepted => "transferring".to_owned(),
                    TransferProgress::Trying(180..=183) => "target ringing".to_owned(),
                    TransferProgress::Trying(_) => "transferring".to_owned(),
                    TransferProgress::Succeeded => "transferred".to_owned(),
                    TransferProgress::Failed(status) => {
                        format!("transfer failed: {status} {}", sip::default_reason(*status))
                    }
                });
            }
        }
        PhoneEvent::Refused { caller, .. } => {
            *finished = Some(crate::phone_history::refused(
                &caller.number,
                caller.name.as_deref(),
            ));
        }
        PhoneEvent::Codec {
            call,
            codec,
            encrypted,
            ..
        } => {
            if let Some((c, _)) = s.calls.get_mut(&call.id()) {
                c.codec = Some(codec.clone());
                c.encrypted = *encrypted;
            }
        }
        PhoneEvent::DeviceChoice { problem, .. } => s.device_problem = problem.clone(),
        PhoneEvent::Quality { call, quality } => {
            if let Some((c, _)) = s.calls.get_mut(&call.id()) {
                c.quality = CallQuality {
                    loss_percent: quality.loss_percent,
                    far_loss_percent: quality.far_loss_percent,
                    jitter_ms: quality.jitter.map(|d| d.as_millis() as u32),
                    round_trip_ms: quality.round_trip.map(|d| d.as_millis() as u32),
                };
            }
        }
    }
}
