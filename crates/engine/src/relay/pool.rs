//! The port pool: even RTP ports (and the odd RTCP port above each) from a configured range.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, PoisonError};

use media::relay::LatchConfig;

use super::handle::{RelayHandle, Side};
use super::{forward, socket, RelayError};

/// How relays from a pool behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayOptions {
    /// Also relay RTCP on the odd port above each RTP port (RFC 3550 §11). Without it
    /// the odd ports stay unbound: a peer's RTCP then goes nowhere instead of into
    /// another call's RTP socket.
    pub rtcp: bool,
    /// How long each leg keeps learning its phone's source address.
    pub latch: LatchConfig,
    /// Kernel send and receive buffer per socket, in bytes.
    pub socket_buffer: usize,
}

impl Default for RelayOptions {
    fn default() -> Self {
        RelayOptions {
            rtcp: true,
            latch: LatchConfig::default(),
            socket_buffer: 256 * 1024,
        }
    }
}

/// Hands out relay ports; cheap to clone, shared by every call.
#[derive(Debug, Clone)]
pub struct RelayPool {
    inner: Arc<PoolInner>,
}

#[derive(Debug)]
pub(super) struct PoolInner {
    /// Even base ports not in use, least recently used first: a port freed by one call is
    /// reused last, so late packets of the old call rarely reach a new one.
    free: Mutex<VecDeque<u16>>,
    capacity: usize,
    pub(super) options: RelayOptions,
}

/// Bound sockets for both legs of one call, not yet forwarding.
///
/// Dropping it closes the sockets and returns the ports.
#[derive(Debug)]
pub struct RelayPorts {
    pub(super) a: LegSockets,
    pub(super) b: LegSockets,
}

#[derive(Debug)]
pub(super) struct LegSockets {
    pub(super) rtp: UdpSocket,
    pub(super) rtcp: Option<UdpSocket>,
    /// Declared after the sockets so they are closed before the port goes back to the pool.
    pub(super) lease: PortLease,
}

/// One base port on loan; returns itself to the pool when dropped.
#[derive(Debug)]
pub(super) struct PortLease {
    pool: Arc<PoolInner>,
    ip: IpAddr,
    port: u16,
}

impl Drop for PortLease {
    fn drop(&mut self) {
        self.pool.lock_free().push_back(self.port);
    }
}

impl PortLease {
    pub(super) fn rtp_addr(&self) -> SocketAddr {
        SocketAddr::new(self.ip, self.port)
    }
}

impl PoolInner {
    fn lock_free(&self) -> std::sync::MutexGuard<'_, VecDeque<u16>> {
        // The queue holds plain numbers; a panic elsewhere cannot leave it inconsistent.
        self.free.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl RelayPool {
    /// A pool over `ports` with default options.
    pub fn new(ports: RangeInclusive<u16>) -> Self {
        Self::with_options(ports, RelayOptions::default())
    }

    pub fn with_options(ports: RangeInclusive<u16>, options: RelayOptions) -> Self {
        // RFC 3550 §11: RTP on an even port, RTCP on the odd one above it. Port 0 means
        // "any" to the kernel, so it is never handed out.
        let free: VecDeque<u16> = ports
            .clone()
            .filter(|p| p % 2 == 0 && *p != 0)
            .filter(|p| !options.rtcp || p.checked_add(1).is_some_and(|odd| ports.contains(&odd)))
            .collect();
        let capacity = free.len();
        RelayPool {
            inner: Arc::new(PoolInner {
                free: Mutex::new(free),
                capacity,
                options,
            }),
        }
    }

    /// Binds sockets for both legs of a call on `ip` and returns them at once, so the
    /// caller can put the ports into SDP before any media flows.
    ///
    /// Ports that fail to bind (used by another program) are skipped and tried again later.
    ///
    /// Sockets bind on `ip` itself; pass an unspecified address (0.0.0.0 or ::) to listen
    /// on every interface and advertise whatever address the peer can reach together with
    /// the port of [`RelayPorts::local_addr`].
    pub fn allocate(&self, ip: IpAddr) -> Result<RelayPorts, RelayError> {
        self.allocate_between(ip, ip)
    }

    /// Like [`allocate`](Self::allocate) with a different address per side, e.g. the LAN
    /// address towards a desk phone and another towards the trunk, or IPv4 on one side
    /// and IPv6 on the other.
    pub fn allocate_between(&self, a_ip: IpAddr, b_ip: IpAddr) -> Result<RelayPorts, RelayError> {
        let a = self.allocate_leg(a_ip)?;
        let b = self.allocate_leg(b_ip)?;
        Ok(RelayPorts { a, b })
    }

    /// Starts forwarding between the legs: packets from `a_peer` arriving on the A-side
    /// port go to `b_peer` from the B-side port, and the other way round. The peers are
    /// the addresses from each phone's SDP; each leg then latches to its phone's real
    /// source. A peer not known yet (the callee has not answered) is given as an
    /// unspecified address or port 0: that leg drops its packets until
    /// [`RelayHandle::update_peer`] names it. Must be called within a tokio runtime.
    pub fn start(
        &self,
        ports: RelayPorts,
        a_peer: SocketAddr,
        b_peer: SocketAddr,
    ) -> Result<RelayHandle, RelayError> {
        forward::spawn(&self.inner.options, ports, a_peer, b_peer)
    }

    /// Base ports currently free (each relayed call uses two).
    pub fn available(&self) -> usize {
        self.inner.lock_free().len()
    }

    /// Base ports the range holds in all.
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    fn allocate_leg(&self, ip: IpAddr) -> Result<LegSockets, RelayError> {
        let options = &self.inner.options;
        // Try each free port at most once; the lock is held only to take a number.
        for _ in 0..self.inner.capacity {
            let Some(port) = self.inner.lock_free().pop_front() else {
                break;
            };
            let lease = PortLease {
                pool: Arc::clone(&self.inner),
                ip,
                port,
            };
            let Ok(rtp) = socket::bind(lease.rtp_addr(), options.socket_buffer) else {
                continue; // the lease goes to the back of the queue as it drops
            };
            let rtcp = if options.rtcp {
                let odd = SocketAddr::new(ip, port.saturating_add(1));
                match socket::bind(odd, options.socket_buffer) {
                    Ok(s) => Some(s),
                    Err(_) => continue,
                }
            } else {
                None
            };
            return Ok(LegSockets { rtp, rtcp, lease });
        }
        Err(RelayError::Exhausted)
    }
}

impl RelayPorts {
    /// The address a side's phone must send RTP to: put it in the SDP sent to that phone.
    pub fn local_addr(&self, side: Side) -> SocketAddr {
        self.leg(side).lease.rtp_addr()
    }

    /// The RTCP port of a side, when the pool relays RTCP.
    pub fn rtcp_port(&self, side: Side) -> Option<u16> {
        let leg = self.leg(side);
        leg.rtcp.as_ref().map(|_| leg.lease.port.saturating_add(1))
    }

    fn leg(&self, side: Side) -> &LegSockets {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }
}
