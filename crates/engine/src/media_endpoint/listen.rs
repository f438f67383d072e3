//! One `*97` call's RTP: runs the [`Menu`] against the owner's phone. Prompts and
//! messages go out every 20 ms; keys come in as RFC 4733 events or in-band tones; the
//! PIN check and the changes to messages go to the database on blocking threads, so the
//! packet path never waits for the disk.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use media::audio_import::{import_audio, ImportOptions};
use media::codec::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode};
use media::dtmf_detect::DtmfDetector;
use media::player::{Clip, PromptPlayer};
use media::rtp::RtpPacket;
use media::wav_prompts::Prompt;
use pbx::VoicemailRecording;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use super::greeting::{save_greeting, GreetingError};
use super::menu::{Effect, GreetingResult, Menu, MessageRef, PinResult, Say, GREETING_MAX};
use super::pin_guard::PinGuard;
use super::session::{EndedBy, RATE};
use super::{EndpointEvent, VOICEMAIL_DIR};

/// Samples per 20 ms packet.
const FRAME: usize = 160;
/// The longest message played (longer files are cut): the deposit limit is 3 minutes.
const MAX_MESSAGE_SECONDS: u32 = 600;

/// Answers from the blocking threads.
enum Done {
    Pin(PinResult),
    Greeting(GreetingResult),
}

/// Everything one menu session needs.
pub(crate) struct Listen {
    pub socket: UdpSocket,
    pub spec: VoicemailRecording,
    pub data_dir: PathBuf,
    /// Where counts changed by the owner go (the phones' lamps and the pages follow).
    pub events: mpsc::UnboundedSender<EndpointEvent>,
    /// Keys the phone sent by SIP INFO (RFC 4733 events and tones arrive with the audio).
    pub keys: mpsc::UnboundedReceiver<char>,
    /// Wrong PINs across calls, shared by every menu.
    pub guard: Arc<Mutex<PinGuard>>,
}

impl Listen {
    /// Runs until the owner is done (hang up by the menu) or the call ends.
    pub async fn run(self, mut stop: oneshot::Receiver<()>) -> EndedBy {
        let Listen {
            socket,
            spec,
            data_dir,
            events,
            mut keys,
            guard,
        } = self;
        let alaw = spec.format.encoding.eq_ignore_ascii_case("PCMA");
        let mailbox = spec.mailbox.clone();
        let mut menu = Menu::new();
        let mut player = PromptPlayer::new(RATE);
        let mut prompts: HashMap<Prompt, Clip> = HashMap::new();
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
        let mut greeting: Option<Vec<i16>> = None;
        let mut peer: SocketAddr = spec.peer;
        let mut frame = vec![0i16; FRAME];
        let mut out = Vec::with_capacity(12 + FRAME);
        let mut payload = Vec::with_capacity(FRAME);
        let mut buf = vec![0u8; 2048];
        let mut srtp = crate::relay::srtp::EndpointSrtp::new(spec.srtp.as_ref());
        let ssrc: u32 = rand::random();
        let mut seq: u16 = rand::random();
        let mut ts: u32 = rand::random();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut dtmf = DtmfDetector::new(RATE);
        let greeting_limit = GREETING_MAX.as_millis() as usize * RATE as usize / 1000;
        loop {
            // Do what the menu asked for.
            while let Some(effect) = menu.poll_effect() {
                match effect {
                    Effect::Play(says) => {
                        player.clear();
                        for say in says {
                            enqueue(&mut player, &mut prompts, &data_dir, say).await;
                        }
                        // Nothing readable to play is played at once.
                        if player.is_finished() {
                            menu.played(std::time::Instant::now());
                        }
                    }
                    Effect::CheckPin(pin) => {
                        let (data_dir, mailbox, done, guard) = (
                            data_dir.clone(),
                            mailbox.clone(),
                            done_tx.clone(),
                            Arc::clone(&guard),
                        );
                        tokio::task::spawn_blocking(move || {
                            let now = std::time::Instant::now();
                            let result = if super::lock(&guard).locked(&mailbox, now) {
                                PinResult::Locked
                            } else {
                                let result = check_pin(&data_dir, &mailbox, &pin);
                                let mut guard = super::lock(&guard);
                                match result {
                                    PinResult::Open(_) => guard.succeeded(&mailbox),
                                    _ => guard.failed(&mailbox, now),
                                }
                                result
                            };
                            let _ = done.send(Done::Pin(result));
                        });
                    }
                    Effect::MarkHeard(id) => {
                        change(&data_dir, &mailbox, &events, move |s| {
                            s.mark_voicemail_heard(id, true)
                        });
                    }
                    Effect::Delete { id, file } => {
                        let path = plain(&file).then(|| data_dir.join(VOICEMAIL_DIR).join(&file));
                        change(&data_dir, &mailbox, &events, move |s| {
                            s.delete_voicemail(id)?;
                            // The row first, then the file (a file without a row is
                            // cleaned up on start; a row without a file is not).
                            if let Some(path) = path {
                                let _ = std::fs::remove_file(path);
                            }
                            Ok(())
                        });
                    }
                    Effect::StartGreeting => greeting = Some(Vec::new()),
                    Effect::SaveGreeting => {
                        let samples = greeting.take().unwrap_or_default();
                        let (data_dir, mailbox, done) =
                            (data_dir.clone(), mailbox.clone(), done_tx.clone());
                        tokio::task::spawn_blocking(move || {
                            let result = match save_greeting(&data_dir, &mailbox, &samples) {
                                Ok(()) => GreetingResult::Saved,
                                Err(GreetingError::TooShort) => GreetingResult::TooShort,
                                Err(e) => {
                                    tracing::error!(error = %e, "greeting not saved");
                                    GreetingResult::Failed
                                }
                            };
                            let _ = done.send(Done::Greeting(result));
                        });
                    }
                    Effect::HangUp => return EndedBy::Hash,
                }
            }
            tokio::select! {
                _ = &mut stop => return EndedBy::Closed,
                Some(key) = keys.recv() => menu.key(std::time::Instant::now(), key),
                Some(done) = done_rx.recv() => match done {
                    Done::Pin(result) => {
                        match result {
                            PinResult::Wrong => tracing::info!("wrong voicemail PIN"),
                            PinResult::Locked => {
                                tracing::warn!("voicemail PIN refused: too many wrong PINs lately")
                            }
                            PinResult::Open(_) => {}
                        }
                        menu.pin_checked(result)
                    }
                    Done::Greeting(result) => menu.greeting_saved(result),
                },
                _ = tick.tick() => {
                    let now = std::time::Instant::now();
                    if menu.poll_timeout().is_some_and(|t| now >= t) {
                        menu.handle_timeout(now);
                    }
                    let was_playing = !player.is_finished();
                    frame.iter_mut().for_each(|s| *s = 0);
                    player.next_frame(&mut frame);
                    if was_playing && player.is_finished() {
                        menu.played(now);
                    }
                    payload.clear();
                    if alaw {
                        payload.extend(frame.iter().map(|s| alaw_encode(*s)));
                    } else {
                        payload.extend(frame.iter().map(|s| ulaw_encode(*s)));
                    }
                    out.clear();
                    RtpPacket::new(spec.format.payload_type, seq, ts, ssrc, &payload)
                        .write(&mut out);
                    seq = seq.wrapping_add(1);
                    ts = ts.wrapping_add(FRAME as u32);
                    if let Some(sealed) = srtp.seal(&out) {
                        let _ = socket.send_to(sealed, peer).await;
                    }
                }
                received = socket.recv_from(&mut buf) => {
                    let Ok((len, from)) = received else { continue };
                    let Some(datagram) = buf.get(..len) else { continue };
                    let Some(datagram) = srtp.open(datagram) else { continue };
                    let Ok(packet) = RtpPacket::parse(datagram) else { continue };
                    // Symmetric RTP: answer where the phone's audio comes from (NAT).
                    peer = from;
                    if spec.dtmf.as_ref().is_some_and(|d| d.payload_type == packet.payload_type) {
                        dtmf.on_telephone_event(packet.timestamp, packet.payload);
                    } else if packet.payload_type == spec.format.payload_type {
                        let pcm: Vec<i16> = if alaw {
                            packet.payload.iter().map(|c| alaw_decode(*c)).collect()
                        } else {
                            packet.payload.iter().map(|c| ulaw_decode(*c)).collect()
                        };
                        dtmf.on_audio(&pcm);
                        if menu.recording_greeting() {
                            if let Some(g) = greeting.as_mut() {
                                if g.len() < greeting_limit {
                                    g.extend_from_slice(&pcm);
                                }
                            }
                        }
                    }
                    let now = std::time::Instant::now();
                    while let Some(key) = dtmf.poll_digit() {
                        menu.key(now, key);
                    }
                }
            }
        }
    }
}

/// Queues one item; a prompt or message that cannot be read is skipped (logged).
async fn enqueue(
    player: &mut PromptPlayer,
    prompts: &mut HashMap<Prompt, Clip>,
    data_dir: &std::path::Path,
    say: Say,
) {
    match say {
        Say::Prompt(prompt) => {
            let clip = match prompts.entry(prompt) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => match prompt.load(RATE) {
                    Ok(clip) => e.insert(clip),
                    Err(err) => return tracing::warn!(error = %err, "prompt unreadable"),
                },
            };
            player.enqueue(clip.clone());
        }
        Say::Message(file) => {
            if !plain(&file) {
                return;
            }
            let path = data_dir.join(VOICEMAIL_DIR).join(&file);
            let bytes = match tokio::fs::read(&path).await {
                Ok(b) => b,
                Err(e) => return tracing::warn!(error = %e, "voicemail message unreadable"),
            };
            let options = ImportOptions {
                sample_rate: RATE,
                max_seconds: MAX_MESSAGE_SECONDS,
            };
            match import_audio(&bytes, Some("wav"), options) {
                Ok(clip) => player.enqueue(clip),
                Err(e) => tracing::warn!(error = %e, "voicemail message unreadable"),
            }
        }
        Say::Beep => player.enqueue(Clip::beep(RATE)),
        Say::Silence(ms) => player.enqueue_silence(ms),
    }
}

/// Whether `file` is a bare file name (the store never names another folder).
fn plain(file: &str) -> bool {
    !file.is_empty() && !file.starts_with('.') && !file.contains(['/', '\\'])
}

/// Whether `pin` opens `mailbox`, with its messages when it does.
fn check_pin(data_dir: &std::path::Path, mailbox: &str, pin: &str) -> PinResult {
    let result = (|| -> store::Result<PinResult> {
        let store = store::Store::open(data_dir)?;
        if !store.verify_mailbox_pin(mailbox, pin)? {
            return Ok(PinResult::Wrong);
        }
        let messages = store
            .voicemail_messages(Some(mailbox))?
            .into_iter()
            .map(|m| MessageRef {
                id: m.id,
                file: m.file,
                heard: m.heard,
                received_at: m.received_at,
                caller: m.caller_number,
            })
            .collect();
        Ok(PinResult::Open(messages))
    })();
    result.unwrap_or_else(|e| {
        tracing::error!(error = %e, "voicemail PIN not checked");
        PinResult::Wrong
    })
}

/// Applies a change to the mailbox on a blocking thread, then reports its new counts.
fn change(
    data_dir: &std::path::Path,
    mailbox: &str,
    events: &mpsc::UnboundedSender<EndpointEvent>,
    apply: impl FnOnce(&store::Store) -> store::Result<()> + Send + 'static,
) {
    let (data_dir, mailbox, events) = (data_dir.to_owned(), mailbox.to_owned(), events.clone());
    tokio::task::spawn_blocking(move || {
        let result = (|| -> store::Result<(u32, u32)> {
            let store = store::Store::open(&data_dir)?;
            apply(&store)?;
            Ok(store
                .mailboxes()?
                .into_iter()
                .find(|m| m.number == mailbox)
                .map(|m| (m.new_count, m.saved_count))
                .unwrap_or((0, 0)))
        })();
        match result {
            Ok((new, old)) => {
                let _ = events.send(EndpointEvent::MessageSaved { mailbox, new, old });
            }
            Err(e) => tracing::error!(error = %e, "voicemail change not saved"),
        }
    });
}
