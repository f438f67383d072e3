//! Recently received payloads by RTP timestamp, so a lost frame can be rebuilt from
//! the in-band FEC data the next packet carries (RFC 6716 §2.1.7) even though the
//! jitter buffer only hands out one frame at a time.

use std::collections::VecDeque;

/// Frames remembered: more than the jitter buffer's longest delay of 20 ms frames
/// would need for the next packet to still be here when its predecessor is played.
const KEPT: usize = 32;

#[derive(Debug, Clone, Default)]
pub(super) struct RecentPayloads {
    entries: VecDeque<(u32, Vec<u8>)>,
}

impl RecentPayloads {
    pub(super) fn remember(&mut self, timestamp: u32, payload: &[u8]) {
        if self.entries.iter().any(|(ts, _)| *ts == timestamp) {
            return;
        }
        let mut buf = if self.entries.len() >= KEPT {
            self.entries.pop_front().map(|(_, b)| b).unwrap_or_default()
        } else {
            Vec::new()
        };
        buf.clear();
        buf.extend_from_slice(payload);
        self.entries.push_back((timestamp, buf));
    }

    pub(super) fn get(&self, timestamp: u32) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(ts, _)| *ts == timestamp)
            .map(|(_, b)| b.as_slice())
    }
}
