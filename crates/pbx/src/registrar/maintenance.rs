//! Keeping the location service current outside of REGISTER handling: expiry, restart
//! and changes to the directory.

use std::time::{Duration, Instant};

use super::binding::{self, Binding};
use super::changes::{BindingChange, PersistedBinding, RegistrationEvent, UnregisterReason};
use super::directory::{Directory, DirectoryEntry};
use super::key::BindingKey;
use super::Registrar;

impl Registrar {
    /// Drops bindings that lapsed at or before `now`; returns the removals to persist and
    /// queues an `Unregistered { reason: Expired }` event for each.
    pub fn purge_expired(&mut self, now: Instant, unix_now: u64) -> Vec<BindingChange> {
        let mut changes = Vec::new();
        while let Some(record) = self.location.pop_expired(now) {
            changes.push(self.removal_change(&record, unix_now));
            self.events.push_back(RegistrationEvent::Unregistered {
                extension: record.binding.extension,
                contact: record.binding.contact,
                reason: UnregisterReason::Expired,
            });
        }
        changes
    }

    /// Drops the lapsed bindings of one extension, as [`Registrar::purge_expired`] would.
    pub(super) fn purge_extension(
        &mut self,
        now: Instant,
        unix_now: u64,
        number: &str,
        changes: &mut Vec<BindingChange>,
    ) {
        let Some(slot) = self.location.slot(number) else {
            return;
        };
        while let Some(id) = self
            .location
            .records(slot)
            .iter()
            .find(|r| r.binding.expires_at <= now)
            .map(|r| r.id)
        {
            let Some(record) = self.location.remove(slot, id) else {
                break;
            };
            changes.push(self.removal_change(&record, unix_now));
            self.events.push_back(RegistrationEvent::Unregistered {
                extension: record.binding.extension,
                contact: record.binding.contact,
                reason: UnregisterReason::Expired,
            });
        }
    }

    /// Restores bindings saved before a restart. Bindings already expired by `unix_now`,
    /// or of extensions not in the directory, are skipped; expiries are capped at
    /// `max_expires` from now in case the wall clock jumped. Returns how many were kept.
    /// Queues no events: nothing changed from the phones' point of view.
    pub fn load<I>(&mut self, now: Instant, unix_now: u64, bindings: I) -> usize
    where
        I: IntoIterator<Item = PersistedBinding>,
    {
        let mut loaded = 0;
        for stored in bindings {
            let Ok(expires_unix) = u64::try_from(stored.expires_at) else {
                continue;
            };
            if expires_unix <= unix_now || !self.directory.contains(&stored.extension) {
                continue;
            }
            let remaining = (expires_unix - unix_now).min(u64::from(self.config.max_expires));
            let source = stored.source();
            let params = stored
                .instance
                .as_deref()
                .map(|i| format!(";+sip.instance=\"{i}\""))
                .unwrap_or_default();
            let key = BindingKey::new(&stored.contact, stored.instance.as_deref(), None);
            let binding = Binding {
                nat: binding::is_nat(&stored.contact, &source),
                extension: stored.extension,
                contact: stored.contact,
                params,
                instance: stored.instance,
                reg_id: None,
                call_id: stored.call_id,
                cseq: stored.cseq,
                source,
                user_agent: stored.user_agent,
                expires_at: now + Duration::from_secs(remaining),
                expires_unix: unix_now + remaining,
            };
            let slot = self.location.slot_or_insert(&binding.extension);
            let duplicate = self
                .location
                .records(slot)
                .iter()
                .find(|r| r.key == key)
                .map(|r| r.id);
            if let Some(id) = duplicate {
                self.location.remove(slot, id);
            }
            self.location.insert(slot, key, binding);
            loaded += 1;
        }
        loaded
    }

    /// Replaces the directory wholesale; bindings of extensions that are gone, or whose
    /// credentials changed, are removed (a password reset must lock out the old phone).
    pub fn set_directory(&mut self, directory: Directory) -> Vec<BindingChange> {
        let old = std::mem::replace(&mut self.directory, directory);
        let dropped: Vec<String> = old
            .iter()
            .filter(|e| credentials_changed(e, self.directory.get(&e.number)))
            .map(|e| e.number.clone())
            .collect();
        let mut changes = Vec::new();
        for number in dropped {
            self.drop_bindings(&number, &mut changes);
        }
        changes
    }

    /// Adds or replaces one extension; if its credentials changed, its bindings go.
    pub fn upsert_extension(&mut self, entry: DirectoryEntry) -> Vec<BindingChange> {
        let number = entry.number.clone();
        let old = self.directory.insert(entry);
        let mut changes = Vec::new();
        if let Some(old) = old {
            if credentials_changed(&old, self.directory.get(&number)) {
                self.drop_bindings(&number, &mut changes);
            }
        }
        changes
    }

    /// Removes an extension and its bindings.
    pub fn remove_extension(&mut self, number: &str) -> Vec<BindingChange> {
        let mut changes = Vec::new();
        if self.directory.remove(number).is_some() {
            self.drop_bindings(number, &mut changes);
        }
        changes
    }

    fn drop_bindings(&mut self, number: &str, changes: &mut Vec<BindingChange>) {
        let removed = self.location.remove_all(number);
        if removed.is_empty() {
            return;
        }
        changes.push(BindingChange::RemoveAll {
            extension: number.to_owned(),
        });
        for record in removed {
            self.events.push_back(RegistrationEvent::Unregistered {
                extension: record.binding.extension,
                contact: record.binding.contact,
                reason: UnregisterReason::Removed,
            });
        }
    }
}

/// Whether `new` no longer accepts what `old` accepted (gone, other realm, other secret).
fn credentials_changed(old: &DirectoryEntry, new: Option<&DirectoryEntry>) -> bool {
    match new {
        Some(new) => new.realm != old.realm || new.secret != old.secret,
        None => true,
    }
}
