//! The location service: live bindings per extension, indexed by expiry.
//!
//! Lookups and updates touch only the extension concerned (a hash map to a short list of
//! contacts); the expiry index is ordered, so the next purge time and the purge itself
//! never scan every extension.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use super::binding::Binding;
use super::key::BindingKey;

/// A binding with the identity the location service tracks it by.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// Unique for the life of the process; ties the expiry index to the record.
    pub id: u64,
    pub key: BindingKey,
    pub binding: Binding,
}

/// Bindings of every extension that has registered.
#[derive(Debug, Default)]
pub(crate) struct Location {
    /// Extension number → slot in `aors`. Slots are kept once created: only known
    /// extensions get one, so the table is bounded by the directory.
    index: HashMap<Box<str>, usize>,
    aors: Vec<Vec<Record>>,
    /// (expiry, slot, record id), earliest first.
    expiries: BTreeSet<(Instant, usize, u64)>,
    next_id: u64,
    /// Number of live records, kept so counting never walks the table.
    len: usize,
}

impl Location {
    pub(crate) fn slot(&self, number: &str) -> Option<usize> {
        self.index.get(number).copied()
    }

    /// The slot for `number`, created on first use.
    pub(crate) fn slot_or_insert(&mut self, number: &str) -> usize {
        if let Some(slot) = self.slot(number) {
            return slot;
        }
        let slot = self.aors.len();
        self.aors.push(Vec::new());
        self.index.insert(number.into(), slot);
        slot
    }

    pub(crate) fn records(&self, slot: usize) -> &[Record] {
        self.aors.get(slot).map(Vec::as_slice).unwrap_or(&[])
    }

    pub(crate) fn records_of(&self, number: &str) -> &[Record] {
        self.slot(number).map_or(&[], |slot| self.records(slot))
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds a new binding and returns its record id.
    pub(crate) fn insert(&mut self, slot: usize, key: BindingKey, binding: Binding) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.expiries.insert((binding.expires_at, slot, id));
        if let Some(list) = self.aors.get_mut(slot) {
            list.push(Record { id, key, binding });
            self.len += 1;
        }
        id
    }

    /// Mutable access to a record by id; the caller must go through
    /// [`Location::set_expiry`] to move its expiry so the index stays right.
    pub(crate) fn get_mut(&mut self, slot: usize, id: u64) -> Option<&mut Record> {
        self.aors.get_mut(slot)?.iter_mut().find(|r| r.id == id)
    }

    pub(crate) fn set_expiry(&mut self, slot: usize, id: u64, at: Instant, unix: u64) {
        let Some(record) = self
            .aors
            .get_mut(slot)
            .and_then(|list| list.iter_mut().find(|r| r.id == id))
        else {
            return;
        };
        self.expiries.remove(&(record.binding.expires_at, slot, id));
        record.binding.expires_at = at;
        record.binding.expires_unix = unix;
        self.expiries.insert((at, slot, id));
    }

    pub(crate) fn remove(&mut self, slot: usize, id: u64) -> Option<Record> {
        let list = self.aors.get_mut(slot)?;
        let pos = list.iter().position(|r| r.id == id)?;
        let record = list.swap_remove(pos);
        self.expiries
            .remove(&(record.binding.expires_at, slot, record.id));
        self.len -= 1;
        Some(record)
    }

    /// Removes every binding of `number`.
    pub(crate) fn remove_all(&mut self, number: &str) -> Vec<Record> {
        let Some(slot) = self.slot(number) else {
            return Vec::new();
        };
        let Some(list) = self.aors.get_mut(slot) else {
            return Vec::new();
        };
        let removed = std::mem::take(list);
        for record in &removed {
            self.expiries
                .remove(&(record.binding.expires_at, slot, record.id));
        }
        self.len -= removed.len();
        removed
    }

    /// The earliest expiry, for the runtime's purge timer.
    pub(crate) fn next_expiry(&self) -> Option<Instant> {
        self.expiries.first().map(|(at, _, _)| *at)
    }

    /// Removes and returns one binding whose expiry is at or before `now`.
    pub(crate) fn pop_expired(&mut self, now: Instant) -> Option<Record> {
        loop {
            let &(at, _, _) = self.expiries.first()?;
            if at > now {
                return None;
            }
            let (_, slot, id) = self.expiries.pop_first()?;
            // The index entry is gone already; `remove` then only drops the record.
            if let Some(record) = self.remove(slot, id) {
                return Some(record);
            }
        }
    }

    /// Every record, for a snapshot or a directory change (not on any hot path).
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Record> {
        self.aors.iter().flatten()
    }
}
