//! One call's media loop: each microphone frame goes out as RTP as soon as it is
//! complete, and a frame from the jitter buffer goes to the speaker when the audio
//! queued for it falls below one device period (a poll more once it ran dry; see
//! `call_media::Pacer`; the devices are polled every 5 ms); datagrams are handed to
//! the jitter buffer as they arrive. The audio device is only ever asked without
//! waiting (a microphone that gives nothing is replaced by silence), so a slow device
//! never delays the network.
//!
//! RTCP (RFC 3550 §6) runs beside it on the port above the RTP port (RFC 3550 §11), on
//! the port our `a=rtcp` names when that one was taken (RFC 3605), or on the RTP port
//! itself when both sides agreed to `a=rtcp-mux`
//! (RFC 5761), through SRTCP when the call encrypts: a report goes out when due
//! at a poll, and reports that come in set the encoder's loss hint and the call's
//! quality figures.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

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
use media::rtp::is_rtcp;

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

/// Starts the loop for `call` on `socket` (and `rtcp`, bound with it; without it the
/// loop binds the port above RTP); `None` when no voice format was agreed.
pub(super) fn spawn(
    call: CallHandle,
    socket: UdpSocket,
    rtcp: Option<UdpSocket>,
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
    let local_ip = socket.local_addr().ok().map(|a| a.ip());
    let cname = match local_ip {
        Some(ip) => format!("{:08x}@{ip}", media.ssrc()),
        None => format!("{:08x}@switchboard", media.ssrc()),
    };
    let since_unix = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    media.enable_rtcp(Instant::now(), since_unix, &cname);
    let srtp = remote.srtp.clone().map(SrtpStreams::new);
    let _ = events.send(PhoneEvent::Codec {
        call,
        codec: spec.encoding.clone(),
        clock_rate: spec.clock_rate,
        encrypted: srtp.is_some(),
    });
    let dest = Dest::of(remote);
    let (control, rx) = mpsc::unbounded_channel();
    let sockets = (socket, rtcp);
    let task = tokio::spawn(run(call, sockets, media, srtp, dest, audio, events, rx));
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

/// Where the far end takes RTP and RTCP.
#[derive(Clone, Copy)]
struct Dest {
    rtp: Option<SocketAddr>,
    rtcp: Option<SocketAddr>,
    /// RFC 5761: RTCP goes out from the RTP socket (and comes in there, told apart by
    /// its payload type, §4).
    mux: bool,
}

impl Dest {
    fn of(remote: &RemoteMedia) -> Dest {
        Dest {
            rtp: remote.addr,
            rtcp: remote.rtcp,
            mux: remote.rtcp_mux,
        }
    }
}

/// The RTCP socket for a call's `rtp` socket, bound before the offer is written, and
/// the port to name in `a=rtcp` (RFC 3605 §2.1) when it is not the one above RTP:
/// that port when free (RFC 3550 §11, nothing to write), else any free port, else
/// none at all and the RTP port is named (its datagrams are told apart, RFC 5761 §4).
pub(super) async fn bind_rtcp(rtp: &UdpSocket) -> (Option<UdpSocket>, Option<u16>) {
    if let Some(above) = rtcp_socket(rtp).await {
        return (Some(above), None);
    }
    let Ok(local) = rtp.local_addr() else {
        return (None, None);
    };
    match UdpSocket::bind(SocketAddr::new(local.ip(), 0)).await {
        Ok(other) => {
            let port = other.local_addr().map_or(local.port(), |a| a.port());
            (Some(other), Some(port))
        }
        Err(_) => (None, Some(local.port())),
    }
}

/// The RTCP socket on the port above `rtp`'s, where the far end sends its reports when
/// we name no other (RFC 3550 §11); `None` when that port is taken: reports then go
/// out from the RTP socket, and a far end that answers to where they came from
/// (symmetric RTCP, the PBX's relay) still reaches us.
async fn rtcp_socket(rtp: &UdpSocket) -> Option<UdpSocket> {
    let local = rtp.local_addr().ok()?;
    let port = local.port().checked_add(1)?;
    UdpSocket::bind(SocketAddr::new(local.ip(), port))
        .await
        .map_err(|err| tracing::debug!(%err, "no RTCP port above the RTP port"))
        .ok()
}

/// Waits for a datagram on the RTCP socket, forever when there is none.
async fn recv_rtcp(
    socket: &Option<UdpSocket>,
    buf: &mut [u8],
) -> std::io::Result<(usize, SocketAddr)> {
    match socket {
        Some(s) => s.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

/// Sends an RTCP compound packet from the RTCP socket (or the RTP one without it, or
/// when RTCP is muxed).
async fn send_rtcp(
    rtp: &UdpSocket,
    rtcp: &Option<UdpSocket>,
    srtp: &mut Option<SrtpStreams>,
    packet: &[u8],
    dest: Dest,
) {
    let from = match rtcp {
        Some(socket) if !dest.mux => socket,
        _ => rtp,
    };
    send(from, srtp, packet, dest.rtcp).await;
}

/// Takes an RTCP datagram (opened already) and tells the API when the figures moved.
fn on_rtcp(
    call: CallHandle,
    media: &mut CallMedia,
    datagram: &[u8],
    events: &broadcast::Sender<PhoneEvent>,
) {
    let hint = media.loss_hint();
    if media.receive_rtcp(Instant::now(), datagram) {
        let _ = events.send(PhoneEvent::Quality {
            call,
            quality: media.quality(),
        });
    }
    if media.loss_hint() != hint {
        tracing::debug!(loss_hint = media.loss_hint(), "encoder loss hint from RTCP");
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    call: CallHandle,
    sockets: (UdpSocket, Option<UdpSocket>),
    mut media: CallMedia,
    mut srtp: Option<SrtpStreams>,
    mut dest: Dest,
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
    let (mut socket, given) = sockets;
    let mut rtcp = match given {
        Some(bound) => Some(bound),
        None => rtcp_socket(&socket).await,
    };
    let mut rtcp_buf = vec![0u8; 2048];
    let mut report = Vec::with_capacity(256);
    loop {
        tokio::select! {
            due = tick.tick() => {
                let now = Instant::now();
                if now.saturating_duration_since(due.into_std()) > Duration::from_millis(10) {
                    late_ticks += 1;
                }
                devices.check(now);
                if let Some(problem) = devices.take_choice_outcome() {
                    let _ = events.send(PhoneEvent::DeviceChoice { call, problem });
                }
                // Every frame the microphone completed since the last poll goes out now.
                while devices.read_frame(&mut frame) {
                    if let Some(dsp) = dsp.as_mut() {
                        dsp.capture(&mut frame);
                    }
                    pacer.captured(now);
                    for packet in media.send_frame(now, &frame) {
                        send(&socket, &mut srtp, &packet, dest.rtp).await;
                    }
                }
                if pacer.silence_due(now) {
                    for packet in media.send_frame(now, &silence) {
                        send(&socket, &mut srtp, &packet, dest.rtp).await;
                    }
                }
                for _ in 0..MAX_WRITES_PER_POLL {
                    let due = match devices.playback_mut() {
                        Some(p) => {
                            let (queued, period) = (p.queued_ms(), p.period_ms());
                            let due = pacer.speaker_wants(now, queued, period, p.underruns());
                            media.note_speaker_queue(pacer.speaker_excess(now, queued, period));
                            due
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
                report.clear();
                if media.poll_rtcp(now, &mut report) {
                    send_rtcp(&socket, &rtcp, &mut srtp, &report, dest).await;
                    let _ = events.send(PhoneEvent::Quality { call, quality: media.quality() });
                }
            }
            received = socket.recv_from(&mut buf) => {
                if let Ok((n, _)) = received {
                    if let Some(datagram) = buf.get(..n) {
                        // RFC 3711 §3.3: what fails authentication is dropped, never played.
                        match srtp.as_mut() {
                            Some(s) => {
                                if let Some(opened) = s.unprotect(datagram) {
                                    if is_rtcp(opened) {
                                        on_rtcp(call, &mut media, opened, &events);
                                    } else {
                                        media.receive_rtp(Instant::now(), opened);
                                    }
                                }
                            }
                            None if is_rtcp(datagram) => {
                                on_rtcp(call, &mut media, datagram, &events);
                            }
                            None => media.receive_rtp(Instant::now(), datagram),
                        }
                    }
                }
            }
            received = recv_rtcp(&rtcp, &mut rtcp_buf) => {
                if let Ok((n, _)) = received {
                    if let Some(datagram) = rtcp_buf.get(..n) {
                        let opened = match srtp.as_mut() {
                            Some(s) => s.unprotect(datagram),
                            None => Some(datagram),
                        };
                        if let Some(opened) = opened {
                            on_rtcp(call, &mut media, opened, &events);
                        }
                    }
                }
            }
            c = control.recv() => match c {
                None => {
                    // RFC 3550 §6.3.7: a source that leaves says BYE.
                    report.clear();
                    media.rtcp_bye(&mut report);
                    if !report.is_empty() {
                        send_rtcp(&socket, &rtcp, &mut srtp, &report, dest).await;
                    }
                    let stats = media.stats();
                    tracing::info!(
                        ?stats,
                        quality = ?media.quality(),
                        loss_hint = media.loss_hint(),
                        late_ticks,
                        srtp_dropped = srtp.as_ref().map_or(0, |s| s.dropped()),
                        speaker_underruns = devices.playback_mut().map_or(0, |p| p.underruns()),
                        "call media ended"
                    );
                    break;
                }
                Some(Control::Remote(remote)) => {
                    dest = Dest::of(&remote);
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
                Some(Control::Socket(moved)) => {
                    socket = moved;
                    rtcp = rtcp_socket(&socket).await;
                }
                Some(Control::Keys(keys)) => {
                    for key in keys.chars() {
                        media.send_dtmf(key, KEY_MS);
                    }
                }
            },
        }
    }
}
