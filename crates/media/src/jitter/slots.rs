//! The frames waiting for playout: a ring with one slot per frame position.
//!
//! Positions are extended timestamps divided by the frame length, so a packet's slot
//! follows from its timestamp alone and reordering costs nothing. Payload buffers are
//! allocated once and reused, growing only for an unusually large packet.

/// Room reserved per payload up front: enough for G.711, G.722 and most Opus frames.
const PAYLOAD_RESERVE: usize = 320;

#[derive(Debug, Clone)]
pub(super) struct Slot {
    /// Frame position (extended timestamp / frame length) held, if any.
    pub(super) position: Option<i64>,
    pub(super) sequence: i64,
    pub(super) timestamp: u32,
    pub(super) marker: bool,
    pub(super) payload: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(super) struct Slots {
    ring: Vec<Slot>,
}

/// What happened to a packet offered to the ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stored {
    New,
    Duplicate,
}

impl Slots {
    pub(super) fn new(capacity: usize) -> Self {
        let ring = (0..capacity.max(1))
            .map(|_| Slot {
                position: None,
                sequence: 0,
                timestamp: 0,
                marker: false,
                payload: Vec::with_capacity(PAYLOAD_RESERVE),
            })
            .collect();
        Slots { ring }
    }

    /// Frame positions the ring can hold at once.
    pub(super) fn capacity(&self) -> i64 {
        self.ring.len() as i64
    }

    fn index(&self, position: i64) -> usize {
        position.rem_euclid(self.capacity()) as usize
    }

    /// Stores a packet at `position`; the caller keeps positions within one capacity of
    /// the playout point, so an occupied slot holds either this very frame or a stale one.
    pub(super) fn store(
        &mut self,
        position: i64,
        sequence: i64,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Stored {
        let index = self.index(position);
        let Some(slot) = self.ring.get_mut(index) else {
            return Stored::Duplicate;
        };
        if slot.position == Some(position) {
            return Stored::Duplicate;
        }
        slot.position = Some(position);
        slot.sequence = sequence;
        slot.timestamp = timestamp;
        slot.marker = marker;
        slot.payload.clear();
        slot.payload.extend_from_slice(payload);
        Stored::New
    }

    /// The slot holding `position`, if that frame is buffered.
    pub(super) fn get(&self, position: i64) -> Option<&Slot> {
        self.ring
            .get(self.index(position))
            .filter(|s| s.position == Some(position))
    }

    /// Empties the slot of `position` and returns what it held; the payload stays readable
    /// until the slot is reused.
    pub(super) fn take(&mut self, position: i64) -> Option<&Slot> {
        let index = self.index(position);
        let slot = self.ring.get_mut(index)?;
        if slot.position != Some(position) {
            return None;
        }
        slot.position = None;
        Some(slot)
    }

    /// Empties the slot of `position`; returns whether it held that frame.
    pub(super) fn remove(&mut self, position: i64) -> bool {
        let index = self.index(position);
        match self.ring.get_mut(index) {
            Some(slot) if slot.position == Some(position) => {
                slot.position = None;
                true
            }
            _ => false,
        }
    }

    /// Empties every slot outside `[from, from + capacity)`; returns how many held a frame.
    pub(super) fn retain_window(&mut self, from: i64) -> u64 {
        let end = from.saturating_add(self.capacity());
        let mut dropped = 0;
        for slot in &mut self.ring {
            if let Some(p) = slot.position {
                if p < from || p >= end {
                    slot.position = None;
                    dropped += 1;
                }
            }
        }
        dropped
    }

    pub(super) fn clear(&mut self) -> u64 {
        self.retain_window(i64::MAX)
    }

    /// The first buffered frame after `position`, within one capacity.
    pub(super) fn next_after(&self, position: i64) -> Option<&Slot> {
        (1..self.capacity()).find_map(|d| self.get(position.saturating_add(d)))
    }

    /// The lowest and highest buffered positions.
    pub(super) fn span(&self) -> Option<(i64, i64)> {
        let mut positions = self.ring.iter().filter_map(|s| s.position);
        let first = positions.next()?;
        Some(positions.fold((first, first), |(lo, hi), p| (lo.min(p), hi.max(p))))
    }
}
