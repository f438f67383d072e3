//! Sending and receiving datagrams with as few system calls as the kernel allows.
//!
//! Two things here matter for a load tool sharing two cores with the PBX it measures:
//!
//! - tokio's `try_send_to` refuses to send until the reactor has seen the socket become
//!   writable, which for a fresh socket is only after the next turn of the event loop: the
//!   first request of every phone would be dropped and go out only on retransmission,
//!   500 ms later. A UDP send that cannot proceed fails with `WouldBlock` anyway, so
//!   [`send`] makes the plain non-blocking system call.
//! - Thousands of RTP streams at 50 packets/s each are 150,000 packets per second each way.
//!   One `sendmmsg`/`recvmmsg` per batch instead of one call per packet keeps the tool's
//!   own cost small enough that what is measured is the PBX, not the tool.

use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use socket2::{SockAddr, SockRef};
use tokio::io::Interest;
use tokio::net::UdpSocket;

/// Datagrams per `sendmmsg`/`recvmmsg` call.
pub const BATCH: usize = 64;

pub fn send(socket: &UdpSocket, bytes: &[u8], to: SocketAddr) -> io::Result<usize> {
    SockRef::from(socket).send_to(bytes, &SockAddr::from(to))
}

/// Sends `packets` (equal-sized slots of `slot` bytes in `data`, one destination each) with
/// `sendmmsg`. Returns how many went out; the rest found the send buffer full.
pub fn send_many(socket: &UdpSocket, data: &[u8], slot: usize, dests: &[SockAddr]) -> usize {
    let fd = socket.as_raw_fd();
    let mut sent = 0;
    while sent < dests.len() {
        let chunk = &dests[sent..dests.len().min(sent + BATCH)];
        let mut iovecs: Vec<libc::iovec> = Vec::with_capacity(chunk.len());
        for i in 0..chunk.len() {
            let Some(packet) = data.get((sent + i) * slot..(sent + i + 1) * slot) else {
                return sent;
            };
            iovecs.push(libc::iovec {
                iov_base: packet.as_ptr() as *mut libc::c_void,
                iov_len: packet.len(),
            });
        }
        let mut headers: Vec<libc::mmsghdr> = chunk
            .iter()
            .zip(iovecs.iter_mut())
            .map(|(dest, iov)| {
                // SAFETY: an all-zero msghdr is a valid "no control data, no flags" header.
                let mut hdr: libc::mmsghdr = unsafe { std::mem::zeroed() };
                hdr.msg_hdr.msg_name = dest.as_ptr() as *mut libc::c_void;
                hdr.msg_hdr.msg_namelen = dest.len();
                hdr.msg_hdr.msg_iov = iov;
                hdr.msg_hdr.msg_iovlen = 1;
                hdr
            })
            .collect();
        // SAFETY: every header points at a live iovec, packet slice and address for the
        // duration of the call, and `headers.len()` entries are initialised.
        let n = unsafe {
            libc::sendmmsg(
                fd,
                headers.as_mut_ptr(),
                headers.len() as libc::c_uint,
                libc::MSG_DONTWAIT,
            )
        };
        if n <= 0 {
            return sent;
        }
        sent += n as usize;
    }
    sent
}

/// Reusable buffers for [`recv_many`].
pub struct RecvBuffers {
    data: Vec<u8>,
    slot: usize,
    lens: [usize; BATCH],
}

impl RecvBuffers {
    /// Room for [`BATCH`] datagrams of up to `slot` bytes.
    pub fn new(slot: usize) -> Self {
        RecvBuffers {
            data: vec![0; slot * BATCH],
            slot,
            lens: [0; BATCH],
        }
    }

    /// The `i`th datagram of the last receive.
    pub fn get(&self, i: usize) -> &[u8] {
        let len = self.lens.get(i).copied().unwrap_or(0);
        self.data
            .get(i * self.slot..i * self.slot + len)
            .unwrap_or_default()
    }
}

/// Receives up to [`BATCH`] datagrams without blocking; `WouldBlock` when none is queued
/// (which also tells tokio to wait for the next readiness event).
pub fn recv_many(socket: &UdpSocket, bufs: &mut RecvBuffers) -> io::Result<usize> {
    let fd = socket.as_raw_fd();
    socket.try_io(Interest::READABLE, || {
        let slot = bufs.slot;
        let mut iovecs: Vec<libc::iovec> = bufs
            .data
            .chunks_mut(slot)
            .map(|b| libc::iovec {
                iov_base: b.as_mut_ptr() as *mut libc::c_void,
                iov_len: b.len(),
            })
            .collect();
        let mut headers: Vec<libc::mmsghdr> = iovecs
            .iter_mut()
            .map(|iov| {
                // SAFETY: an all-zero msghdr asks for no address and no control data.
                let mut hdr: libc::mmsghdr = unsafe { std::mem::zeroed() };
                hdr.msg_hdr.msg_iov = iov;
                hdr.msg_hdr.msg_iovlen = 1;
                hdr
            })
            .collect();
        // SAFETY: each header points at its own live, writable buffer slot.
        let n = unsafe {
            libc::recvmmsg(
                fd,
                headers.as_mut_ptr(),
                headers.len() as libc::c_uint,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = n as usize;
        for (len, hdr) in bufs.lens.iter_mut().zip(&headers).take(n) {
            *len = hdr.msg_len as usize;
        }
        Ok(n)
    })
}

/// Asks for `bytes` of kernel buffer each way (capped by the system's rmem/wmem_max).
pub fn set_buffers(socket: &UdpSocket, bytes: usize) {
    let s = SockRef::from(socket);
    let _ = s.set_recv_buffer_size(bytes);
    let _ = s.set_send_buffer_size(bytes);
}
