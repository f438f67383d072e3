//! Connects the PBX's relay requests to the runtime's port pool: allocation happens
//! synchronously inside the PBX (the ports go into SDP at once); forwarding starts when
//! both sides' addresses are known.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use media::sdp::PayloadFormat;
use pbx::{MediaRelay, MediaSource, RelayId, Side};

use crate::relay::{self, Music, PlaySpec, Recording, RelayHandle, RelayPool, RelayPorts};

/// Relays allocated but not yet forwarding, shared between the PBX's allocator and the
/// core loop that applies relay actions.
type Pending = Arc<Mutex<HashMap<RelayId, PendingRelay>>>;

struct PendingRelay {
    ports: RelayPorts,
    a: Option<SocketAddr>,
    b: Option<SocketAddr>,
    /// Transcoding asked for before forwarding started, applied when it does.
    transcode: Option<relay::TranscodeSpec>,
    /// SRTP keys per side negotiated before forwarding started (the caller's offer).
    srtp: [Option<relay::SrtpSpec>; 2],
}

/// The [`MediaRelay`] the PBX owns.
pub(crate) struct PoolAllocator {
    pool: RelayPool,
    pending: Pending,
    next: u64,
}

impl MediaRelay for PoolAllocator {
    fn allocate(&mut self, a_ip: IpAddr, b_ip: IpAddr) -> Option<pbx::RelayPorts> {
        let ports = match self.pool.allocate_between(a_ip, b_ip) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "RTP port allocation failed");
                return None;
            }
        };
        self.next += 1;
        let id = RelayId(self.next);
        let result = pbx::RelayPorts {
            id,
            a: ports.local_addr(relay::Side::A),
            b: ports.local_addr(relay::Side::B),
        };
        lock(&self.pending).insert(
            id,
            PendingRelay {
                ports,
                a: None,
                b: None,
                transcode: None,
                srtp: [None, None],
            },
        );
        Some(result)
    }
}

/// Running and pending relays, driven by the PBX's actions.
pub(crate) struct Relays {
    pool: RelayPool,
    pending: Pending,
    running: HashMap<RelayId, RelayHandle>,
    /// Music on hold, loaded at start (and again when the owner changes it) so no relay
    /// reads the disk; shared with the loader, which swaps it whole.
    music: Arc<RwLock<Music>>,
    /// Recording paths from the PBX are relative to it.
    data_dir: PathBuf,
    /// Recordings running, until their call ends (then they finish on their own).
    recordings: HashMap<RelayId, Recording>,
    /// Recordings just stopped, for whoever stopped them to await their end.
    stopping: Vec<Recording>,
    /// Keys pressed in calls, reported to the PBX (in-call feature codes).
    pub(crate) dtmf: relay::DtmfReports,
    /// Lists finished recordings and raises alerts; none in tests that only relay.
    keeper: Option<relay::RecordKeeper>,
}

impl Relays {
    pub fn new(pool: RelayPool, music: Music, data_dir: PathBuf) -> (Relays, PoolAllocator) {
        let pending: Pending = Arc::default();
        let allocator = PoolAllocator {
            pool: pool.clone(),
            pending: pending.clone(),
            next: 0,
        };
        let relays = Relays {
            pool,
            pending,
            running: HashMap::new(),
            music: Arc::new(RwLock::new(music)),
            data_dir,
            recordings: HashMap::new(),
            stopping: Vec::new(),
            dtmf: Default::default(),
            keeper: None,
        };
        (relays, allocator)
    }

    /// A side's phone address became known or changed.
    pub fn set_peer(&mut self, id: RelayId, side: Side, peer: SocketAddr) {
        if let Some(handle) = self.running.get(&id) {
            handle.update_peer(relay_side(side), peer);
            return;
        }
        let mut pending = lock(&self.pending);
        let Some(entry) = pending.get_mut(&id) else {
            return;
        };
        match side {
            Side::A => entry.a = Some(peer),
            Side::B => entry.b = Some(peer),
        }
        if let (Some(a), Some(b)) = (entry.a, entry.b) {
            let Some(entry) = pending.remove(&id) else {
                return;
            };
            drop(pending);
            match self.pool.start(entry.ports, a, b) {
                Ok(handle) => {
                    if let Some(spec) = &entry.transcode {
                        start_transcoding(&handle, spec);
                    }
                    let [srtp_a, srtp_b] = entry.srtp;
                    for (side, spec) in [(relay::Side::A, srtp_a), (relay::Side::B, srtp_b)] {
                        if let Some(spec) = spec {
                            handle.srtp(side, spec);
                        }
                    }
                    if let Some(tap) = self.dtmf.tap(id.0) {
                        handle.watch_dtmf(tap);
                    }
                    self.running.insert(id, handle);
                }
                Err(e) => tracing::warn!(error = %e, "relay did not start"),
            }
        }
    }

    /// Terminates SRTP on one side of a relay (now, or when it starts).
    pub fn set_srtp(&mut self, id: RelayId, side: Side, spec: relay::SrtpSpec) {
        if let Some(handle) = self.running.get(&id) {
            handle.srtp(relay_side(side), spec);
            return;
        }
        if let Some(entry) = lock(&self.pending).get_mut(&id) {
            let index = usize::from(side == Side::B);
            entry.srtp[index] = Some(spec);
        }
    }

    /// Plain RTP on `side` again.
    pub fn set_plain(&mut self, id: RelayId, side: Side) {
        if let Some(handle) = self.running.get(&id) {
            handle.srtp_off(relay_side(side));
            return;
        }
        if let Some(entry) = lock(&self.pending).get_mut(&id) {
            let index = usize::from(side == Side::B);
            entry.srtp[index] = None;
        }
    }

    pub fn close(&mut self, id: RelayId) {
        // Dropping the handle or the pending ports returns them to the pool; a recording
        // running on it finishes its file on its own.
        self.running.remove(&id);
        self.recordings.remove(&id);
        self.dtmf.forget(id.0);
        lock(&self.pending).remove(&id);
    }

    /// Plays `source` to side `to` in `format` (the codec that side agreed to receive).
    pub fn play(&mut self, id: RelayId, to: Side, source: MediaSource, format: &PayloadFormat) {
        let Some(handle) = self.running.get(&id) else {
            tracing::debug!(relay = id.0, "music for a relay not running; ignored");
            return;
        };
        let music = match source {
            MediaSource::MusicOnHold => self
                .music
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            MediaSource::Confirmation => crate::forwarding::confirmation_tone(),
        };
        let spec = PlaySpec {
            music,
            encoding: format.encoding.clone(),
            clock_rate: format.clock_rate,
            payload_type: format.payload_type,
        };
        if let Err(e) = handle.play(relay_side(to), spec) {
            tracing::warn!(
                codec = %format.encoding,
                error = %e,
                "music on hold cannot be played in this codec; the held party hears the call"
            );
        }
    }

    /// Reports keys pressed on the relay as telephone-events of `payload_types`, now or
    /// as soon as the relay runs.
    pub fn watch_dtmf(&mut self, id: RelayId, payload_types: &[u8]) {
        let tap = self.dtmf.watch(id.0, payload_types);
        if let Some(handle) = self.running.get(&id) {
            handle.watch_dtmf(tap);
        }
    }

    /// Sends `key` to side `to` as telephone-events in `format` (pressed by INFO on
    /// the other side).
    pub fn send_dtmf(
        &mut self,
        id: RelayId,
        to: Side,
        key: char,
        millis: u32,
        format: &PayloadFormat,
    ) {
        if let Some(handle) = self.running.get(&id) {
            let press = relay::KeyPress {
                key,
                millis,
                payload_type: format.payload_type,
                clock_rate: format.clock_rate,
            };
            handle.send_dtmf(relay_side(to), press);
        }
    }

    /// Listens for keys as tones in what side `side` sends in `format` (it agreed to no
    /// telephone-events), now or as soon as the relay runs.
    pub fn watch_inband_dtmf(&mut self, id: RelayId, side: Side, format: &PayloadFormat) {
        let tap = self
            .dtmf
            .watch_inband(id.0, relay_side(side), format.clone());
        if let Some(handle) = self.running.get(&id) {
            handle.watch_dtmf(tap);
        }
    }

    /// Says `prompts` once to side `to` in `format` (the park slot to the parker).
    pub fn announce(
        &mut self,
        id: RelayId,
        to: Side,
        prompts: &[media::wav_prompts::Prompt],
        format: &PayloadFormat,
    ) {
        let Some(handle) = self.running.get(&id) else {
            tracing::debug!(
                relay = id.0,
                "announcement for a relay not running; ignored"
            );
            return;
        };
        // Prompts are decoded at the codec's own rate: 16 kHz for the wideband ones.
        let rate = media::codec::by_rtpmap(&format.encoding, format.clock_rate)
            .map(|c| c.sample_rate())
            .unwrap_or(8000);
        let clips = prompts.iter().filter_map(|p| p.load(rate).ok()).collect();
        let spec = relay::AnnounceSpec {
            clips,
            encoding: format.encoding.clone(),
            clock_rate: format.clock_rate,
            payload_type: format.payload_type,
        };
        if let Err(e) = handle.announce(relay_side(to), spec) {
            tracing::warn!(codec = %format.encoding, error = %e, "announcement not played");
        }
    }

    /// Transcodes between the sides' codecs, now or as soon as the relay runs.
    pub fn transcode(&mut self, id: RelayId, spec: relay::TranscodeSpec) {
        if let Some(handle) = self.running.get(&id) {
            return start_transcoding(handle, &spec);
        }
        if let Some(entry) = lock(&self.pending).get_mut(&id) {
            entry.transcode = Some(spec);
        }
    }

    /// Relays packets unchanged again.
    pub fn stop_transcoding(&mut self, id: RelayId) {
        if let Some(handle) = self.running.get(&id) {
            handle.stop_transcoding();
        }
        if let Some(entry) = lock(&self.pending).get_mut(&id) {
            entry.transcode = None;
        }
    }

    pub fn stop_playing(&mut self, id: RelayId, to: Side) {
        if let Some(handle) = self.running.get(&id) {
            handle.stop_playing(relay_side(to));
        }
    }

    /// Lists finished recordings and reports their failures through `keeper` from now on.
    pub fn keep_recordings(&mut self, keeper: relay::RecordKeeper) {
        self.keeper = Some(keeper);
    }

    /// Starts recording the relay to `path` (relative to the data folder); `formats` name
    /// the call's payload types. Refused, with an alert, while the disk is nearly full.
    pub fn start_recording(
        &mut self,
        id: RelayId,
        path: &Path,
        formats: &[PayloadFormat],
        info: pbx::RecordingInfo,
    ) {
        let Some(handle) = self.running.get(&id) else {
            tracing::warn!(relay = id.0, "recording asked for a relay not running");
            return;
        };
        if let Some(keeper) = &self.keeper {
            if let Some(why) = keeper.refusal() {
                return keeper.alert(why);
            }
        }
        match handle.start_recording(self.data_dir.join(path), formats) {
            Ok(recording) => {
                if let Some(keeper) = &self.keeper {
                    keeper.watch(recording.clone(), info);
                }
                self.recordings.insert(id, recording);
            }
            Err(e) => match &self.keeper {
                Some(keeper) => keeper.alert(format!(
                    "A call could not be recorded ({e}). Check that the data folder can be \
                     written to."
                )),
                None => tracing::error!(error = %e, "recording not started"),
            },
        }
    }

    /// Whether a recording to `path` (absolute) is running (not failed, say on a full disk).
    pub fn is_recording(&self, path: &Path) -> bool {
        self.recordings
            .values()
            .any(|r| r.path() == path && r.is_running())
    }

    /// Stops the relay's recording; see [`Relays::take_stopped`].
    pub fn stop_recording(&mut self, id: RelayId) {
        let Some(recording) = self.recordings.remove(&id) else {
            return;
        };
        if let Some(handle) = self.running.get(&id) {
            handle.stop_recording();
        }
        self.stopping.push(recording);
    }

    /// Loads the music on hold again (after the owner uploaded their own) on a blocking
    /// thread; calls on hold from then on hear the new music. Resolves once it is in use.
    pub fn reload_music(&self) -> tokio::task::JoinHandle<()> {
        let slot = Arc::clone(&self.music);
        let data_dir = self.data_dir.clone();
        tokio::task::spawn_blocking(move || {
            let music = Music::for_data_dir(&data_dir);
            *slot.write().unwrap_or_else(PoisonError::into_inner) = music;
        })
    }

    /// The absolute path of a recording path the PBX gave.
    pub fn recording_path(&self, path: &Path) -> PathBuf {
        self.data_dir.join(path)
    }

    /// The stopped recording written to `path` (absolute), to await its end. Other
    /// stopped recordings are let go: they finish without anyone waiting.
    pub fn take_stopped(&mut self, path: &Path) -> Option<Recording> {
        let position = self.stopping.iter().position(|r| r.path() == path);
        let found = position.map(|i| self.stopping.swap_remove(i));
        self.stopping.clear();
        found
    }
}

fn start_transcoding(handle: &RelayHandle, spec: &relay::TranscodeSpec) {
    if let Err(e) = handle.transcode(spec) {
        tracing::warn!(
            a = %spec.a.encoding,
            b = %spec.b.encoding,
            error = %e,
            "the call's codecs cannot be transcoded; packets are relayed as they are"
        );
    }
}

fn relay_side(side: Side) -> relay::Side {
    match side {
        Side::A => relay::Side::A,
        Side::B => relay::Side::B,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
