//! One call's media loop: each microphone frame goes out as RTP as soon as it is
//! complete, and a frame from the jitter buffer goes to the speaker when the audio
//! queued for it falls below one device period (a poll more once it ran dry; see
//! `call_media::Pacer`; the devices are polled every 5 ms); datagrams are handed to
//! the jitter buffer as they arrive. The audio device is only ever asked without
//! waiting (a microphone that gives nothing is replaced by silence), so a slow device
//! never delays the network.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::handle::PhoneEvent;
use super::waiting_tone::WaitingTone;
use crate::audio::{AudioBackend, CallDevices};
use crate::call_media::{CallMedia, CodecSpec, Pacer, SrtpStreams, POLL};
use crate::dsp::VoiceProcessor;
use crate::ua::{CallHandle, RemoteMedia};

/// How long each RFC 4733 key lasts.
const KEY_MS: u32 = 160;

/// Frames written to the speaker in one poll at most: one normally, two when a device
/// period is longer than a frame; a bound in case a device never takes what it is given.
const MAX_WRITES_PER_POLL: usize = 3;

pub(super) enum Control {
    Remote(RemoteMedia),
    Held(bool),
    Muted(bool),
    Keys(String),
    /// Another call rings: mix the call-waiting beep into what we play.
    Waiting(bool),
    /// A new network: send and receive on this socket from now on (the codec state and
    /// jitter buffer go on as they are).
    Socket(UdpSocket),
}

/// A running media loop; dropping the handle's sender stops it.
pub(super) struct CallLoop {
    control: mpsc::UnboundedSender<Control>,
    task: JoinHandle<()>,
}

impl CallLoop {
    pub(super) fn send(&self, control: Control) {
        let _ = self.control.send(control);
    }

    /// Stops the loop and waits until the audio devices are closed (recordings written).
    pub(super) async fn stop(self) {
        drop(self.control);
        let _ = self.task.await;
    }
}

/// Starts the loop for `call` on `socket`; `None` when no voice format was agreed.
pub(super) fn spawn(
    call: CallHandle,
    socket: UdpSocket,
    remote: &RemoteMedia,
    audio: Arc<dyn AudioBackend>,
    events: broadcast::Sender<PhoneEvent>,
) -> Option<CallLoop> {
    let spec = CodecSpec::from_remote(remote, rand::random())?;
    let mut media = match CallMedia::new(&spec) {
        Ok(m) => m,
        Err(err) => {
            tracing::warn!(%err, "call media not started");
            return None;
        }
    };
    media.set_remote_direction(remote.direction);
    let srtp = remote.srtp.clone().map(SrtpStreams::new);
    let _ = events.send(PhoneEvent::Codec {
        call,
        codec: spec.encoding.clone(),
        clock_rate: spec.clock_rate,
        encrypted: srtp.is_some(),
    });
    let dest = remote.addr;
    let (control, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(call, socket, media, srtp, dest, audio, events, rx));
    Some(CallLoop { control, task })
}

/// Sends one RTP or RTCP packet, through SRTP when the call encrypts.
async fn send(
    socket: &UdpSocket,
    srtp: &mut Option<SrtpStreams>,
    packet: &[u8],
    to: Option<SocketAddr>,
) {
    let Some(to) = to else {
        return;
    };
    let wire = match srtp.as_mut() {
        Some(s) => match s.protect(packet) {
            Some(sealed) => sealed,
            None => return,
        },
        None => packet,
    };
    let _ = socket.send_to(wire, to).await;
}

#[allow(clippy::too_many_arguments)]
async fn run(
    call: CallHandle,
    mut socket: UdpSocket,
    mut media: CallMedia,
    mut srtp: Option<SrtpStreams>,
    mut dest: Option<SocketAddr>,
    audio: Arc<dyn AudioBackend>,
    events: broadcast::Sender<PhoneEvent>,
    mut control: mpsc::UnboundedReceiver<Control>,
) {
    let rate = media.sample_rate();
    let mut devices = CallDevices::open(Arc::clone(&audio), rate, Instant::now());
    // Echo cancellation, noise suppression and gain on the microphone; the far end's
    // frames are its echo reference. Without it (it cannot fail at a call's rates) the
    // microphone goes out as captured.
    let mut dsp = VoiceProcessor::new(rate, audio.voice_processing())
        .map_err(|err| tracing::warn!(%err, "no voice processing"))
        .ok();
    let silence = vec![0i16; media.frame_samples()];
    let mut frame = Vec::with_capacity(media.frame_samples());
    let mut tick = tokio::time::interval(POLL);
    // What is due is read from the devices' state (frames captured, audio queued), not
    // counted in ticks, so a poll served late has nothing to make up.
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut pacer = Pacer::new();
    let mut late_ticks: u64 = 0;
    let mut buf = vec![0u8; 2048];
    let mut waiting = WaitingTone::default();
    let mut mixed: Vec<i16> = Vec::with_capacity(media.frame_samples());
    loop {
        tokio::select! {
            due = tick.tick() => {
                let now = Instant::now();
                if now.saturating_duration_since(due.into_std()) > Duration::from_millis(10) {
                    late_ticks += 1;
                }
                devices.check(now);
                // Every frame the microphone completed since the last poll goes out now.
                while devices.read_frame(&mut frame) {
                    if let Some(dsp) = dsp.as_mut() {
                        dsp.capture(&mut frame);
                    }
                    pacer.captured(now);
                    for packet in media.send_frame(now, &frame) {
                        send(&socket, &mut srtp, &packet, dest).await;
                    }
                }
                if pacer.silence_due(now) {
                    for packet in media.send_frame(now, &silence) {
                        send(&socket, &mut srtp, &packet, dest).await;
                    }
                }
                for _ in 0..MAX_WRITES_PER_POLL {
                    let due = match devices.playback_mut() {
                        Some(p) => {
                            Pacer::speaker_wants(p.queued_ms(), p.period_ms(), p.underruns())
                        }
                        None => pacer.silent_playout_due(now),
                    };
                    if !due {
                        break;
                    }
                    let out = media.next_frame(now);
                    if let Some(dsp) = dsp.as_mut() {
                        dsp.render(out);
                    }
                    if let Some(p) = devices.playback_mut() {
                        if waiting.is_on() {
                            mixed.clear();
                            mixed.extend_from_slice(out);
                            waiting.mix(&mut mixed, rate);
                            p.write_frame(&mixed);
                        } else {
                            p.write_frame(out);
                        }
                    }
                }
                while let Some(key) = media.poll_key() {
                    let _ = events.send(PhoneEvent::Key { call, key });
                }
            }
            received = socket.recv_from(&mut buf) => {
                if let Ok((n, _)) = received {
                    if let Some(datagram) = buf.get(..n) {
                        // RFC 3711 §3.3: what fails authentication is dropped, never played.
                        match srtp.as_mut() {
                            Some(s) => {
                                if let Some(opened) = s.unprotect(datagram) {
                                    media.receive_rtp(Instant::now(), opened);
                                }
                            }
                            None => media.receive_rtp(Instant::now(), datagram),
                        }
                    }
                }
            }
            c = control.recv() => match c {
                None => {
                    let stats = media.stats();
                    tracing::info!(
                        ?stats,
                        late_ticks,
                        srtp_dropped = srtp.as_ref().map_or(0, |s| s.dropped()),
                        speaker_underruns = devices.playback_mut().map_or(0, |p| p.underruns()),
                        "call media ended"
                    );
                    break;
                }
                Some(Control::Remote(remote)) => {
                    dest = remote.addr;
                    media.set_remote_direction(remote.direction);
                    // The same keys keep their contexts (hold, a network move); new keys
                    // or none replace them.
                    match (srtp.as_mut(), remote.srtp) {
                        (Some(s), Some(keys)) => s.rekey(keys),
                        (_, keys) => srtp = keys.map(SrtpStreams::new),
                    }
                }
                Some(Control::Held(held)) => media.set_held(held),
                Some(Control::Muted(muted)) => media.set_muted(muted),
                Some(Control::Waiting(on)) => waiting.set(on),
                Some(Control::Socket(moved)) => socket = moved,
                Some(Control::Keys(keys)) => {
                    for key in keys.chars() {
                        media.send_dtmf(key, KEY_MS);
                    }
                }
            },
        }
    }
}
