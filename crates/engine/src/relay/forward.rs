//! The forwarding task of one call: every socket of both legs polled from one future.
//!
//! One task per call (rather than per socket) keeps each leg's latching state in one place:
//! the task that accepts phone A's packets is the same one that needs A's latched address
//! to answer B's, so no lock or atomic address is shared.

use std::future::poll_fn;
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use media::relay::{Leg, Verdict};
use media::rtp::{NtpClock, NTP_UNIX_OFFSET};
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::time::{Interval, MissedTickBehavior};

use super::dtmf::DtmfTap;
use super::dtmf_send::{DtmfSender, OutStream};
use super::handle::{Control, RelayHandle, SharedStats};
use super::playback::Playback;
use super::pool::{LegSockets, PortLease, RelayOptions, RelayPorts};
use super::record::Tap;
use super::rtcp_ends::{self, RtcpEnds};
use super::srtp::{self, SrtpLeg};
use super::transcode::Transcoding;
use super::RelayError;

/// Larger than any RTP packet we expect (Ethernet MTU); a bigger datagram is truncated.
const BUFFER: usize = 4096;
/// Datagrams read from one socket per wake-up before giving other tasks a turn.
const BURST: usize = 64;
/// The packet time of played streams (RFC 3551 §4.2: 20 ms by default).
const FRAME_TIME: Duration = Duration::from_millis(20);

/// The RTP or RTCP half of one leg: its socket and the latching of its phone.
struct Channel {
    socket: UdpSocket,
    leg: Leg,
}

struct LegIo {
    rtp: Channel,
    rtcp: Option<Channel>,
    /// Kept for its `Drop`: dropped after the sockets, so the port returns once closed.
    _lease: PortLease,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rtp,
    Rtcp,
}

struct Forwarder {
    legs: [LegIo; 2],
    control: UnboundedReceiver<Control>,
    stats: Arc<SharedStats>,
    buf: Box<[u8; BUFFER]>,
    /// Per side: a stream of our own that side hears instead of the other (music on
    /// hold); the other side's RTP to it is not relayed meanwhile.
    playing: [Option<Playback>; 2],
    /// Paces `playing` at one packet per 20 ms; present only while something plays.
    ticker: Option<Interval>,
    /// The running recording's queue, if the call is recorded.
    tap: Option<Tap>,
    /// Set while the phones share no codec: RTP is converted rather than copied.
    transcoding: Option<Box<Transcoding>>,
    /// Reports the keys pressed, once the call's telephone-event types are known.
    dtmf: Option<Box<DtmfTap>>,
    /// Per side: keys the relay sends that side as telephone-events of its own.
    sending: [Option<DtmfSender>; 2],
    /// Per side: the stream forwarded to that side, which sent keys join.
    streams: [OutStream; 2],
    /// Per side: SRTP terminated here, when that phone negotiated it.
    srtp: [Option<Box<SrtpLeg>>; 2],
    /// RTCP ending here on legs that hear our own stream (transcoded, music on hold).
    rtcp_ends: RtcpEnds,
    /// Looks for due reports while a leg's RTCP ends here.
    rtcp_timer: Option<Interval>,
    /// The report being written (reused).
    report: Vec<u8>,
}

pub(super) fn spawn(
    options: &RelayOptions,
    ports: RelayPorts,
    a_peer: SocketAddr,
    b_peer: SocketAddr,
) -> Result<RelayHandle, RelayError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| RelayError::NoRuntime)?;
    let local = [ports.a.lease.rtp_addr(), ports.b.lease.rtp_addr()];
    let legs = {
        // Registering with the reactor needs the runtime's context.
        let _guard = runtime.enter();
        [
            leg_io(ports.a, a_peer, options)?,
            leg_io(ports.b, b_peer, options)?,
        ]
    };
    let (control_tx, control) = mpsc::unbounded_channel();
    let stats = Arc::new(SharedStats::default());
    let mut forwarder = Forwarder {
        legs,
        control,
        stats: Arc::clone(&stats),
        buf: Box::new([0; BUFFER]),
        playing: [None, None],
        ticker: None,
        tap: None,
        transcoding: None,
        dtmf: None,
        sending: [None, None],
        streams: Default::default(),
        srtp: [None, None],
        rtcp_ends: RtcpEnds::new(wall_clock()),
        rtcp_timer: None,
        report: Vec::with_capacity(256),
    };
    let task = runtime.spawn(async move { poll_fn(|cx| forwarder.poll(cx)).await });
    Ok(RelayHandle {
        control: control_tx,
        stats,
        task,
        local,
    })
}

fn leg_io(
    sockets: LegSockets,
    peer: SocketAddr,
    options: &RelayOptions,
) -> Result<LegIo, RelayError> {
    let rtp = Channel {
        socket: UdpSocket::from_std(sockets.rtp)?,
        leg: Leg::new(peer, options.latch),
    };
    let rtcp = match sockets.rtcp {
        Some(s) => Some(Channel {
            socket: UdpSocket::from_std(s)?,
            leg: Leg::new(rtcp_peer(peer), options.latch),
        }),
        None => None,
    };
    Ok(LegIo {
        rtp,
        rtcp,
        _lease: sockets.lease,
    })
}

/// The NTP time of `Instant`s, for the relay's sender reports (RFC 3550 §6.4.1).
fn wall_clock() -> NtpClock {
    let since_unix = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    NtpClock::new(Instant::now(), NTP_UNIX_OFFSET + since_unix)
}

/// RFC 3550 §11: without other information, RTCP uses the port above RTP. Latching
/// corrects it when the phone said otherwise (a=rtcp) or sits behind NAT.
fn rtcp_peer(rtp: SocketAddr) -> SocketAddr {
    SocketAddr::new(rtp.ip(), rtp.port().saturating_add(1))
}

impl Forwarder {
    /// Applies control messages, then drains every socket; never completes on its own
    /// except when the handle is gone.
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut changed = false;
        loop {
            match self.control.poll_recv(cx) {
                Poll::Ready(Some(message)) => {
                    self.apply(message);
                    changed = true;
                }
                Poll::Ready(None) => return Poll::Ready(()),
                Poll::Pending => break,
            }
        }
        if changed {
            self.sync_rtcp_ends();
        }
        self.play(cx);
        self.report(cx);
        let now = Instant::now();
        let mut more = false;
        for from in [0, 1] {
            more |= self.drain(cx, now, from, Kind::Rtp);
            more |= self.drain(cx, now, from, Kind::Rtcp);
        }
        if more {
            // A socket still had data after a full burst: come back after others ran.
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }

    fn apply(&mut self, message: Control) {
        match message {
            Control::UpdatePeer(side, peer) => {
                let leg = &mut self.legs[side.index()];
                leg.rtp.leg.update_signalled(peer);
                if let Some(rtcp) = &mut leg.rtcp {
                    rtcp.leg.update_signalled(rtcp_peer(peer));
                }
            }
            Control::TrustIp(side, ip) => {
                let leg = &mut self.legs[side.index()];
                leg.rtp.leg.trust_ip(ip);
                if let Some(rtcp) = &mut leg.rtcp {
                    rtcp.leg.trust_ip(ip);
                }
            }
            Control::Play(side, playback) => {
                self.playing[side.index()] = Some(*playback);
                self.start_ticking();
            }
            Control::StopPlaying(side) => {
                self.playing[side.index()] = None;
                self.stop_ticking_when_quiet();
            }
            Control::SendDtmf(side, key) => {
                let slot = &mut self.sending[side.index()];
                if !slot
                    .as_ref()
                    .is_some_and(|s| s.suits(key.payload_type, key.clock_rate))
                {
                    *slot = Some(DtmfSender::new(key.payload_type, key.clock_rate));
                }
                if let Some(sender) = slot {
                    sender.push(key.key, key.millis);
                }
                self.start_ticking();
            }
            // Dropping the previous tap lets its writer finish that file.
            Control::Record(tap) => self.tap = Some(tap),
            Control::StopRecording => self.tap = None,
            Control::Transcode(transcoding) => {
                self.transcoding = Some(transcoding);
                // The transcoder writes streams of its own: keys sent from now on do not
                // join the forwarded ones (see `dtmf_send`).
                self.streams = Default::default();
            }
            Control::StopTranscoding => self.transcoding = None,
            Control::Srtp(side, spec) => {
                let slot = &mut self.srtp[side.index()];
                if !slot.as_ref().is_some_and(|leg| leg.runs(&spec)) {
                    *slot = Some(Box::new(SrtpLeg::new(*spec)));
                }
            }
            Control::SrtpOff(side) => self.srtp[side.index()] = None,
            Control::Dtmf(tap) => match &mut self.dtmf {
                Some(running) => running.merge(*tap),
                None => self.dtmf = Some(tap),
            },
        }
    }

    /// A leg's RTCP ends here while the relay transcodes or plays to it (see
    /// `rtcp_ends`); the report timer runs only then.
    fn sync_rtcp_ends(&mut self) {
        let now = Instant::now();
        for side in [0, 1] {
            // Music, where it plays, is what the leg hears, even on a transcoded call.
            let own = match (&self.playing[side], &self.transcoding) {
                (Some(playback), _) => Some(playback.source()),
                (None, Some(t)) => t.directions.get(1 - side).map(|d| d.source()),
                (None, None) => None,
            };
            self.rtcp_ends.set(side, now, own);
        }
        match (self.rtcp_ends.any(), self.rtcp_timer.is_some()) {
            (true, false) => {
                let mut timer = tokio::time::interval(rtcp_ends::CHECK);
                timer.set_missed_tick_behavior(MissedTickBehavior::Skip);
                self.rtcp_timer = Some(timer);
            }
            (false, true) => self.rtcp_timer = None,
            _ => {}
        }
    }

    /// Sends each terminated leg the report that came due (SRTCP on an SRTP leg).
    fn report(&mut self, cx: &mut Context<'_>) {
        let Some(timer) = &mut self.rtcp_timer else {
            return;
        };
        // Taking every ready tick leaves the timer registered for the next one.
        let mut due = false;
        while timer.poll_tick(cx).is_ready() {
            due = true;
        }
        if !due {
            return;
        }
        let now = Instant::now();
        let legs = self.legs.iter().zip(self.srtp.iter_mut());
        for (side, (leg, keys)) in legs.enumerate() {
            self.report.clear();
            if !self.rtcp_ends.poll_report(side, now, &mut self.report) {
                continue;
            }
            let Some(rtcp) = &leg.rtcp else {
                continue;
            };
            let Some(dest) = rtcp.leg.destination() else {
                continue;
            };
            if srtp::send(keys, &rtcp.socket, true, &self.report, dest).is_ok() {
                self.stats.rtcp_sent.fetch_add(1, Relaxed);
            }
        }
    }

    /// Paces played streams and sent keys at one packet per 20 ms.
    fn start_ticking(&mut self) {
        if self.ticker.is_none() {
            let mut ticker = tokio::time::interval(FRAME_TIME);
            // Catch up after a late wake-up: the listener's jitter buffer absorbs
            // a burst, while skipping would leave gaps in the music.
            ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
            self.ticker = Some(ticker);
        }
    }

    /// Stops the pacing once nothing is played and no key is being sent.
    fn stop_ticking_when_quiet(&mut self) {
        let keys_idle = self
            .sending
            .iter()
            .all(|s| s.as_ref().is_none_or(DtmfSender::is_idle));
        if keys_idle && self.playing.iter().all(Option::is_none) {
            self.ticker = None;
        }
    }

    /// Sends one packet of each playing stream (and of each key being sent) per tick
    /// that has come due.
    fn play(&mut self, cx: &mut Context<'_>) {
        let Some(ticker) = &mut self.ticker else {
            return;
        };
        while ticker.poll_tick(cx).is_ready() {
            let sides = self.sending.iter_mut().zip(self.streams.iter_mut());
            let legs = self.legs.iter().zip(self.srtp.iter_mut());
            for ((leg, keys), (sender, stream)) in legs.zip(sides) {
                let Some(packet) = sender.as_mut().and_then(|s| s.next_packet(stream)) else {
                    continue;
                };
                if let Some(dest) = leg.rtp.leg.destination() {
                    let _ = srtp::send(keys, &leg.rtp.socket, false, packet, dest);
                }
            }
            let legs = self.legs.iter().zip(self.srtp.iter_mut());
            for (side, ((leg, keys), playback)) in legs.zip(self.playing.iter_mut()).enumerate() {
                let Some(playback) = playback else {
                    continue;
                };
                // The clock runs on even while the listener's address is unknown.
                let packet = playback.next_packet();
                if let Some(dest) = leg.rtp.leg.destination() {
                    if srtp::send(keys, &leg.rtp.socket, false, packet, dest).is_ok() {
                        self.stats.played.fetch_add(1, Relaxed);
                        self.rtcp_ends.sent_rtp(side, Instant::now(), packet);
                    }
                }
            }
        }
        self.stop_ticking_when_quiet();
    }

    /// Reads up to a burst from one socket and relays what it accepts. Returns true when
    /// the burst ran out before the socket did.
    fn drain(&mut self, cx: &mut Context<'_>, now: Instant, from: usize, kind: Kind) -> bool {
        let [a, b] = &mut self.legs;
        let (incoming, outgoing) = if from == 0 { (a, b) } else { (b, a) };
        let [srtp_a, srtp_b] = &mut self.srtp;
        let (srtp_in, srtp_out) = if from == 0 {
            (srtp_a, srtp_b)
        } else {
            (srtp_b, srtp_a)
        };
        let rtcp = kind == Kind::Rtcp;
        let (Some(inbound), Some(outbound)) = (incoming.channel(kind), outgoing.channel(kind))
        else {
            return false;
        };
        for _ in 0..BURST {
            let mut read = ReadBuf::new(&mut self.buf[..]);
            let source = match inbound.socket.poll_recv_from(cx, &mut read) {
                Poll::Ready(Ok(source)) => source,
                // Errors such as a queued ICMP report are per datagram: try the next one.
                Poll::Ready(Err(_)) => continue,
                Poll::Pending => return false,
            };
            let data = read.filled_mut();
            if inbound.leg.on_packet(now, source) == Verdict::Drop {
                self.stats.refused(from);
                continue;
            }
            // RFC 3711 §3.3: a packet that fails authentication (or is replayed) is
            // dropped before anything else sees it.
            let data = match srtp_in {
                Some(keys) => match keys.open(rtcp, data) {
                    Some(plain) => plain,
                    None => {
                        self.stats.refused(from);
                        continue;
                    }
                },
                None => data,
            };
            if kind == Kind::Rtcp {
                let terminated = self.rtcp_ends.terminates(from);
                // The other leg hears our stream: this phone's reports are not for it.
                let forward = self.rtcp_ends.received_rtcp(from, now, data);
                if terminated {
                    self.stats.rtcp_read.fetch_add(1, Relaxed);
                    let quality = self.rtcp_ends.quality(from);
                    tracing::debug!(
                        side = from,
                        ?quality,
                        "rtcp read on a leg the relay reports to"
                    );
                }
                if !forward {
                    continue;
                }
            }
            if kind == Kind::Rtp {
                self.rtcp_ends.received_rtp(from, now, data);
                if let Some(dtmf) = &mut self.dtmf {
                    dtmf.packet(from, data);
                }
                if let Some(tap) = &self.tap {
                    if !tap.packet(from, now, data) {
                        self.tap = None; // the writer failed; it said why
                    }
                }
                if self.playing.get(1 - from).is_some_and(Option::is_some) {
                    self.stats.replaced.fetch_add(1, Relaxed);
                    continue;
                }
                if let Some(transcoding) = &mut self.transcoding {
                    let stats = &self.stats;
                    let Some(dest) = outbound.leg.destination() else {
                        stats.undeliverable.fetch_add(1, Relaxed);
                        continue;
                    };
                    let conversion = &mut transcoding.directions[from];
                    let ends = &mut self.rtcp_ends;
                    conversion.convert(data, |packet| {
                        match srtp::send(srtp_out, &outbound.socket, false, packet, dest) {
                            Ok(_) => {
                                stats.relayed(from, packet.len());
                                ends.sent_rtp(1 - from, now, packet);
                            }
                            Err(_) => {
                                stats.undeliverable.fetch_add(1, Relaxed);
                            }
                        }
                    });
                    continue;
                }
                if let Some(stream) = self.streams.get_mut(1 - from) {
                    stream.forward(data);
                }
            }
            let sent = outbound
                .leg
                .destination()
                .map(|dest| srtp::send(srtp_out, &outbound.socket, rtcp, data, dest));
            match (sent, kind) {
                (Some(Ok(_)), Kind::Rtp) => self.stats.relayed(from, data.len()),
                (Some(Ok(_)), Kind::Rtcp) => {
                    self.stats.rtcp.fetch_add(1, Relaxed);
                }
                _ => {
                    self.stats.undeliverable.fetch_add(1, Relaxed);
                }
            }
        }
        true
    }
}

impl LegIo {
    fn channel(&mut self, kind: Kind) -> Option<&mut Channel> {
        match kind {
            Kind::Rtp => Some(&mut self.rtp),
            Kind::Rtcp => self.rtcp.as_mut(),
        }
    }
}
