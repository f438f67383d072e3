//! RTP data packets (RFC 3550 §5.1), read without copying the payload.

use crate::Error;

/// RFC 3550 §5.1: at most 15 contributing sources (the CC field is four bits).
pub const MAX_CSRC: usize = 15;

/// The contributing sources of a packet, stored inline so parsing never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsrcList {
    ids: [u32; MAX_CSRC],
    len: u8,
}

impl CsrcList {
    /// A list holding the first [`MAX_CSRC`] of `ids`.
    pub fn from_slice(ids: &[u32]) -> Self {
        let mut list = CsrcList::default();
        for id in ids.iter().take(MAX_CSRC) {
            list.push(*id);
        }
        list
    }

    /// Adds a source; returns false (and ignores it) when the list is full.
    pub fn push(&mut self, id: u32) -> bool {
        let Some(slot) = self.ids.get_mut(usize::from(self.len)) else {
            return false;
        };
        *slot = id;
        self.len += 1;
        true
    }

    pub fn as_slice(&self) -> &[u32] {
        self.ids.get(..usize::from(self.len)).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// RFC 3550 §5.3.1 header extension: a profile-defined 16-bit id and its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    pub profile: u16,
    /// A multiple of four octets long; `write` pads it with zeros otherwise.
    pub data: &'a [u8],
}

/// A parsed RTP packet borrowing its extension and payload from the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub csrc: CsrcList,
    pub extension: Option<Extension<'a>>,
    pub payload: &'a [u8],
    /// RFC 3550 §5.1: number of padding octets at the end, counting the count octet
    /// itself; 0 means the P bit is clear.
    pub padding: u8,
}

const FIXED_HEADER: usize = 12;

impl<'a> RtpPacket<'a> {
    /// Reads a datagram. Errors on anything RFC 3550 §5.1 rules out; never panics.
    pub fn parse(buf: &'a [u8]) -> Result<Self, Error> {
        let fixed: &[u8; FIXED_HEADER] = buf.first_chunk().ok_or(Error::RtpTooShort)?;
        let version = fixed[0] >> 6;
        if version != 2 {
            return Err(Error::RtpVersion(version));
        }
        let has_padding = fixed[0] & 0x20 != 0;
        let has_extension = fixed[0] & 0x10 != 0;
        let csrc_count = usize::from(fixed[0] & 0x0f);
        let marker = fixed[1] & 0x80 != 0;
        let payload_type = fixed[1] & 0x7f;
        let sequence = u16::from_be_bytes([fixed[2], fixed[3]]);
        let timestamp = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
        let ssrc = u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]);

        let mut rest = buf.get(FIXED_HEADER..).unwrap_or_default();
        let mut csrc = CsrcList::default();
        for _ in 0..csrc_count {
            let (id, tail) = rest.split_first_chunk::<4>().ok_or(Error::RtpTooShort)?;
            csrc.push(u32::from_be_bytes(*id));
            rest = tail;
        }

        let extension = if has_extension {
            // RFC 3550 §5.3.1: 16-bit profile id, 16-bit length in 32-bit words.
            let (head, tail) = rest.split_first_chunk::<4>().ok_or(Error::RtpTooShort)?;
            let words = usize::from(u16::from_be_bytes([head[2], head[3]]));
            let data = tail.get(..words * 4).ok_or(Error::RtpTooShort)?;
            rest = tail.get(words * 4..).unwrap_or_default();
            Some(Extension {
                profile: u16::from_be_bytes([head[0], head[1]]),
                data,
            })
        } else {
            None
        };

        let padding = if has_padding {
            // RFC 3550 §5.1: the last octet counts the padding, itself included.
            let count = *rest.last().ok_or(Error::RtpPadding)?;
            if count == 0 || usize::from(count) > rest.len() {
                return Err(Error::RtpPadding);
            }
            count
        } else {
            0
        };
        let payload = rest
            .get(..rest.len() - usize::from(padding))
            .ok_or(Error::RtpPadding)?;

        Ok(RtpPacket {
            marker,
            payload_type,
            sequence,
            timestamp,
            ssrc,
            csrc,
            extension,
            payload,
            padding,
        })
    }

    /// A packet with no CSRC, extension or padding.
    pub fn new(
        payload_type: u8,
        sequence: u16,
        timestamp: u32,
        ssrc: u32,
        payload: &'a [u8],
    ) -> Self {
        RtpPacket {
            marker: false,
            payload_type: payload_type & 0x7f,
            sequence,
            timestamp,
            ssrc,
            csrc: CsrcList::default(),
            extension: None,
            payload,
            padding: 0,
        }
    }

    /// Appends the serialised packet to `out`. Padding octets before the count are zero;
    /// an extension whose data is not a multiple of four octets is zero-padded.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut first = 2 << 6 | self.csrc.len() as u8;
        if self.padding > 0 {
            first |= 0x20;
        }
        if self.extension.is_some() {
            first |= 0x10;
        }
        out.push(first);
        out.push(u8::from(self.marker) << 7 | (self.payload_type & 0x7f));
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for id in self.csrc.as_slice() {
            out.extend_from_slice(&id.to_be_bytes());
        }
        if let Some(ext) = &self.extension {
            let words = ext.data.len().div_ceil(4).min(usize::from(u16::MAX));
            out.extend_from_slice(&ext.profile.to_be_bytes());
            out.extend_from_slice(&(words as u16).to_be_bytes());
            let data = ext.data.get(..words * 4).unwrap_or(ext.data);
            out.extend_from_slice(data);
            out.resize(out.len() + (words * 4 - data.len()), 0);
        }
        out.extend_from_slice(self.payload);
        if self.padding > 0 {
            out.resize(out.len() + usize::from(self.padding) - 1, 0);
            out.push(self.padding);
        }
    }

    /// Length of the header: fixed part, CSRCs and extension.
    pub fn header_len(&self) -> usize {
        let ext = self
            .extension
            .map_or(0, |e| 4 + e.data.len().div_ceil(4) * 4);
        FIXED_HEADER + 4 * self.csrc.len() + ext
    }
}
