//! Conference rooms' media: one task per room with people in it, mixing every
//! participant's audio in the participant's own codec (see [`room`]).
//!
//! The PBX allocates a participant's socket synchronously through
//! [`ConferenceAllocator`] (its port goes into the SDP answer), then asks for it to join
//! ([`pbx::Action::ConferenceJoin`]) and leave ([`pbx::Action::ConferenceLeave`]). What a
//! room decides itself (a caller typed the wrong PIN too often, the owner removed
//! someone) comes back as [`ConferenceEvent::Left`], which the core turns into a BYE
//! through [`pbx::Pbx::conference_left`]; the core's `ConferenceLeave` then takes the
//! participant out. The live list of participants is shared with the API through
//! [`EngineHandle::conference_participants`].

mod member;
mod pin;
mod room;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, PoisonError};

use media::player::Clip;
use media::wav_prompts::Prompt;
use pbx::{ConferenceJoin, EndpointId, EndpointPort, MediaEndpoints};
use tokio::sync::mpsc;

use crate::handle::{Command, EngineHandle, NotRunning};
use room::{Room, RoomCommand, RATE};

/// Someone in a room, as the screens show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantInfo {
    /// Names the participant while it is connected (never reused).
    pub id: u64,
    pub room: String,
    /// The caller's number and name as the PBX saw them.
    pub number: String,
    pub name: Option<String>,
    /// The codec the caller's phone talks in.
    pub codec: String,
    pub muted: bool,
    /// False while the caller is still typing the room's PIN.
    pub in_room: bool,
    /// When the call reached the room, seconds since the Unix epoch.
    pub joined_at: u64,
}

/// What the rooms tell the core loop.
#[derive(Debug)]
pub(crate) enum ConferenceEvent {
    /// The room ends this participant's call (wrong PIN, removed): send BYE.
    Left(EndpointId),
    /// A room's participants changed: tell the screens.
    Changed(String),
}

/// Requests from the API, through [`EngineHandle`].
pub(crate) enum ConferenceCommand {
    Mute { id: u64, muted: bool },
    Remove { id: u64 },
}

/// Every running room's participants, keyed by the room task's own number (a room that
/// empties and fills again at once briefly has two tasks, each writing only its own entry).
pub(crate) type Shared = Arc<Mutex<HashMap<u64, Vec<ParticipantInfo>>>>;
type Slots = Arc<Mutex<HashMap<EndpointId, std::net::UdpSocket>>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sounds rooms play, loaded once at the mixing rate.
pub(crate) struct Sounds {
    join: Clip,
    leave: Clip,
    enter_pin: Clip,
    wrong_pin: Clip,
    too_many: Clip,
    goodbye: Clip,
    alone: Clip,
}

impl Sounds {
    fn load() -> Sounds {
        let load = |p: Prompt| {
            p.load(RATE).unwrap_or_else(|e| {
                tracing::warn!(error = %e, prompt = ?p, "conference prompt unreadable");
                Clip::new(RATE, Vec::new())
            })
        };
        Sounds {
            join: load(Prompt::ConferenceJoin),
            leave: load(Prompt::ConferenceLeave),
            enter_pin: load(Prompt::ConferenceEnterPin),
            wrong_pin: load(Prompt::PinWrong),
            too_many: load(Prompt::VoicemailTooManyWrongPins),
            goodbye: load(Prompt::Goodbye),
            alone: load(Prompt::ConferenceAlone),
        }
    }
}

/// The allocator the PBX owns: binds participants' sockets.
pub struct ConferenceAllocator {
    slots: Slots,
    ports: RangeInclusive<u16>,
    next: u64,
}

impl MediaEndpoints for ConferenceAllocator {
    fn allocate(&mut self, ip: IpAddr) -> Option<EndpointPort> {
        let socket = bind_in_range(ip, &self.ports)?;
        let addr = socket.local_addr().ok()?;
        self.next += 1;
        let id = EndpointId(self.next);
        lock(&self.slots).insert(id, socket);
        Some(EndpointPort { id, addr })
    }
}

/// Binds an even port of `range` (RTP convention, RFC 3550 §11) from a random start;
/// ports taken by the relay, voicemail or anyone else are skipped.
fn bind_in_range(ip: IpAddr, range: &RangeInclusive<u16>) -> Option<std::net::UdpSocket> {
    let first = range.start().saturating_add(range.start() % 2);
    let count = usize::from(range.end().saturating_sub(first) / 2) + 1;
    let offset = rand::random::<usize>() % count;
    (0..count).find_map(|i| {
        let n = (offset + i) % count;
        let port = first.checked_add(u16::try_from(n * 2).ok()?)?;
        let socket = std::net::UdpSocket::bind(SocketAddr::new(ip, port)).ok()?;
        socket.set_nonblocking(true).ok()?;
        Some(socket)
    })
}

/// The core loop's side: rooms with people in them.
pub(crate) struct Conferences {
    slots: Slots,
    rooms: HashMap<String, mpsc::UnboundedSender<RoomCommand>>,
    /// Which room each joined participant is in.
    members: HashMap<EndpointId, String>,
    sounds: Arc<Sounds>,
    shared: Shared,
    events: mpsc::UnboundedSender<ConferenceEvent>,
    /// Numbers the room tasks' entries in `shared`.
    next_task: u64,
}

impl Conferences {
    /// Rooms whose sockets bind in `ports`; the receiver gets what rooms report.
    pub fn new(
        ports: RangeInclusive<u16>,
    ) -> (
        Conferences,
        ConferenceAllocator,
        mpsc::UnboundedReceiver<ConferenceEvent>,
    ) {
        let slots: Slots = Arc::default();
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Conferences {
                slots: Arc::clone(&slots),
                rooms: HashMap::new(),
                members: HashMap::new(),
                sounds: Arc::new(Sounds::load()),
                shared: Arc::default(),
                events: tx,
                next_task: 0,
            },
            ConferenceAllocator {
                slots,
                ports,
                next: 0,
            },
            rx,
        )
    }

    /// Puts the caller into its room (starting the room if nobody is in it yet).
    pub fn join(&mut self, spec: ConferenceJoin) {
        let id = spec.endpoint;
        let Some(socket) = lock(&self.slots).remove(&id) else {
            return tracing::warn!(?id, "conference endpoint not allocated");
        };
        let socket = match tokio::net::UdpSocket::from_std(socket) {
            Ok(s) => Arc::new(s),
            Err(e) => return tracing::warn!(error = %e, "conference socket not usable"),
        };
        let room = spec.room.clone();
        let next_task = &mut self.next_task;
        let commands = self.rooms.entry(room.clone()).or_insert_with(|| {
            *next_task += 1;
            let (tx, rx) = mpsc::unbounded_channel();
            let task = Room {
                task: *next_task,
                number: room.clone(),
                sounds: Arc::clone(&self.sounds),
                shared: Arc::clone(&self.shared),
                events: self.events.clone(),
                commands: rx,
            };
            tokio::spawn(task.run());
            tx
        });
        let _ = commands.send(RoomCommand::Join(Box::new(spec), socket));
        self.members.insert(id, room);
    }

    /// The participant's call ended: it leaves its room, and a room left empty stops.
    pub fn leave(&mut self, id: EndpointId) {
        // A socket allocated for a call that never joined is just released.
        lock(&self.slots).remove(&id);
        let Some(room) = self.members.remove(&id) else {
            return;
        };
        if let Some(commands) = self.rooms.get(&room) {
            let _ = commands.send(RoomCommand::Leave(id));
        }
        if !self.members.values().any(|r| *r == room) {
            // Dropping the sender stops the room's task once it has handled the leave.
            self.rooms.remove(&room);
        }
    }

    /// A key the participant's phone sent by SIP INFO.
    pub fn key(&mut self, id: EndpointId, key: char) {
        if let Some(commands) = self.members.get(&id).and_then(|room| self.rooms.get(room)) {
            let _ = commands.send(RoomCommand::Key(id, key));
        }
    }

    /// Mutes or removes a participant; `reply` says whether it was found.
    pub fn command(
        &mut self,
        command: ConferenceCommand,
        reply: tokio::sync::oneshot::Sender<bool>,
    ) {
        let (id, room_command) = match command {
            ConferenceCommand::Mute { id, muted } => {
                (EndpointId(id), RoomCommand::Mute(EndpointId(id), muted))
            }
            ConferenceCommand::Remove { id } => {
                (EndpointId(id), RoomCommand::Remove(EndpointId(id)))
            }
        };
        let sent = self
            .members
            .get(&id)
            .and_then(|room| self.rooms.get(room))
            .is_some_and(|commands| commands.send(room_command).is_ok());
        let _ = reply.send(sent);
    }

    /// The participant list the handle reads.
    pub fn shared(&self) -> Shared {
        Arc::clone(&self.shared)
    }
}

/// Tells the PBX which rooms exist (at start and whenever the database changed).
pub(crate) fn sync_rooms(pbx: &mut pbx::Pbx, store: &store::Store) {
    match store.conference_room_access() {
        Ok(rooms) => pbx.set_conference_rooms(rooms.into_iter().map(|r| pbx::ConferenceRoom {
            number: r.number,
            name: r.name,
            pin_hash: r.pin_hash,
        })),
        Err(e) => tracing::warn!(error = %e, "could not read conference rooms"),
    }
}

impl EngineHandle {
    /// Everyone in every room (callers still typing a PIN included), by room and id.
    pub fn conference_participants(&self) -> Vec<ParticipantInfo> {
        let mut list: Vec<ParticipantInfo> =
            lock(&self.conference).values().flatten().cloned().collect();
        list.sort_by(|a, b| (&a.room, a.id).cmp(&(&b.room, b.id)));
        list
    }

    /// Mutes or unmutes participant `id`: a muted participant still hears the room.
    /// False when nobody has that id.
    pub async fn mute_participant(&self, id: u64, muted: bool) -> Result<bool, NotRunning> {
        self.ask(|tx| Command::Conference(ConferenceCommand::Mute { id, muted }, tx))
            .await
    }

    /// Ends participant `id`'s call. False when nobody has that id.
    pub async fn remove_participant(&self, id: u64) -> Result<bool, NotRunning> {
        self.ask(|tx| Command::Conference(ConferenceCommand::Remove { id }, tx))
            .await
    }
}

#[cfg(test)]
mod tests;
