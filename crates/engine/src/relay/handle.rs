//! The call model's grip on a running relay: re-target a leg, read counters, stop it.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use media::sdp::PayloadFormat;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::dtmf::DtmfTap;
use super::playback::{AnnounceSpec, PlaySpec, Playback};
use super::record::{self, RecordError, Recording, Tap};
use super::srtp::SrtpSpec;
use super::transcode::{TranscodeSpec, Transcoding};

/// One of the two legs of a relayed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    A,
    B,
}

impl Side {
    pub(super) fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// Packets and bytes relayed one way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flow {
    pub packets: u64,
    pub bytes: u64,
}

/// Counters of one relay, read at some instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStats {
    /// RTP received from phone A and sent on to phone B.
    pub a_to_b: Flow,
    /// RTP received from phone B and sent on to phone A.
    pub b_to_a: Flow,
    /// RTCP packets relayed, both ways.
    pub rtcp: u64,
    /// RTCP reports the relay wrote itself, to legs whose RTP is its own stream
    /// (transcoded, music on hold).
    pub rtcp_sent: u64,
    /// RTCP reports read (and not forwarded) from those legs' phones.
    pub rtcp_read: u64,
    /// Packets refused on the A-side port: not from phone A (RTP and RTCP).
    pub refused_a: u64,
    /// Packets refused on the B-side port: not from phone B.
    pub refused_b: u64,
    /// Accepted packets that could not be sent: the far leg is on hold (no address) or
    /// the send failed.
    pub undeliverable: u64,
    /// Packets the relay sent on its own (music on hold), both sides.
    pub played: u64,
    /// Packets not relayed because their listener was hearing music on hold instead.
    pub replaced: u64,
}

/// Counters shared between the forwarding task (sole writer) and the handle.
#[derive(Debug, Default)]
pub(super) struct SharedStats {
    packets: [AtomicU64; 2],
    bytes: [AtomicU64; 2],
    pub(super) rtcp: AtomicU64,
    pub(super) rtcp_sent: AtomicU64,
    pub(super) rtcp_read: AtomicU64,
    refused: [AtomicU64; 2],
    pub(super) undeliverable: AtomicU64,
    pub(super) played: AtomicU64,
    pub(super) replaced: AtomicU64,
}

impl SharedStats {
    /// Counts an RTP packet relayed from the phone on `from`.
    pub(super) fn relayed(&self, from: usize, len: usize) {
        if let (Some(p), Some(b)) = (self.packets.get(from), self.bytes.get(from)) {
            p.fetch_add(1, Relaxed);
            b.fetch_add(len as u64, Relaxed);
        }
    }

    pub(super) fn refused(&self, on: usize) {
        if let Some(r) = self.refused.get(on) {
            r.fetch_add(1, Relaxed);
        }
    }

    fn snapshot(&self) -> RelayStats {
        let flow = |i: usize| Flow {
            packets: self.packets[i].load(Relaxed),
            bytes: self.bytes[i].load(Relaxed),
        };
        RelayStats {
            a_to_b: flow(0),
            b_to_a: flow(1),
            rtcp: self.rtcp.load(Relaxed),
            rtcp_sent: self.rtcp_sent.load(Relaxed),
            rtcp_read: self.rtcp_read.load(Relaxed),
            refused_a: self.refused[0].load(Relaxed),
            refused_b: self.refused[1].load(Relaxed),
            undeliverable: self.undeliverable.load(Relaxed),
            played: self.played.load(Relaxed),
            replaced: self.replaced.load(Relaxed),
        }
    }
}

/// Changes the call model asks of a running relay.
pub(super) enum Control {
    UpdatePeer(Side, SocketAddr),
    TrustIp(Side, IpAddr),
    /// Send a stream of our own to a side instead of relaying the other side's audio.
    Play(Side, Box<Playback>),
    StopPlaying(Side),
    /// Copy every RTP packet both ways to a recording (replacing any running one).
    Record(Tap),
    StopRecording,
    /// Decode and re-encode RTP both ways instead of relaying it unchanged.
    Transcode(Box<Transcoding>),
    StopTranscoding,
    /// Report the keys pressed on either side (adds payload types to a running tap).
    Dtmf(Box<DtmfTap>),
    /// Send a key to a side as a telephone-event of the relay's own.
    SendDtmf(Side, KeyPress),
    /// Terminate SRTP on a side with these keys (kept running when they are unchanged).
    Srtp(Side, Box<SrtpSpec>),
    /// Plain RTP on a side again.
    SrtpOff(Side),
}

/// A key for [`RelayHandle::send_dtmf`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPress {
    pub key: char,
    /// How long the key is held.
    pub millis: u32,
    /// The telephone-event payload type and clock rate the listener agreed to.
    pub payload_type: u8,
    pub clock_rate: u32,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Control::UpdatePeer(side, peer) => write!(f, "UpdatePeer({side:?}, {peer})"),
            Control::TrustIp(side, ip) => write!(f, "TrustIp({side:?}, {ip})"),
            Control::Play(side, _) => write!(f, "Play({side:?})"),
            Control::StopPlaying(side) => write!(f, "StopPlaying({side:?})"),
            Control::Record(_) => f.write_str("Record"),
            Control::StopRecording => f.write_str("StopRecording"),
            Control::Transcode(_) => f.write_str("Transcode"),
            Control::StopTranscoding => f.write_str("StopTranscoding"),
            Control::Dtmf(_) => f.write_str("Dtmf"),
            Control::SendDtmf(side, key) => write!(f, "SendDtmf({side:?}, {key:?})"),
            Control::Srtp(side, _) => write!(f, "Srtp({side:?})"),
            Control::SrtpOff(side) => write!(f, "SrtpOff({side:?})"),
        }
    }
}

/// A running relay. Dropping it stops forwarding and returns the ports to the pool.
#[derive(Debug)]
pub struct RelayHandle {
    pub(super) control: UnboundedSender<Control>,
    pub(super) stats: Arc<SharedStats>,
    pub(super) task: JoinHandle<()>,
    pub(super) local: [SocketAddr; 2],
}

impl RelayHandle {
    /// A leg's phone announced a new address (re-INVITE, e.g. resume after hold). A changed
    /// address restarts latching for that leg; the same address changes nothing.
    pub fn update_peer(&self, side: Side, peer: SocketAddr) {
        // Fails only when the task has ended, and then there is nothing to update.
        let _ = self.control.send(Control::UpdatePeer(side, peer));
    }

    /// Also accept a leg's media from `ip`, typically the phone's SIP signalling source
    /// when its SDP carries a private address behind NAT.
    pub fn trust_ip(&self, side: Side, ip: IpAddr) {
        let _ = self.control.send(Control::TrustIp(side, ip));
    }

    /// Sends `spec`'s music to `side` (the held party) instead of what the other side
    /// sends, until [`RelayHandle::stop_playing`]. Replaces anything playing there. Fails
    /// when the relay cannot encode the listener's codec.
    pub fn play(&self, side: Side, spec: PlaySpec) -> Result<(), media::Error> {
        let playback = Playback::new(spec)?;
        let _ = self.control.send(Control::Play(side, Box::new(playback)));
        Ok(())
    }

    /// Says `spec`'s prompts once to `side` instead of what the other side sends; silence
    /// follows until [`RelayHandle::stop_playing`]. Fails when the relay cannot encode
    /// the listener's codec.
    pub fn announce(&self, side: Side, spec: AnnounceSpec) -> Result<(), media::Error> {
        let playback = Playback::once(spec)?;
        let _ = self.control.send(Control::Play(side, Box::new(playback)));
        Ok(())
    }

    /// Reports the keys either phone presses as RFC 4733 events of the tap's types.
    pub(crate) fn watch_dtmf(&self, tap: DtmfTap) {
        let _ = self.control.send(Control::Dtmf(Box::new(tap)));
    }

    /// Sends `key` to `side` as RFC 4733 telephone-events (keys in a row queue up).
    pub fn send_dtmf(&self, side: Side, key: KeyPress) {
        let _ = self.control.send(Control::SendDtmf(side, key));
    }

    /// Ends what [`RelayHandle::play`] started: `side` hears the other side again.
    pub fn stop_playing(&self, side: Side) {
        let _ = self.control.send(Control::StopPlaying(side));
    }

    /// Records both directions into a stereo WAV at `path` (left A, right B) until
    /// [`RelayHandle::stop_recording`] or the relay's end. A recording already running
    /// is finished first. `formats` name the call's payload types (from its SDP); the
    /// static ones (PCMU, PCMA, G.722) are known without.
    pub fn start_recording(
        &self,
        path: PathBuf,
        formats: &[PayloadFormat],
    ) -> Result<Recording, RecordError> {
        let (tap, recording) = record::start(path, formats)?;
        self.control
            .send(Control::Record(tap))
            .map_err(|_| RecordError::Lost)?;
        Ok(recording)
    }

    /// Finishes the running recording; [`Recording::finished`] tells when the file is in
    /// place.
    pub fn stop_recording(&self) {
        let _ = self.control.send(Control::StopRecording);
    }

    /// Transcodes between the two phones' codecs (replacing any earlier transcoding) until
    /// [`RelayHandle::stop_transcoding`]. Fails when a codec cannot be transcoded.
    pub fn transcode(&self, spec: &TranscodeSpec) -> Result<(), media::Error> {
        let transcoding = Transcoding::new(spec)?;
        let _ = self.control.send(Control::Transcode(Box::new(transcoding)));
        Ok(())
    }

    /// Decrypts what `side`'s phone sends and encrypts what it is sent (SRTP, RFC 3711),
    /// from now on; the same keys again change nothing.
    pub fn srtp(&self, side: Side, spec: SrtpSpec) {
        let _ = self.control.send(Control::Srtp(side, Box::new(spec)));
    }

    /// Plain RTP on `side` again (the party there now speaks it).
    pub fn srtp_off(&self, side: Side) {
        let _ = self.control.send(Control::SrtpOff(side));
    }

    /// Relays packets unchanged again.
    pub fn stop_transcoding(&self) {
        let _ = self.control.send(Control::StopTranscoding);
    }

    pub fn stats(&self) -> RelayStats {
        self.stats.snapshot()
    }

    /// The relay's address on a side (the one written into that side's SDP).
    pub fn local_addr(&self, side: Side) -> SocketAddr {
        self.local[side.index()]
    }

    /// Whether the forwarding task is still running.
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }

    /// Stops forwarding and waits until the sockets are closed and the ports are back in
    /// the pool.
    pub async fn close(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for RelayHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}
