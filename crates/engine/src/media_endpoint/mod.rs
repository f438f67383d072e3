//! Media endpoints: sockets where the PBX itself answers a call's audio (voicemail: a
//! caller leaving a message, or the owner's `*97` menu in [`listen`]), as opposed to the
//! relay between two phones.
//!
//! The PBX allocates an endpoint synchronously through [`EndpointAllocator`] (the port
//! goes into its SDP answer), then asks for it to be run ([`pbx::Action::PlayAndRecord`])
//! and closed ([`pbx::Action::EndpointClose`]). Each running endpoint is one tokio task
//! (see [`session`]); what it reports back (an end it detected, a message saved) arrives
//! on the core loop's [`EndpointEvent`] channel.

mod greeting;
mod leftovers;
mod listen;
mod menu;
#[cfg(test)]
mod menu_tests;
mod menu_words;
mod pin_guard;
mod session;
mod writer;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use media::player::Clip;
use media::wav_prompts::Prompt;
use pbx::{EndpointId, EndpointPort, EndpointUse, MediaEndpoints, VoicemailRecording};
use tokio::sync::{mpsc, oneshot};

pub use greeting::{
    greeting_path, has_greeting, remove_greeting, save_uploaded_greeting, GreetingError,
    GREETINGS_DIR, MAX_UPLOAD_SECONDS,
};
pub use leftovers::remove_leftovers;
use listen::Listen;
use session::{EndedBy, Session, RATE};
use writer::Saved;

/// Folder of voicemail messages inside the data folder.
pub const VOICEMAIL_DIR: &str = "voicemail";

/// What a running endpoint tells the core loop.
#[derive(Debug)]
pub enum EndpointEvent {
    /// The recording ended by `#`, silence or the length limit: the caller is to be sent BYE.
    Ended(EndpointId),
    /// A message was saved, or the owner heard, saved or deleted one by phone; the mailbox
    /// now holds `new` unheard and `old` heard messages.
    MessageSaved { mailbox: String, new: u32, old: u32 },
}

enum Slot {
    /// Allocated, waiting for [`Endpoints::start`].
    Bound(std::net::UdpSocket),
    /// Running; sending on `stop` stops it. A menu also takes keys sent by SIP INFO.
    Running {
        stop: oneshot::Sender<()>,
        keys: Option<mpsc::UnboundedSender<char>>,
    },
}

type Slots = Arc<Mutex<HashMap<EndpointId, Slot>>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The allocator the PBX owns.
pub struct EndpointAllocator {
    slots: Slots,
    ports: RangeInclusive<u16>,
    next: u64,
}

impl MediaEndpoints for EndpointAllocator {
    fn allocate(&mut self, ip: IpAddr) -> Option<EndpointPort> {
        let socket = bind_in_range(ip, &self.ports)?;
        let addr = socket.local_addr().ok()?;
        self.next += 1;
        let id = EndpointId(self.next);
        lock(&self.slots).insert(id, Slot::Bound(socket));
        Some(EndpointPort { id, addr })
    }
}

/// Binds an even port of `range` (RTP convention, RFC 3550 §11), starting at a random one;
/// ports taken by the relay or anyone else are skipped.
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

/// The core loop's side: starts and stops sessions.
pub struct Endpoints {
    slots: Slots,
    data_dir: PathBuf,
    greeting: Arc<Clip>,
    events: mpsc::UnboundedSender<EndpointEvent>,
    /// Wrong `*97` PINs per mailbox, across calls.
    pin_guard: Arc<Mutex<pin_guard::PinGuard>>,
}

impl Endpoints {
    /// Endpoints binding in `ports`, keeping messages in `<data_dir>/voicemail`. Leftovers
    /// of a crash there are removed first.
    pub fn new(
        ports: RangeInclusive<u16>,
        data_dir: PathBuf,
    ) -> (
        Endpoints,
        EndpointAllocator,
        mpsc::UnboundedReceiver<EndpointEvent>,
    ) {
        let removed = remove_leftovers(&data_dir.join(VOICEMAIL_DIR));
        if removed > 0 {
            tracing::warn!(removed, "unfinished voicemail messages removed");
        }
        let greeting = Prompt::VoicemailUnavailable.load(RATE).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "default greeting unreadable; beep only");
            Clip::new(RATE, Vec::new())
        });
        let slots: Slots = Arc::default();
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Endpoints {
                slots: Arc::clone(&slots),
                data_dir,
                greeting: Arc::new(greeting),
                events: tx,
                pin_guard: Arc::default(),
            },
            EndpointAllocator {
                slots,
                ports,
                next: 0,
            },
            rx,
        )
    }

    /// Runs the endpoint: greeting (the mailbox's own, else the default), beep, then the
    /// recording; or, for the owner's `*97` call, the mailbox menu.
    pub fn start(&self, spec: VoicemailRecording, received_at: i64) {
        let id = spec.endpoint;
        let socket = match lock(&self.slots).remove(&id) {
            Some(Slot::Bound(s)) => s,
            _ => return tracing::warn!(?id, "voicemail endpoint not allocated"),
        };
        let socket = match tokio::net::UdpSocket::from_std(socket) {
            Ok(s) => s,
            Err(e) => return tracing::warn!(error = %e, "voicemail socket not usable"),
        };
        let (stop_tx, stop_rx) = oneshot::channel();
        if spec.purpose == EndpointUse::Listen {
            let (keys_tx, keys_rx) = mpsc::unbounded_channel();
            lock(&self.slots).insert(
                id,
                Slot::Running {
                    stop: stop_tx,
                    keys: Some(keys_tx),
                },
            );
            let listen = Listen {
                socket,
                spec,
                data_dir: self.data_dir.clone(),
                events: self.events.clone(),
                keys: keys_rx,
                guard: Arc::clone(&self.pin_guard),
            };
            let slots = Arc::clone(&self.slots);
            let events = self.events.clone();
            tokio::spawn(async move {
                let ended = listen.run(stop_rx).await;
                lock(&slots).remove(&id);
                if ended != EndedBy::Closed {
                    let _ = events.send(EndpointEvent::Ended(id));
                }
            });
            return;
        }
        lock(&self.slots).insert(
            id,
            Slot::Running {
                stop: stop_tx,
                keys: None,
            },
        );
        let name = format!(
            "{}-{}-{:08x}.wav",
            spec.mailbox,
            received_at,
            rand::random::<u32>()
        );
        let default_greeting = Arc::clone(&self.greeting);
        let data_dir = self.data_dir.clone();
        let slots = Arc::clone(&self.slots);
        let events = self.events.clone();
        tokio::spawn(async move {
            let mailbox = spec.mailbox.clone();
            let dir = data_dir.clone();
            let own = tokio::task::spawn_blocking(move || greeting::load_greeting(&dir, &mailbox))
                .await
                .ok()
                .flatten();
            let session = Session {
                socket,
                spec,
                greeting: own.map(Arc::new).unwrap_or(default_greeting),
                dir: data_dir.join(VOICEMAIL_DIR),
                data_dir,
                name,
                received_at,
            };
            let (ended, saved) = session.run(stop_rx).await;
            lock(&slots).remove(&id);
            if ended != EndedBy::Closed {
                let _ = events.send(EndpointEvent::Ended(id));
            }
            match saved {
                Saved::Stored { mailbox, new, old } => {
                    tracing::info!(%mailbox, ?ended, "voicemail message saved");
                    let _ = events.send(EndpointEvent::MessageSaved { mailbox, new, old });
                }
                Saved::Discarded => tracing::info!(?ended, "voicemail call left no message"),
                Saved::Failed(e) => tracing::error!(error = %e, "voicemail message not saved"),
            }
        });
    }

    /// Stops the endpoint (the call ended): a running recording is saved, an unused
    /// socket released.
    pub fn close(&self, id: EndpointId) {
        if let Some(Slot::Running { stop, .. }) = lock(&self.slots).remove(&id) {
            let _ = stop.send(());
        }
    }

    /// A key the phone sent by SIP INFO, for the menu running on `id` (ignored elsewhere).
    pub fn key(&self, id: EndpointId, key: char) {
        if let Some(Slot::Running {
            keys: Some(keys), ..
        }) = lock(&self.slots).get(&id)
        {
            let _ = keys.send(key);
        }
    }
}

/// Tells the PBX which mailboxes are enabled and each one's message counts (at start and
/// whenever the database changed: a message heard or deleted from the UI turns the
/// phone's lamp off). The PBX notifies subscribed phones only of counts that changed.
pub(crate) fn sync_mailboxes(now: std::time::Instant, pbx: &mut pbx::Pbx, store: &store::Store) {
    let mailboxes = match store.mailboxes() {
        Ok(m) => m,
        Err(e) => return tracing::warn!(error = %e, "could not read mailboxes"),
    };
    pbx.set_mailboxes(
        mailboxes
            .iter()
            .filter(|m| m.enabled)
            .map(|m| m.number.clone()),
    );
    for m in &mailboxes {
        pbx.set_message_summary(now, &m.number, m.new_count, m.saved_count);
    }
}
