//! One conference room's task: every 20 ms it takes a frame from each participant, mixes
//! (each hears everyone but themselves, [`media::mixer`]) and sends each their mix in
//! their own codec. A participant of a room with a PIN first hears "please enter the
//! conference PIN" and joins the mix only once the digits it typed before `#` match the
//! room's hash; three wrong PINs or a minute of silence end its call.
//!
//! Join and leave tones come from one more mixer participant, the room's announcer, so
//! everyone in the room hears them.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use media::mixer::{Mixer, ParticipantId};
use media::player::PromptPlayer;
use pbx::{ConferenceJoin, EndpointId};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::member::Member;
use super::pin::{Key, PinEntry};
use super::{ConferenceEvent, ParticipantInfo, Shared, Sounds};

/// The room's mixing rate: wideband, so G.722 and Opus callers hear each other at their
/// quality; G.711 callers are resampled to and from it.
pub(super) const RATE: u32 = 16_000;
/// Samples per 20 ms frame at [`RATE`].
pub(super) const FRAME: usize = 320;

/// What the core loop tells a room.
pub(super) enum RoomCommand {
    Join(Box<ConferenceJoin>, Arc<UdpSocket>),
    Leave(EndpointId),
    Mute(EndpointId, bool),
    Remove(EndpointId),
    /// A key sent by SIP INFO.
    Key(EndpointId, char),
}

/// What the room's own helpers tell it.
pub(super) enum RoomInput {
    Packet(EndpointId, SocketAddr, Vec<u8>),
    PinChecked(EndpointId, bool),
}

enum Stage {
    /// Typing the PIN.
    Pin(PinEntry),
    InRoom(ParticipantId),
}

struct Entry {
    member: Member,
    stage: Stage,
    receiver: JoinHandle<()>,
    joined_at: u64,
    muted: bool,
    /// The call is to end once the prompts playing now are finished.
    ending: bool,
    /// The core was told to end the call.
    left_sent: bool,
    /// Keys sent by SIP INFO, taken with the next frame's.
    keys: Vec<char>,
}

pub(super) struct Room {
    /// This task's entry in the shared participant list.
    pub task: u64,
    pub number: String,
    pub sounds: Arc<Sounds>,
    pub shared: Shared,
    pub events: mpsc::UnboundedSender<ConferenceEvent>,
    pub commands: mpsc::UnboundedReceiver<RoomCommand>,
}

struct State {
    task: u64,
    number: String,
    sounds: Arc<Sounds>,
    shared: Shared,
    events: mpsc::UnboundedSender<ConferenceEvent>,
    inputs: mpsc::UnboundedSender<RoomInput>,
    mixer: Mixer,
    announcer: ParticipantId,
    tones: PromptPlayer,
    members: BTreeMap<EndpointId, Entry>,
}

impl Room {
    /// Runs until the core drops the room's command channel (the last participant left).
    pub async fn run(self) {
        let Room {
            task,
            number,
            sounds,
            shared,
            events,
            mut commands,
        } = self;
        let (inputs_tx, mut inputs) = mpsc::unbounded_channel();
        let mut mixer = Mixer::new(RATE, FRAME);
        let announcer = mixer.join();
        let mut state = State {
            task,
            number,
            sounds,
            shared,
            events,
            inputs: inputs_tx,
            mixer,
            announcer,
            tones: PromptPlayer::new(RATE),
            members: BTreeMap::new(),
        };
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => state.command(command),
                    None => break,
                },
                Some(input) = inputs.recv() => state.input(input),
                _ = tick.tick() => state.tick(Instant::now()),
            }
        }
        for entry in state.members.values() {
            entry.receiver.abort();
        }
        super::lock(&state.shared).remove(&state.task);
    }
}

impl State {
    fn command(&mut self, command: RoomCommand) {
        match command {
            RoomCommand::Join(spec, socket) => self.join(*spec, socket),
            RoomCommand::Leave(id) => self.leave(id),
            RoomCommand::Mute(id, muted) => {
                if let Some(entry) = self.members.get_mut(&id) {
                    entry.muted = muted;
                    if let Stage::InRoom(p) = entry.stage {
                        self.mixer.set_muted(p, muted);
                    }
                    self.changed();
                }
            }
            RoomCommand::Key(id, key) => {
                if let Some(entry) = self.members.get_mut(&id) {
                    entry.keys.push(key);
                }
            }
            RoomCommand::Remove(id) => {
                if let Some(entry) = self.members.get_mut(&id) {
                    entry.left_sent = true;
                    let _ = self.events.send(ConferenceEvent::Left(id));
                }
            }
        }
    }

    fn input(&mut self, input: RoomInput) {
        match input {
            RoomInput::Packet(id, from, datagram) => {
                if let Some(entry) = self.members.get_mut(&id) {
                    entry.member.receive(from, &datagram);
                }
            }
            RoomInput::PinChecked(id, true) => self.admit(id),
            RoomInput::PinChecked(id, false) => {
                let sounds = Arc::clone(&self.sounds);
                let Some(entry) = self.members.get_mut(&id) else {
                    return;
                };
                let Stage::Pin(pin) = &mut entry.stage else {
                    return;
                };
                let last = pin.wrong();
                tracing::info!(room = %self.number, tries = pin.tries(), "wrong conference PIN");
                let prompts = &mut entry.member.prompts;
                prompts.clear();
                if last {
                    prompts.enqueue(sounds.too_many.clone());
                    prompts.enqueue(sounds.goodbye.clone());
                    entry.ending = true;
                } else {
                    prompts.enqueue(sounds.wrong_pin.clone());
                    prompts.enqueue(sounds.enter_pin.clone());
                }
            }
        }
    }

    fn join(&mut self, spec: ConferenceJoin, socket: Arc<UdpSocket>) {
        let id = spec.endpoint;
        let pin = spec.pin_hash.is_some();
        let member = match Member::new(spec, Arc::clone(&socket)) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "conference participant's codec not usable");
                let _ = self.events.send(ConferenceEvent::Left(id));
                return;
            }
        };
        let inputs = self.inputs.clone();
        let receiver = tokio::spawn(async move {
            let mut buf = vec![0u8; 2048];
            loop {
                let Ok((len, from)) = socket.recv_from(&mut buf).await else {
                    continue;
                };
                let Some(datagram) = buf.get(..len) else {
                    continue;
                };
                if inputs
                    .send(RoomInput::Packet(id, from, datagram.to_vec()))
                    .is_err()
                {
                    return;
                }
            }
        });
        let mut entry = Entry {
            member,
            stage: Stage::Pin(PinEntry::new(Instant::now())),
            receiver,
            joined_at: crate::core_loop::unix_now(),
            muted: false,
            ending: false,
            left_sent: false,
            keys: Vec::new(),
        };
        if pin {
            entry.member.prompts.enqueue(self.sounds.enter_pin.clone());
        }
        self.members.insert(id, entry);
        if pin {
            self.changed();
        } else {
            self.admit(id);
        }
    }

    /// Puts a participant into the mix: everyone hears the join tone, and someone alone
    /// is told so.
    fn admit(&mut self, id: EndpointId) {
        let alone = !self
            .members
            .values()
            .any(|e| matches!(e.stage, Stage::InRoom(_)));
        let Some(entry) = self.members.get_mut(&id) else {
            return;
        };
        if matches!(entry.stage, Stage::InRoom(_)) {
            return;
        }
        let p = self.mixer.join();
        self.mixer.set_muted(p, entry.muted);
        entry.stage = Stage::InRoom(p);
        entry.member.prompts.clear();
        if alone {
            entry.member.prompts.enqueue_silence(600);
            entry.member.prompts.enqueue(self.sounds.alone.clone());
        }
        self.tones.enqueue(self.sounds.join.clone());
        tracing::info!(room = %self.number, "participant joined the conference");
        self.changed();
    }

    fn leave(&mut self, id: EndpointId) {
        let Some(entry) = self.members.remove(&id) else {
            return;
        };
        entry.receiver.abort();
        if let Stage::InRoom(p) = entry.stage {
            self.mixer.leave(p);
            self.tones.enqueue(self.sounds.leave.clone());
            tracing::info!(room = %self.number, "participant left the conference");
        }
        self.changed();
    }

    fn tick(&mut self, now: Instant) {
        let mut frame = [0i16; FRAME];
        let mut checks = Vec::new();
        for (id, entry) in self.members.iter_mut() {
            entry.member.next_frame(&mut frame);
            let mut digits: Vec<char> = std::mem::take(&mut entry.keys);
            digits.extend(std::iter::from_fn(|| entry.member.dtmf.poll_digit()));
            match &mut entry.stage {
                Stage::InRoom(p) => {
                    self.mixer.push(*p, &frame);
                }
                Stage::Pin(pin) => {
                    if entry.ending {
                        continue;
                    }
                    if pin.timed_out(now) {
                        entry.member.prompts.clear();
                        entry.member.prompts.enqueue(self.sounds.goodbye.clone());
                        entry.ending = true;
                        continue;
                    }
                    for d in digits {
                        match pin.key(d) {
                            Key::Check(typed) => checks.push((*id, typed)),
                            // Typing stops the prompt, as on any voice menu.
                            Key::Typed => entry.member.prompts.clear(),
                            Key::Ignored => {}
                        }
                    }
                }
            }
        }
        for (id, typed) in checks {
            self.check_pin(id, typed);
        }
        self.tones.next_frame(&mut frame);
        self.mixer.push(self.announcer, &frame);
        self.mixer.mix();

        let mut prompt = [0i16; FRAME];
        for (id, entry) in self.members.iter_mut() {
            match entry.stage {
                Stage::InRoom(p) => match self.mixer.output(p) {
                    Some(heard) => frame.copy_from_slice(heard),
                    None => frame.fill(0),
                },
                Stage::Pin(_) => frame.fill(0),
            }
            prompt.fill(0);
            if entry.member.prompts.next_frame(&mut prompt) > 0 {
                for (f, p) in frame.iter_mut().zip(prompt.iter()) {
                    *f = f.saturating_add(*p);
                }
            }
            entry.member.send(&frame);
            if entry.ending && !entry.left_sent && entry.member.prompts.is_finished() {
                entry.left_sent = true;
                let _ = self.events.send(ConferenceEvent::Left(*id));
            }
        }
    }

    /// Compares a typed PIN with the room's hash off the room's task: Argon2 is slow on
    /// purpose, and the room keeps mixing meanwhile.
    fn check_pin(&mut self, id: EndpointId, typed: String) {
        let Some(hash) = self
            .members
            .get(&id)
            .and_then(|e| e.member.spec.pin_hash.clone())
        else {
            return;
        };
        let inputs = self.inputs.clone();
        tokio::task::spawn_blocking(move || {
            let ok = store::verify_room_pin(&hash, &typed);
            let _ = inputs.send(RoomInput::PinChecked(id, ok));
        });
    }

    /// Publishes the room's participants and tells the screens.
    fn changed(&self) {
        let list: Vec<ParticipantInfo> = self
            .members
            .iter()
            .map(|(id, e)| ParticipantInfo {
                id: id.0,
                room: self.number.clone(),
                number: e.member.spec.caller_number.clone(),
                name: e.member.spec.caller_name.clone(),
                codec: e.member.spec.format.encoding.clone(),
                muted: e.muted,
                in_room: matches!(e.stage, Stage::InRoom(_)),
                joined_at: e.joined_at,
            })
            .collect();
        super::lock(&self.shared).insert(self.task, list);
        let _ = self
            .events
            .send(ConferenceEvent::Changed(self.number.clone()));
    }
}
