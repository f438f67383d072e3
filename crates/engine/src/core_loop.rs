//! The one task that owns the PBX state machine: it feeds it network input and the time,
//! sends what it transmits and applies what it asks for.

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pbx::registrar::AuthOutcome;
use pbx::{Action, Pbx, PbxEvent, TrunkStatus};
use sip::transaction::Peer;
use sip::Transport;
use tokio::sync::{broadcast, mpsc};

use crate::bridge;
use crate::cdr_writer::CdrWriter;
use crate::handle::{Command, Registration, Status};
use crate::media_bridge::Relays;
use crate::net::{Blocklist, NetEvent, TcpConnections, TlsConnections, UdpSockets};
use crate::personal::Personal;
use crate::plan_sync::PlanSync;
use crate::trunk_net::TrunkNetEvent;

/// How often the database is checked for extensions and dial plan changes saved by
/// another connection (the admin API, the command line).
const DIRECTORY_POLL: Duration = Duration::from_secs(1);

/// How long stopping waits for trunk providers to confirm that our registrations are
/// removed; a provider that does not answer lets the binding expire on its own.
const UNREGISTER_GRACE: Duration = Duration::from_secs(2);

/// Inputs handled per wake-up before transmits are flushed, to batch work under load.
const BATCH: usize = 256;

pub(crate) struct Core {
    pub pbx: Pbx,
    pub events: mpsc::Receiver<NetEvent>,
    pub events_tx: mpsc::Sender<NetEvent>,
    pub udp: UdpSockets,
    pub tcp: TcpConnections,
    pub tls: TlsConnections,
    pub relays: Relays,
    pub bindings: store::BindingWriter,
    pub cdrs: CdrWriter,
    pub store: store::Store,
    pub data_version: i64,
    pub plan: PlanSync,
    pub trunk_events: mpsc::Receiver<TrunkNetEvent>,
    pub commands: mpsc::Receiver<Command>,
    pub broadcast: broadcast::Sender<PbxEvent>,
    /// Voicemail endpoints and what they report.
    pub endpoints: crate::media_endpoint::Endpoints,
    pub endpoint_events: mpsc::UnboundedReceiver<crate::media_endpoint::EndpointEvent>,
    /// Conference rooms and what they report.
    pub conference: crate::conference::Conferences,
    pub conference_events: mpsc::UnboundedReceiver<crate::conference::ConferenceEvent>,
    /// Rate limits and bans per source address.
    pub guard: pbx::guard::Guard,
    /// The guard's bans, as the socket tasks see them.
    pub blocked: Blocklist,
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Core {
    pub async fn run(mut self) {
        let mut directory_poll = tokio::time::interval(DIRECTORY_POLL);
        // Set once asked to stop: until then the trunks' de-registrations may finish.
        let mut stopping: Option<Instant> = None;
        let mut commands_open = true;
        loop {
            if let Some(until) = stopping {
                if !self.pbx.trunks_unregistering() || Instant::now() >= until {
                    break;
                }
            }
            let deadline = self
                .pbx
                .poll_timeout()
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            let deadline = self
                .guard
                .poll_timeout()
                .map_or(deadline, |t| t.min(deadline));
            let deadline = stopping.map_or(deadline, |until| deadline.min(until));
            tokio::select! {
                command = self.commands.recv(), if commands_open => match command {
                    Some(Command::Shutdown) | None => {
                        commands_open = command.is_some();
                        if stopping.is_none() {
                            let now = Instant::now();
                            self.pbx.unregister_trunks(now);
                            stopping = Some(now + UNREGISTER_GRACE);
                        }
                    }
                    Some(command) => self.command(command),
                },
                event = self.events.recv() => {
                    let Some(event) = event else { break };
                    self.handle(event);
                    for _ in 1..BATCH {
                        match self.events.try_recv() {
                            Ok(event) => self.handle(event),
                            Err(_) => break,
                        }
                    }
                }
                _ = tokio::time::sleep_until(deadline.into()) => {
                    let now = Instant::now();
                    self.guard.handle_timeout(now);
                    self.pbx.handle_timeout(now, unix_now());
                }
                // A plan loaded while stopping would register the trunks again.
                _ = directory_poll.tick(), if stopping.is_none() => {
                    self.reload_directory_if_changed()
                }
                Some(event) = self.trunk_events.recv() => {
                    self.plan.handle(Instant::now(), &mut self.pbx, event);
                }
                Some(event) = self.endpoint_events.recv() => self.endpoint_event(event),
                Some(event) = self.conference_events.recv() => self.conference_event(event),
                Some(report) = self.relays.dtmf.recv() => self.key_pressed(report),
            }
            self.flush();
        }
        self.flush();
        if let Err(e) = self.bindings.flush() {
            tracing::error!(error = %e, "registrations not saved at shutdown");
        }
        tracing::info!("stopped");
    }

    fn handle(&mut self, event: NetEvent) {
        let now = Instant::now();
        match event {
            NetEvent::Message(inbound) => {
                let ip = inbound.remote.ip().to_canonical();
                if self.guard.admit(now, ip) == pbx::guard::Admission::Drop {
                    return;
                }
                // Behind on work: new requests wait, calls under way go on.
                if self.events.len() > crate::overload::BUSY_QUEUE {
                    use crate::overload::{shed, Shed};
                    match shed(inbound.transport, &inbound.bytes, rand::random()) {
                        Shed::Keep => {}
                        Shed::Drop => return,
                        Shed::Refuse(bytes) => {
                            self.send(inbound.transport, inbound.remote, bytes);
                            return;
                        }
                    }
                }
                let source = Peer {
                    transport: inbound.transport,
                    addr: inbound.remote,
                };
                self.pbx
                    .handle_input(now, unix_now(), source, &inbound.bytes);
                // Every credential check just made was for this message's source.
                for outcome in self.pbx.registrar_mut().take_auth_outcomes() {
                    match outcome {
                        AuthOutcome::Failed => self.guard.auth_failed(now, ip),
                        AuthOutcome::Succeeded => self.guard.auth_succeeded(now, ip),
                    }
                }
            }
            NetEvent::TcpClosed(remote) => {
                let target = Peer {
                    transport: Transport::Tcp,
                    addr: remote,
                };
                self.pbx.handle_transport_error(now, unix_now(), target);
            }
            NetEvent::TlsClosed(remote) => {
                let target = Peer {
                    transport: Transport::Tls,
                    addr: remote,
                };
                self.pbx.handle_transport_error(now, unix_now(), target);
            }
        }
    }

    fn flush(&mut self) {
        while let Some(event) = self.guard.poll_event() {
            crate::guard_events::apply(&self.blocked, event);
        }
        while let Some(t) = self.pbx.poll_transmit() {
            self.send(t.transport, t.dest, t.bytes);
        }
        while let Some(action) = self.pbx.poll_action() {
            self.apply(action);
        }
    }

    fn send(&self, transport: Transport, dest: SocketAddr, bytes: Vec<u8>) {
        match transport {
            Transport::Udp => self.udp.send(dest, &bytes),
            Transport::Tcp => self.tcp.send(dest, bytes, &self.events_tx),
            Transport::Tls => self.tls.send(dest, bytes, &self.events_tx),
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Binding(change) => bridge::write_binding(&self.bindings, change),
            Action::RelayPeer { id, side, peer } => self.relays.set_peer(id, side, peer),
            Action::RelayClose { id } => self.relays.close(id),
            Action::RelaySrtp {
                id,
                side,
                suite,
                inbound,
                outbound,
            } => self.relays.set_srtp(
                id,
                side,
                crate::relay::SrtpSpec {
                    suite,
                    inbound,
                    outbound,
                },
            ),
            Action::RelayPlain { id, side } => self.relays.set_plain(id, side),
            Action::MediaPlay {
                id,
                to,
                source,
                format,
            } => self.relays.play(id, to, source, &format),
            Action::MediaStop { id, to } => self.relays.stop_playing(id, to),
            Action::RecordStart {
                id,
                path,
                formats,
                info,
            } => self.relays.start_recording(id, &path, &formats, *info),
            Action::RecordStop { id } => self.relays.stop_recording(id),
            Action::PlayAndRecord(spec) => {
                let unix = i64::try_from(unix_now()).unwrap_or(i64::MAX);
                self.endpoints.start(*spec, unix);
            }
            Action::EndpointClose { endpoint } => self.endpoints.close(endpoint),
            Action::EndpointKey { endpoint, key } => self.endpoints.key(endpoint, key),
            Action::ConferenceJoin(join) => self.conference.join(*join),
            Action::ConferenceLeave { endpoint } => self.conference.leave(endpoint),
            Action::ConferenceKey { endpoint, key } => self.conference.key(endpoint, key),
            Action::Transcode {
                id,
                a,
                b,
                a_events,
                b_events,
            } => self.relays.transcode(
                id,
                crate::relay::TranscodeSpec {
                    a,
                    b,
                    a_events,
                    b_events,
                },
            ),
            Action::TranscodeStop { id } => self.relays.stop_transcoding(id),
            Action::DtmfEvents { id, payload_types } => self.relays.watch_dtmf(id, &payload_types),
            Action::DtmfInband { id, side, format } => {
                self.relays.watch_inband_dtmf(id, side, &format)
            }
            Action::Announce {
                id,
                to,
                prompts,
                format,
            } => self.relays.announce(id, to, &prompts, &format),
            Action::SendDtmf {
                id,
                to,
                key,
                millis,
                format,
            } => self.relays.send_dtmf(id, to, key, millis, &format),
            Action::CallRecord(record) => self.cdrs.write(bridge::to_new_cdr(record)),
            Action::Event(event) => {
                if let PbxEvent::ForwardingChanged { number, forwarding } = &event {
                    crate::forwarding::save_forwarding(&self.store, number, forwarding);
                }
                log_event(&event);
                // No subscriber (no UI open) is not an error.
                let _ = self.broadcast.send(event);
            }
        }
    }

    fn command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Bans(reply) => {
                let list = self
                    .guard
                    .bans(now)
                    .into_iter()
                    .map(|b| crate::handle::BanInfo {
                        address: b.address,
                        reason: b.reason.as_str(),
                        strikes: b.strikes,
                        remaining_secs: b.until.saturating_duration_since(now).as_secs(),
                    })
                    .collect();
                let _ = reply.send(list);
            }
            Command::LiftBan(address, reply) => {
                let lifted = self.guard.lift(address.to_canonical());
                self.flush();
                let _ = reply.send(lifted);
            }
            Command::SetAllowList(rules, reply) => {
                self.guard.set_allow_list(rules);
                self.flush();
                let _ = reply.send(());
            }
            Command::Registrations(reply) => {
                let list = self
                    .pbx
                    .registrar()
                    .bindings(now)
                    .into_iter()
                    .map(|b| Registration {
                        expires_in: b.remaining_secs(now),
                        extension: b.extension,
                        contact: b.contact,
                        transport: b.source.transport,
                        source: b.source.addr,
                        user_agent: b.user_agent,
                    })
                    .collect();
                let _ = reply.send(list);
            }
            Command::LiveCalls(reply) => {
                let _ = reply.send(self.pbx.live_calls());
            }
            Command::Status(reply) => {
                let _ = reply.send(Status {
                    registered_phones: self.pbx.registrar().binding_count(),
                    live_calls: self.pbx.live_calls().len(),
                });
            }
            Command::HangUp(call_id, reply) => {
                let found = self.pbx.hang_up(now, unix_now(), &call_id);
                let _ = reply.send(found);
            }
            Command::StartRecording(call_id, reply) => {
                let mut path = self.pbx.start_recording(now, &call_id);
                self.flush();
                let running = |relays: &Relays, p: &std::path::Path| {
                    relays.is_recording(&relays.recording_path(p))
                };
                // A recording this runtime refused earlier (disk nearly full) is still
                // running for the PBX: finish it there and ask once more.
                if path.as_deref().is_some_and(|p| !running(&self.relays, p)) {
                    self.pbx.stop_recording(now, &call_id);
                    path = self.pbx.start_recording(now, &call_id);
                    self.flush();
                }
                // A recording refused now, or failing at once, is not running.
                let path = path
                    .filter(|p| running(&self.relays, p))
                    .map(|p| self.relays.recording_path(&p));
                let _ = reply.send(path);
            }
            Command::StopRecording(call_id, reply) => {
                let path = self.pbx.stop_recording(now, &call_id);
                self.flush();
                let stopped =
                    path.and_then(|p| self.relays.take_stopped(&self.relays.recording_path(&p)));
                // The core goes on while the writer finishes the file.
                tokio::spawn(async move {
                    let result = match stopped {
                        Some(recording) => recording.finished().await.ok(),
                        None => None,
                    };
                    let _ = reply.send(result);
                });
            }
            Command::ReloadMusicOnHold(reply) => {
                let loading = self.relays.reload_music();
                tokio::spawn(async move {
                    let _ = loading.await;
                    let _ = reply.send(());
                });
            }
            Command::TrunkStates(reply) => {
                let _ = reply.send(self.pbx.trunk_states());
            }
            Command::ReloadExtensions(reply) => {
                self.data_version = -1;
                self.reload_directory_if_changed();
                let _ = reply.send(());
            }
            Command::SetPublicIp(public, reply) => {
                self.pbx.set_public_ip(public);
                let _ = reply.send(());
            }
            Command::SetSrtpPolicy(policy, reply) => {
                self.pbx.set_srtp_policy(policy);
                let _ = reply.send(());
            }
            Command::Conference(command, reply) => self.conference.command(command, reply),
            Command::Shutdown => {}
        }
    }

    /// Picks up extensions and dial plan changes saved by the API or the command line
    /// (another connection, so SQLite's data_version moves).
    fn reload_directory_if_changed(&mut self) {
        let version = match self.store.data_version() {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "could not check the database for changes");
                return;
            }
        };
        if version == self.data_version {
            return;
        }
        self.data_version = version;
        match crate::load_directory(&self.store, &self.pbx.registrar().config().realm) {
            Ok(directory) => self.pbx.set_directory(directory),
            Err(e) => tracing::warn!(error = %e, "could not reload extensions"),
        }
        self.plan.reload(Instant::now(), &mut self.pbx, &self.store);
        crate::media_endpoint::sync_mailboxes(Instant::now(), &mut self.pbx, &self.store);
        crate::conference::sync_rooms(&mut self.pbx, &self.store);
        crate::forwarding::sync_forwarding(&mut self.pbx, &self.store);
        crate::relay::sync_always_record(&mut self.pbx, &self.store);
        self.flush();
    }

    /// A key a phone pressed in a relayed call (an in-call feature code, perhaps).
    fn key_pressed(&mut self, report: crate::relay::DtmfReport) {
        let side = match report.side {
            crate::relay::Side::A => pbx::Side::A,
            crate::relay::Side::B => pbx::Side::B,
        };
        let relay = pbx::RelayId(report.relay);
        self.pbx
            .dtmf_received(Instant::now(), unix_now(), relay, side, report.key);
    }

    fn conference_event(&mut self, event: crate::conference::ConferenceEvent) {
        use crate::conference::ConferenceEvent;
        match event {
            ConferenceEvent::Left(id) => self.pbx.conference_left(Instant::now(), unix_now(), id),
            ConferenceEvent::Changed(room) => {
                let _ = self.broadcast.send(PbxEvent::ConferenceChanged { room });
            }
        }
    }

    fn endpoint_event(&mut self, event: crate::media_endpoint::EndpointEvent) {
        use crate::media_endpoint::EndpointEvent;
        match event {
            EndpointEvent::Ended(id) => self.pbx.voicemail_done(Instant::now(), unix_now(), id),
            EndpointEvent::MessageSaved { mailbox, new, old } => {
                self.pbx
                    .set_message_summary(Instant::now(), &mailbox, new, old)
            }
        }
    }
}

fn log_event(event: &PbxEvent) {
    match event {
        PbxEvent::Registration(r) => tracing::info!(event = ?Personal(r), "registration"),
        PbxEvent::CallRinging {
            call_id,
            caller,
            callee,
            ..
        } => tracing::info!(
            %call_id,
            caller = %Personal(caller),
            callee = %Personal(callee),
            "call ringing"
        ),
        PbxEvent::CallAnswered {
            call_id,
            answered_by,
        } => tracing::info!(%call_id, answered_by = %Personal(answered_by), "call answered"),
        PbxEvent::CallEnded { call_id, outcome } => {
            tracing::info!(%call_id, outcome = outcome.as_str(), "call ended")
        }
        PbxEvent::ConferenceChanged { room } => tracing::debug!(%room, "conference changed"),
        PbxEvent::MessageSummary { mailbox, new, old } => {
            tracing::info!(mailbox = %Personal(mailbox), new, old, "voicemail counts")
        }
        PbxEvent::ForwardingChanged { number, forwarding } => tracing::info!(
            extension = %Personal(number),
            dnd = forwarding.dnd,
            always = forwarding.always.is_some(),
            busy = forwarding.busy.is_some(),
            no_answer = forwarding.no_answer.is_some(),
            "forwarding changed by phone"
        ),
        // Sent by the recordings' keeper, which logs them itself.
        PbxEvent::RecordingsChanged | PbxEvent::RecordingAlert { .. } => {}
        PbxEvent::TrunkStatus(state) => match &state.status {
            // A refused login needs the owner: retrying would look like an attack.
            TrunkStatus::Rejected { reason } => {
                tracing::error!(trunk = %state.name, %reason, "provider refused the trunk's credentials; not retrying")
            }
            TrunkStatus::Failing { reason, retry_in } => {
                tracing::warn!(trunk = %state.name, %reason, retry_in, "trunk registration failed")
            }
            status => tracing::info!(
                trunk = %state.name,
                ?status,
                lines_in_use = state.lines_in_use,
                channels = state.channels,
                "trunk status"
            ),
        },
    }
}
