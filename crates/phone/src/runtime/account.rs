//! The task of one account: its SIP socket (UDP or TCP), the user agent's timers, the
//! application's commands, and the calls' media loops.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use media::sdp::{CodecSpec, Direction};
use tokio::net::UdpSocket;
use tokio::sync::{broadcast, mpsc};

use super::call_loop::{self, CallLoop, Control};
use super::handle::{Command, PhoneEvent, PhoneOptions, RuntimeError};
use super::net::LocalIp;
use super::sip_socket::{Received, SipSocket};
use super::tls::TlsTrust;
use crate::audio::AudioBackend;
use crate::ua::{Account, CallHandle, EndReason, Event, LocalMedia, RemoteMedia, UserAgent};

mod roaming;
mod switching;

/// How long shutdown waits for the BYEs and the un-REGISTER to be answered.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// A call's network side: its RTP socket until media starts, then the loop.
#[derive(Default)]
struct CallNet {
    socket: Option<UdpSocket>,
    /// Its RTCP socket, bound with the RTP one so the offer can name it.
    rtcp: Option<UdpSocket>,
    media: Option<CallLoop>,
    telephone_event: bool,
    /// Muted before its media started: applied when it starts.
    muted: bool,
    /// Rings here, not answered yet (the other calls hear the call-waiting beep).
    ringing_in: bool,
    /// Answered, by either side.
    answered: bool,
    /// We put it on hold (asked for; the far end may still be answering).
    held: bool,
    /// The local address its audio is sent and received on, once it runs.
    rtp_ip: Option<IpAddr>,
}

struct AccountTask {
    ua: UserAgent,
    /// `None` while a lost TCP connection waits to be made again (at the next send).
    socket: Option<SipSocket>,
    /// How TLS connections (the first and any made again) check the server.
    trust: TlsTrust,
    ip: IpAddr,
    /// Asked for `ip` again every few seconds (see `roaming`).
    local_ip: LocalIp,
    audio: Arc<dyn AudioBackend>,
    events: broadcast::Sender<PhoneEvent>,
    calls: HashMap<CallHandle, CallNet>,
    /// What calls offer and accept, best first.
    codecs: Vec<CodecSpec>,
    /// Whether the account registers (not when calling another phone directly).
    registers: bool,
    /// The fixed UDP address SIP is taken on (see [`PhoneOptions::listen`]); the account
    /// then stays there when the network changes.
    listen: Option<SocketAddr>,
    /// The system's word that an address or route changed (see `net_watch.rs`); `None`
    /// where it says nothing, leaving the poll.
    net_changes: Option<mpsc::Receiver<()>>,
    /// How often the local address is asked for regardless.
    network_check: Duration,
}

pub(super) async fn spawn(
    account: Account,
    audio: Arc<dyn AudioBackend>,
    options: PhoneOptions,
    local_ip: LocalIp,
    commands: mpsc::Receiver<Command>,
    events: broadcast::Sender<PhoneEvent>,
) -> std::io::Result<SocketAddr> {
    let trust = TlsTrust::new(options.tls_fingerprint.as_deref())?;
    let (ip, socket, local) = match options.listen {
        Some(listen) => {
            if account.transport != sip::Transport::Udp {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "a fixed SIP address is for UDP only",
                ));
            }
            let socket = SipSocket::bind_udp(listen).await?;
            // Bound to every interface: requests name the one that routes to the server.
            let ip = match listen.ip() {
                ip if ip.is_unspecified() => local_ip(account.server)?,
                ip => ip,
            };
            let local = SocketAddr::new(ip, socket.local_addr()?.port());
            (ip, socket, local)
        }
        None => {
            let ip = local_ip(account.server)?;
            let domain = account.domain.clone();
            let socket = SipSocket::open(
                account.transport,
                ip,
                account.server,
                &trust,
                domain.as_deref(),
            )
            .await?;
            let local = socket.local_addr()?;
            (ip, socket, local)
        }
    };
    let mut ua = UserAgent::new(account, local, None);
    ua.set_srtp(options.srtp);
    if options.register {
        ua.register(Instant::now());
    }
    let task = AccountTask {
        ua,
        socket: Some(socket),
        trust,
        ip,
        local_ip,
        audio,
        events,
        calls: HashMap::new(),
        codecs: options.codecs,
        registers: options.register,
        listen: options.listen,
        net_changes: super::net_watch::watch(),
        network_check: options.network_check,
    };
    tokio::spawn(task.run(commands));
    Ok(local)
}

/// Waits for the system's next word of a network change; forever when it gives none (or
/// stopped giving any).
async fn net_changed(changes: &mut Option<mpsc::Receiver<()>>) {
    if let Some(rx) = changes.as_mut() {
        if rx.recv().await.is_some() {
            return;
        }
        *changes = None;
    }
    std::future::pending::<()>().await;
}

impl AccountTask {
    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut buf = vec![0u8; 65_536];
        self.flush().await;
        let mut network_check = tokio::time::interval(self.network_check);
        network_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let wake = self
                .ua
                .poll_timeout()
                .map(tokio::time::Instant::from_std)
                .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                received = recv(&mut self.socket, &mut buf) => {
                    // A failed socket may mean the address it was bound to is gone.
                    let lost = matches!(received, Received::Lost);
                    self.on_received(received);
                    if lost {
                        self.check_network().await;
                    }
                }
                _ = tokio::time::sleep_until(wake) => self.ua.handle_timeout(Instant::now()),
                _ = network_check.tick() => self.check_network().await,
                () = net_changed(&mut self.net_changes) => self.check_network().await,
                command = commands.recv() => match command {
                    Some(Command::Shutdown(reply)) => {
                        self.shutdown(&mut buf).await;
                        let _ = reply.send(Ok(()));
                        return;
                    }
                    Some(command) => self.command(command).await,
                    None => {
                        self.shutdown(&mut buf).await;
                        return;
                    }
                },
            }
            self.flush().await;
        }
    }

    /// Sends what the user agent has to send and acts on what it reported.
    async fn flush(&mut self) {
        loop {
            while let Some(t) = self.ua.poll_transmit() {
                self.send(t.dest, &t.bytes).await;
            }
            let Some(event) = self.ua.poll_event() else {
                return;
            };
            self.on_event(event).await;
        }
    }

    fn on_received(&mut self, received: Received) {
        match received {
            Received::Messages(messages) => {
                for (source, bytes) in messages {
                    self.ua.handle_input(Instant::now(), source, &bytes);
                }
            }
            Received::Lost => {
                // A UDP socket stays (an ICMP error shows up here on some systems); a
                // TCP connection is made again at the next send.
                if self.socket.as_ref().is_some_and(SipSocket::is_stream) {
                    self.socket = None;
                }
                self.ua.handle_transport_error(Instant::now());
            }
        }
    }

    /// Sends to the server, connecting again first if the connection was lost. A new
    /// local address (a new connection's port) is told to the user agent, which
    /// registers it (RFC 5626 §4.4.1 flow recovery, without the outbound extension).
    async fn send(&mut self, dest: SocketAddr, bytes: &[u8]) {
        if self.socket.is_none() {
            let account = self.ua.account();
            let domain = account.domain.as_deref();
            let opened = SipSocket::open(
                account.transport,
                self.ip,
                account.server,
                &self.trust,
                domain,
            );
            match opened.await {
                Ok(socket) => {
                    let local = socket.local_addr().ok();
                    self.socket = Some(socket);
                    if let Some(local) = local {
                        self.ua.network_changed(Instant::now(), local);
                    }
                }
                Err(err) => {
                    tracing::debug!(%err, "cannot reach the server");
                    self.ua.handle_transport_error(Instant::now());
                    return;
                }
            }
        }
        if let Some(socket) = self.socket.as_mut() {
            if let Err(err) = socket.send(dest, bytes).await {
                tracing::debug!(%err, "SIP message not sent");
                if socket.is_stream() {
                    self.socket = None;
                }
                self.ua.handle_transport_error(Instant::now());
            }
        }
    }

    async fn on_event(&mut self, event: Event) {
        let out = match event {
            Event::Registration(r) => PhoneEvent::Registration(r),
            Event::Incoming { call, caller, .. } => {
                let net = CallNet {
                    ringing_in: true,
                    ..CallNet::default()
                };
                self.calls.insert(call, net);
                self.update_waiting();
                PhoneEvent::Incoming { call, caller }
            }
            Event::Ringing { call, .. } => PhoneEvent::Ringing { call },
            Event::Answered { call, media } => {
                if let Some(net) = self.calls.get_mut(&call) {
                    net.answered = true;
                    net.ringing_in = false;
                }
                if let Some(media) = media {
                    self.start_media(call, &media);
                }
                PhoneEvent::Answered { call }
            }
            Event::Failed {
                call,
                status,
                reason,
            } => {
                self.end_media(call).await;
                PhoneEvent::Failed {
                    call,
                    status,
                    reason,
                }
            }
            Event::Ended { call, reason } => {
                self.end_media(call).await;
                let reason = match reason {
                    EndReason::Local => "local",
                    EndReason::Remote => "remote",
                    EndReason::Cancelled => "cancelled",
                    EndReason::NoAck => "no-ack",
                };
                PhoneEvent::Ended {
                    call,
                    reason: reason.to_owned(),
                }
            }
            Event::MediaChanged {
                call,
                media,
                held_locally,
            } => {
                // RFC 3264 §8.4: a far end that holds us marks its stream sendonly or
                // inactive (or offers no address at all).
                let held_remotely = media.as_ref().is_none_or(|m| {
                    m.addr.is_none()
                        || matches!(m.direction, Direction::SendOnly | Direction::Inactive)
                });
                if let Some(media) = media {
                    let running = self.calls.get(&call).and_then(|c| c.media.as_ref());
                    match running {
                        Some(m) => m.send(Control::Remote(media.clone())),
                        None => self.start_media(call, &media),
                    }
                }
                PhoneEvent::HoldChanged {
                    call,
                    held_locally,
                    held_remotely,
                }
            }
            Event::RequestFailed { call, status } => {
                tracing::info!(?call, status, "in-call request refused");
                return;
            }
            Event::Dtmf { call, key } => PhoneEvent::Key { call, key },
            Event::Transfer { call, progress } => PhoneEvent::Transfer { call, progress },
            Event::Refused { caller, reason } => PhoneEvent::Refused { caller, reason },
        };
        let _ = self.events.send(out);
    }

    fn start_media(&mut self, call: CallHandle, remote: &RemoteMedia) {
        let Some(net) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(socket) = net.socket.take() else {
            return;
        };
        net.telephone_event = remote.telephone_event.is_some();
        net.rtp_ip = socket.local_addr().ok().map(|a| a.ip());
        net.media = call_loop::spawn(
            call,
            socket,
            net.rtcp.take(),
            remote,
            self.audio.clone(),
            self.events.clone(),
        );
        if let (true, Some(m)) = (net.muted, &net.media) {
            m.send(Control::Muted(true));
        }
    }

    async fn end_media(&mut self, call: CallHandle) {
        if let Some(media) = self.calls.remove(&call).and_then(|c| c.media) {
            media.stop().await;
        }
        self.update_waiting();
    }

    /// A fresh RTP socket, the RTCP socket beside it, and what we offer on them.
    async fn local_media(
        &self,
    ) -> Result<(UdpSocket, Option<UdpSocket>, LocalMedia), RuntimeError> {
        let socket = UdpSocket::bind(SocketAddr::new(self.ip, 0)).await?;
        let (rtcp, rtcp_port) = call_loop::bind_rtcp(&socket).await;
        let media = LocalMedia {
            rtp: socket.local_addr()?,
            rtcp_port,
            codecs: self.codecs.clone(),
        };
        Ok((socket, rtcp, media))
    }

    async fn command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Dial(target, reply) => {
                let _ = reply.send(self.dial(now, &target).await);
            }
            Command::Answer(call, reply) => {
                self.hold_others(now, call);
                let result = match self.local_media().await {
                    Ok((socket, rtcp, media)) => {
                        let net = self.calls.entry(call).or_default();
                        net.socket = Some(socket);
                        net.rtcp = rtcp;
                        self.ua.answer(now, call, media).map_err(Into::into)
                    }
                    Err(err) => Err(err),
                };
                let _ = reply.send(result);
            }
            Command::Decline(call, reply) => {
                let _ = reply.send(self.ua.decline(now, call, true).map_err(Into::into));
            }
            Command::HangUp(call, reply) => {
                let _ = reply.send(self.ua.hang_up(now, call).map_err(Into::into));
            }
            Command::Hold(call, reply) => {
                let _ = reply.send(self.set_held(now, call, true).map_err(Into::into));
            }
            Command::Resume(call, reply) => {
                self.hold_others(now, call);
                let _ = reply.send(self.set_held(now, call, false).map_err(Into::into));
            }
            Command::Transfer(call, target, reply) => {
                let _ = reply.send(self.ua.transfer(now, call, &target).map_err(Into::into));
            }
            Command::Consult(call, target, reply) => {
                let _ = reply.send(self.consult(now, call, &target).await);
            }
            Command::CompleteTransfer(call, consult, reply) => {
                let result = self.ua.complete_transfer(now, call, consult);
                let _ = reply.send(result.map_err(Into::into));
            }
            Command::SetDnd(on, reply) => {
                self.ua.set_dnd(on);
                let _ = reply.send(Ok(()));
            }
            Command::SetSrtp(mode, reply) => {
                self.ua.set_srtp(mode);
                let _ = reply.send(Ok(()));
            }
            Command::SendDtmf(call, keys, reply) => {
                let _ = reply.send(self.send_keys(now, call, keys));
            }
            Command::SetMuted(call, muted, reply) => {
                let result = if let Some(net) = self.calls.get_mut(&call) {
                    net.muted = muted;
                    self.control(call, Control::Muted(muted));
                    Ok(())
                } else {
                    Err(RuntimeError::Phone(crate::Error::UnknownCall))
                };
                let _ = reply.send(result);
            }
            Command::Shutdown(reply) => {
                let _ = reply.send(Ok(()));
            }
        }
    }

    fn control(&self, call: CallHandle, control: Control) {
        if let Some(m) = self.calls.get(&call).and_then(|c| c.media.as_ref()) {
            m.send(control);
        }
    }

    /// RFC 4733 events in the media when the far end agreed to them, else SIP INFO.
    fn send_keys(
        &mut self,
        now: Instant,
        call: CallHandle,
        keys: String,
    ) -> Result<(), RuntimeError> {
        let net = self.calls.get(&call).ok_or(crate::Error::UnknownCall)?;
        if let (true, Some(m)) = (net.telephone_event, net.media.as_ref()) {
            m.send(Control::Keys(keys));
            return Ok(());
        }
        for key in keys.chars() {
            self.ua.send_dtmf_info(now, call, key, 160)?;
        }
        Ok(())
    }

    /// Hangs up every call, unregisters, and gives the server a moment to answer.
    async fn shutdown(&mut self, buf: &mut [u8]) {
        let now = Instant::now();
        let calls: Vec<CallHandle> = self.calls.keys().copied().collect();
        for call in calls {
            let _ = self.ua.hang_up(now, call);
        }
        if self.registers {
            self.ua.unregister(now);
        }
        self.flush().await;
        let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
        loop {
            tokio::select! {
                received = recv(&mut self.socket, buf) => self.on_received(received),
                _ = tokio::time::sleep_until(deadline) => break,
            }
            self.flush().await;
        }
        let rest: Vec<CallHandle> = self.calls.keys().copied().collect();
        for call in rest {
            self.end_media(call).await;
        }
    }
}

/// The next message from the socket; never, while there is none.
async fn recv(socket: &mut Option<SipSocket>, buf: &mut [u8]) -> Received {
    match socket {
        Some(s) => s.recv(buf).await,
        None => std::future::pending().await,
    }
}
