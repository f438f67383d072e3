//! SRTP and SRTCP (RFC 3711) with the AES_CM_128_HMAC_SHA1_80 and _32 suites, keyed by SDES
//! (RFC 4568): a sans-IO context per direction that protects or unprotects datagrams.
//!
//! The AES block cipher, its counter mode and HMAC-SHA1 come from RustCrypto (`aes`, `ctr`,
//! `hmac`, `sha1`); the packet framing, key derivation, roll-over counter and replay list
//! are here. Keys are derived once (key derivation rate 0, RFC 4568 §6.1 default) and no MKI
//! is used, which is what desk phones and softphones send over SDES.

mod kdf;
mod replay;

use hmac::{Mac, SimpleHmac};
use sha1::Sha1;

use crate::Error;
use kdf::{keystream_xor, packet_iv, SessionKeys, MASTER_KEY_LEN, MASTER_SALT_LEN};
use replay::ReplayState;

pub use kdf::MASTER_KEY_LEN as KEY_LEN;
pub use kdf::MASTER_SALT_LEN as SALT_LEN;

type HmacSha1 = SimpleHmac<Sha1>;

/// SRTCP's authentication tag is 80 bits for both suites (RFC 4568 §6.2.2 for _32).
const SRTCP_TAG_LEN: usize = 10;
/// RFC 3711 §3.4: the E flag and 31-bit SRTCP index after the encrypted portion.
const SRTCP_INDEX_LEN: usize = 4;
/// Streams (SSRCs) remembered per context; a call has one or two, a few more cover a phone
/// that restarts its stream. The oldest is forgotten beyond this.
const MAX_STREAMS: usize = 8;

/// The crypto suites offered and accepted (RFC 4568 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SrtpSuite {
    AesCm128HmacSha1_80,
    AesCm128HmacSha1_32,
}

impl SrtpSuite {
    /// The suite's name in `a=crypto:` lines.
    pub fn name(self) -> &'static str {
        match self {
            SrtpSuite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            SrtpSuite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    /// The suite a name stands for; `None` for suites not supported (answered without them).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "AES_CM_128_HMAC_SHA1_80" => Some(SrtpSuite::AesCm128HmacSha1_80),
            "AES_CM_128_HMAC_SHA1_32" => Some(SrtpSuite::AesCm128HmacSha1_32),
            _ => None,
        }
    }

    /// Bytes of authentication tag after each SRTP packet.
    pub fn rtp_tag_len(self) -> usize {
        match self {
            SrtpSuite::AesCm128HmacSha1_80 => 10,
            SrtpSuite::AesCm128HmacSha1_32 => 4,
        }
    }
}

/// A master key and salt: the 30 bytes an `inline:` key parameter carries (RFC 4568 §6.1).
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpKey {
    pub key: [u8; MASTER_KEY_LEN],
    pub salt: [u8; MASTER_SALT_LEN],
}

impl std::fmt::Debug for SrtpKey {
    /// Never prints the key: logs must not expose it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrtpKey(..)")
    }
}

impl SrtpKey {
    /// A fresh key from the operating system's random source (RFC 4568 §6.1: each side picks
    /// its own, never reusing the peer's).
    pub fn random() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; MASTER_KEY_LEN + MASTER_SALT_LEN];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self::from_bytes(&bytes).unwrap_or(SrtpKey {
            key: [0; MASTER_KEY_LEN],
            salt: [0; MASTER_SALT_LEN],
        })
    }

    /// Key followed by salt, 30 bytes; `None` for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != MASTER_KEY_LEN + MASTER_SALT_LEN {
            return None;
        }
        let (k, s) = bytes.split_at(MASTER_KEY_LEN);
        Some(SrtpKey {
            key: k.try_into().ok()?,
            salt: s.try_into().ok()?,
        })
    }

    /// Key followed by salt.
    pub fn to_bytes(&self) -> [u8; MASTER_KEY_LEN + MASTER_SALT_LEN] {
        let mut out = [0u8; MASTER_KEY_LEN + MASTER_SALT_LEN];
        out[..MASTER_KEY_LEN].copy_from_slice(&self.key);
        out[MASTER_KEY_LEN..].copy_from_slice(&self.salt);
        out
    }
}

/// What a sender remembers per SSRC: RFC 3711 §3.3.1's roll-over counter.
#[derive(Debug, Clone, Copy)]
struct SendState {
    ssrc: u32,
    roc: u32,
    last_seq: u16,
}

/// One direction of SRTP and SRTCP under one master key: the PBX keeps one to unprotect what
/// a phone sends (the phone's key) and one to protect what it sends the phone (its own key).
pub struct SrtpContext {
    suite: SrtpSuite,
    rtp: SessionKeys,
    rtcp: SessionKeys,
    rtp_mac: HmacSha1,
    rtcp_mac: HmacSha1,
    send: Vec<SendState>,
    receive: Vec<(u32, ReplayState)>,
    rtcp_receive: Vec<(u32, ReplayState)>,
    /// RFC 3711 §3.4: SRTCP index of the next protected RTCP packet (31 bits).
    srtcp_index: u32,
}

impl SrtpContext {
    pub fn new(suite: SrtpSuite, key: &SrtpKey) -> Self {
        let rtp = SessionKeys::derive(&key.key, &key.salt, false);
        let rtcp = SessionKeys::derive(&key.key, &key.salt, true);
        // A 20-byte key always fits HMAC; the fallback is unreachable but never panics.
        let rtp_mac = HmacSha1::new_from_slice(&rtp.auth)
            .unwrap_or_else(|_| HmacSha1::new(&Default::default()));
        let rtcp_mac = HmacSha1::new_from_slice(&rtcp.auth)
            .unwrap_or_else(|_| HmacSha1::new(&Default::default()));
        SrtpContext {
            suite,
            rtp,
            rtcp,
            rtp_mac,
            rtcp_mac,
            send: Vec::new(),
            receive: Vec::new(),
            rtcp_receive: Vec::new(),
            srtcp_index: 0,
        }
    }

    pub fn suite(&self) -> SrtpSuite {
        self.suite
    }

    /// RFC 3711 §3.3: encrypts the payload of the RTP packet `packet` and appends the
    /// authentication tag, writing the SRTP packet to `out` (cleared first).
    pub fn protect_rtp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let header_len = rtp_header_len(packet).ok_or(Error::RtpTooShort)?;
        let ssrc = be_u32(packet, 8).ok_or(Error::RtpTooShort)?;
        let seq = be_u16(packet, 2).ok_or(Error::RtpTooShort)?;
        let roc = self.send_roc(ssrc, seq);
        let index = (u64::from(roc) << 16) | u64::from(seq);
        out.clear();
        out.extend_from_slice(packet);
        let iv = packet_iv(&self.rtp.salt, ssrc, index);
        if let Some(payload) = out.get_mut(header_len..) {
            keystream_xor(&self.rtp.cipher, &iv, payload);
        }
        // RFC 3711 §4.2: the tag covers the header, the encrypted payload and the ROC.
        let mut mac = self.rtp_mac.clone();
        mac.update(out);
        mac.update(&roc.to_be_bytes());
        let tag = mac.finalize().into_bytes();
        out.extend_from_slice(tag.get(..self.suite.rtp_tag_len()).unwrap_or(&tag));
        Ok(())
    }

    /// RFC 3711 §3.3: checks the tag and the replay list, then decrypts an SRTP packet into
    /// the RTP packet `out`. A forged, damaged or replayed packet is an error and changes
    /// nothing.
    pub fn unprotect_rtp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let tag_len = self.suite.rtp_tag_len();
        let body_len = packet
            .len()
            .checked_sub(tag_len)
            .ok_or(Error::Srtp("too short"))?;
        let (body, tag) = packet.split_at(body_len);
        let header_len = rtp_header_len(body).ok_or(Error::Srtp("too short"))?;
        let ssrc = be_u32(body, 8).ok_or(Error::Srtp("too short"))?;
        let seq = be_u16(body, 2).ok_or(Error::Srtp("too short"))?;
        let replay = self
            .receive
            .iter()
            .find(|(s, _)| *s == ssrc)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(ReplayState::new);
        let index = replay.estimate(seq);
        // §3.3.2: a replayed packet is dropped before authentication.
        if !replay.is_fresh(index) {
            return Err(Error::Srtp("replayed"));
        }
        let roc = (index >> 16) as u32;
        let mut mac = self.rtp_mac.clone();
        mac.update(body);
        mac.update(&roc.to_be_bytes());
        mac.verify_truncated_left(tag)
            .map_err(|_| Error::Srtp("authentication failed"))?;
        out.clear();
        out.extend_from_slice(body);
        let iv = packet_iv(&self.rtp.salt, ssrc, index);
        if let Some(payload) = out.get_mut(header_len..) {
            keystream_xor(&self.rtp.cipher, &iv, payload);
        }
        remember(&mut self.receive, ssrc).accept(index);
        Ok(())
    }

    /// RFC 3711 §3.4: encrypts a compound RTCP packet after its first header and SSRC and
    /// appends the E flag, SRTCP index and an 80-bit tag.
    pub fn protect_rtcp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let ssrc = be_u32(packet, 4).ok_or(Error::Rtcp)?;
        let index = self.srtcp_index;
        self.srtcp_index = (self.srtcp_index + 1) & 0x7FFF_FFFF;
        out.clear();
        out.extend_from_slice(packet);
        let iv = packet_iv(&self.rtcp.salt, ssrc, u64::from(index));
        if let Some(rest) = out.get_mut(8..) {
            keystream_xor(&self.rtcp.cipher, &iv, rest);
        }
        out.extend_from_slice(&(index | 0x8000_0000).to_be_bytes());
        let mut mac = self.rtcp_mac.clone();
        mac.update(out);
        let tag = mac.finalize().into_bytes();
        out.extend_from_slice(tag.get(..SRTCP_TAG_LEN).unwrap_or(&tag));
        Ok(())
    }

    /// RFC 3711 §3.4: checks an SRTCP packet's tag and index, then decrypts it into `out`.
    pub fn unprotect_rtcp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let body_len = packet
            .len()
            .checked_sub(SRTCP_TAG_LEN)
            .filter(|n| *n >= 8 + SRTCP_INDEX_LEN)
            .ok_or(Error::Srtp("too short"))?;
        let (authenticated, tag) = packet.split_at(body_len);
        let ssrc = be_u32(authenticated, 4).ok_or(Error::Srtp("too short"))?;
        let e_index =
            be_u32(authenticated, body_len - SRTCP_INDEX_LEN).ok_or(Error::Srtp("too short"))?;
        let encrypted = e_index & 0x8000_0000 != 0;
        let index = u64::from(e_index & 0x7FFF_FFFF);
        let fresh = self
            .rtcp_receive
            .iter()
            .filter(|(s, _)| *s == ssrc)
            .all(|(_, r)| r.is_fresh(index));
        if !fresh {
            return Err(Error::Srtp("replayed"));
        }
        let mut mac = self.rtcp_mac.clone();
        mac.update(authenticated);
        mac.verify_truncated_left(tag)
            .map_err(|_| Error::Srtp("authentication failed"))?;
        out.clear();
        out.extend_from_slice(
            authenticated
                .get(..body_len - SRTCP_INDEX_LEN)
                .unwrap_or(&[]),
        );
        if encrypted {
            let iv = packet_iv(&self.rtcp.salt, ssrc, index);
            if let Some(rest) = out.get_mut(8..) {
                keystream_xor(&self.rtcp.cipher, &iv, rest);
            }
        }
        remember(&mut self.rtcp_receive, ssrc).accept(index);
        Ok(())
    }

    /// RFC 3711 §3.3.1: the sender counts wraps of the 16-bit sequence number. A packet a
    /// little behind the last one (reordered on its way to us) keeps the counter it had.
    fn send_roc(&mut self, ssrc: u32, seq: u16) -> u32 {
        if let Some(state) = self.send.iter_mut().find(|s| s.ssrc == ssrc) {
            let ahead = seq.wrapping_sub(state.last_seq);
            if ahead != 0 && ahead < 0x8000 {
                if seq < state.last_seq {
                    state.roc = state.roc.wrapping_add(1);
                }
                state.last_seq = seq;
                return state.roc;
            }
            // Behind the newest: before the last wrap if the newest wrapped past it.
            return if seq > state.last_seq {
                state.roc.wrapping_sub(1)
            } else {
                state.roc
            };
        }
        if self.send.len() >= MAX_STREAMS {
            self.send.remove(0);
        }
        self.send.push(SendState {
            ssrc,
            roc: 0,
            last_seq: seq,
        });
        0
    }
}

/// The replay state for `ssrc`, created (forgetting the oldest stream if full) when new.
fn remember(list: &mut Vec<(u32, ReplayState)>, ssrc: u32) -> &mut ReplayState {
    let position = match list.iter().position(|(s, _)| *s == ssrc) {
        Some(p) => p,
        None => {
            if list.len() >= MAX_STREAMS {
                list.remove(0);
            }
            list.push((ssrc, ReplayState::new()));
            list.len() - 1
        }
    };
    &mut list[position].1
}

/// RFC 3550 §5.1: the fixed header, the CSRCs and the header extension stay in the clear.
fn rtp_header_len(packet: &[u8]) -> Option<usize> {
    let first = *packet.first()?;
    if first >> 6 != 2 || packet.len() < 12 {
        return None;
    }
    let mut len = 12 + 4 * usize::from(first & 0x0F);
    if first & 0x10 != 0 {
        let words = be_u16(packet, len + 2)?;
        len += 4 + 4 * usize::from(words);
    }
    (len <= packet.len()).then_some(len)
}

fn be_u16(buf: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(buf.get(at..at + 2)?.try_into().ok()?))
}

fn be_u32(buf: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}
