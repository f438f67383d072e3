//! A network change under a running phone (Wi-Fi to tethering, a cable pulled): the
//! local address that routes to the server is asked for when the system says an address
//! or route changed (`net_watch.rs`), every few seconds regardless
//! ([`PhoneOptions::network_check`]), and whenever the SIP socket fails.
//!
//! [`PhoneOptions::network_check`]: crate::runtime::PhoneOptions::network_check When it changed, the SIP socket is opened again on the new
//! address and the account registers from there; each call's audio then moves to a new
//! RTP socket on that address. Its media loop keeps its codec state and jitter buffer,
//! and a re-INVITE gives the far end the new address (RFC 3264 §8.3.1), whose answer
//! may name a new far-end address in turn (followed like any answer).

use std::net::SocketAddr;
use std::time::Instant;

use tokio::net::UdpSocket;

use super::super::call_loop::Control;
use super::super::sip_socket::SipSocket;
use super::AccountTask;
use crate::ua::CallHandle;

impl AccountTask {
    /// Moves the account and its calls to the address the server is now reached from,
    /// if it changed; retries the calls that could not move yet.
    pub(super) async fn check_network(&mut self) {
        if self.listen.is_some() {
            // Other phones call the address they were given: it must not move.
            return;
        }
        let server = self.ua.account().server;
        let ip = match (self.local_ip)(server) {
            Ok(ip) => ip,
            Err(err) => {
                tracing::debug!(%err, "no route to the server");
                return;
            }
        };
        if ip != self.ip {
            tracing::info!(from = %self.ip, to = %ip, "the network changed");
            self.ip = ip;
            self.reopen_sip().await;
        }
        self.move_calls(Instant::now()).await;
    }

    /// The SIP socket on the new address; the user agent registers it (and puts it in
    /// the calls' Contact for their next target refresh, RFC 3261 §12.2.1.1).
    async fn reopen_sip(&mut self) {
        let account = self.ua.account();
        let opened = SipSocket::open(
            account.transport,
            self.ip,
            account.server,
            &self.trust,
            account.domain.as_deref(),
        )
        .await;
        match opened.and_then(|s| s.local_addr().map(|local| (s, local))) {
            Ok((socket, local)) => {
                self.socket = Some(socket);
                self.ua.network_changed(Instant::now(), local);
            }
            Err(err) => {
                // The next send tries again (see `AccountTask::send`).
                tracing::debug!(%err, "SIP socket not opened on the new network");
                self.socket = None;
                self.ua.handle_transport_error(Instant::now());
            }
        }
    }

    /// Each call whose audio runs on another address than the account's moves to a new
    /// RTP socket there. One the user agent cannot re-INVITE now (another re-INVITE
    /// under way) keeps its socket and is tried again at the next check.
    async fn move_calls(&mut self, now: Instant) {
        let ip = self.ip;
        let stale: Vec<CallHandle> = self
            .calls
            .iter()
            .filter(|(_, n)| n.media.is_some() && n.rtp_ip.is_some_and(|old| old != ip))
            .map(|(h, _)| *h)
            .collect();
        for call in stale {
            let socket = match UdpSocket::bind(SocketAddr::new(ip, 0)).await {
                Ok(s) => s,
                Err(err) => {
                    tracing::debug!(%err, "no RTP socket on the new network");
                    return;
                }
            };
            let Ok(rtp) = socket.local_addr() else {
                continue;
            };
            if let Err(err) = self.ua.move_media(now, call, rtp) {
                tracing::debug!(%err, ?call, "call audio not moved yet");
                continue;
            }
            if let Some(net) = self.calls.get_mut(&call) {
                net.rtp_ip = Some(ip);
                if let Some(media) = &net.media {
                    media.send(Control::Socket(socket));
                }
            }
        }
    }
}
