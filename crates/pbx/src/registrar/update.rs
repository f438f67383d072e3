//! Committing a planned REGISTER: the location changes, what to persist, what to tell
//! the UI.

use std::time::{Duration, Instant};

use super::binding::{self, Binding, Source};
use super::changes::{BindingChange, PersistedBinding, RegistrationEvent, UnregisterReason};
use super::key::BindingKey;
use super::location::Record;
use super::plan::Op;
use super::view::{ContactSpec, Contacts, RegisterView};
use super::Registrar;

impl Registrar {
    /// Applies `ops` (already checked by the planner) for extension `number`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn apply(
        &mut self,
        now: Instant,
        unix_now: u64,
        number: &str,
        view: &RegisterView<'_>,
        source: Source,
        ops: &[Op],
        changes: &mut Vec<BindingChange>,
    ) {
        let contacts: &[ContactSpec] = match &view.contacts {
            Contacts::List(list) => list,
            _ => &[],
        };
        let slot = self.location.slot_or_insert(number);
        for op in ops {
            match *op {
                Op::Insert { contact, expires } => {
                    let Some(spec) = contacts.get(contact) else {
                        continue;
                    };
                    let binding = Binding {
                        extension: number.to_owned(),
                        contact: spec.uri.clone(),
                        params: spec.params.clone(),
                        instance: spec.instance.clone(),
                        reg_id: spec.reg_id,
                        call_id: view.call_id.to_owned(),
                        cseq: view.cseq,
                        source,
                        nat: binding::is_nat(&spec.uri, &source),
                        user_agent: view.user_agent.map(str::to_owned),
                        expires_at: now + Duration::from_secs(u64::from(expires)),
                        expires_unix: unix_now + u64::from(expires),
                    };
                    changes.push(BindingChange::Upsert {
                        binding: persisted(&binding, unix_now),
                        expiry_only: false,
                    });
                    self.events.push_back(RegistrationEvent::Registered {
                        extension: binding.extension.clone(),
                        contact: binding.contact.clone(),
                        source,
                        user_agent: binding.user_agent.clone(),
                    });
                    let key = BindingKey::new(&spec.uri, spec.instance.as_deref(), spec.reg_id);
                    self.location.insert(slot, key, binding);
                }
                Op::Update {
                    id,
                    contact,
                    expires,
                } => {
                    let Some(spec) = contacts.get(contact) else {
                        continue;
                    };
                    self.refresh(
                        now, unix_now, slot, id, spec, view, source, expires, changes,
                    );
                }
                Op::Remove { id } => {
                    if let Some(record) = self.location.remove(slot, id) {
                        changes.push(self.removal_change(&record, unix_now));
                        self.events.push_back(RegistrationEvent::Unregistered {
                            extension: record.binding.extension,
                            contact: record.binding.contact,
                            reason: UnregisterReason::Unregistered,
                        });
                    }
                }
                Op::RemoveAll => {
                    let removed = self.location.remove_all(number);
                    if removed.is_empty() {
                        continue;
                    }
                    changes.push(BindingChange::RemoveAll {
                        extension: number.to_owned(),
                    });
                    for record in removed {
                        self.events.push_back(RegistrationEvent::Unregistered {
                            extension: record.binding.extension,
                            contact: record.binding.contact,
                            reason: UnregisterReason::Unregistered,
                        });
                    }
                }
            }
        }
    }

    /// Updates an existing binding. The common case, a phone refreshing with the same
    /// contact from the same address, allocates only the persisted copy.
    #[allow(clippy::too_many_arguments)]
    fn refresh(
        &mut self,
        now: Instant,
        unix_now: u64,
        slot: usize,
        id: u64,
        spec: &ContactSpec,
        view: &RegisterView<'_>,
        source: Source,
        expires: u32,
        changes: &mut Vec<BindingChange>,
    ) {
        let Some(record) = self.location.get_mut(slot, id) else {
            return;
        };
        let b = &mut record.binding;
        let old_store_key =
            (b.contact != spec.uri && b.instance.is_none()).then(|| b.contact.clone());
        let moved = b.contact != spec.uri || b.source != source;
        let mut significant = moved;
        if b.contact != spec.uri {
            b.contact.clone_from(&spec.uri);
        }
        if b.params != spec.params {
            b.params.clone_from(&spec.params);
            significant = true;
        }
        if b.call_id != view.call_id {
            b.call_id.clear();
            b.call_id.push_str(view.call_id);
            significant = true;
        }
        if b.user_agent.as_deref() != view.user_agent {
            b.user_agent = view.user_agent.map(str::to_owned);
            significant = true;
        }
        // A device that stopped or started using outbound keeps its binding
        // (see `BindingKey::matches`); remember what it uses now.
        if b.reg_id != spec.reg_id {
            b.reg_id = spec.reg_id;
            record.key = BindingKey::new(&spec.uri, spec.instance.as_deref(), spec.reg_id);
        }
        let b = &mut record.binding;
        b.cseq = view.cseq;
        if moved {
            b.source = source;
            b.nat = binding::is_nat(&b.contact, &source);
        }
        let event = moved.then(|| RegistrationEvent::Registered {
            extension: b.extension.clone(),
            contact: b.contact.clone(),
            source,
            user_agent: b.user_agent.clone(),
        });
        let extension = old_store_key.as_ref().map(|_| b.extension.clone());
        self.location.set_expiry(
            slot,
            id,
            now + Duration::from_secs(u64::from(expires)),
            unix_now + u64::from(expires),
        );
        if let (Some(extension), Some(key)) = (extension, old_store_key) {
            // The store keys URI bindings by the contact text; a re-spelled contact
            // (equal by RFC 3261 §19.1.4) moves to a new row.
            changes.push(BindingChange::Remove { extension, key });
        }
        if let Some(record) = self.location.get_mut(slot, id) {
            changes.push(BindingChange::Upsert {
                binding: persisted(&record.binding, unix_now),
                expiry_only: !significant,
            });
        }
        if let Some(event) = event {
            self.events.push_back(event);
        }
    }

    /// What to persist when `removed` goes. Several flows of one device (RFC 5626 reg-id)
    /// share one stored row, keyed by the instance: while another flow lives, the row is
    /// rewritten for it instead of deleted.
    pub(super) fn removal_change(&self, removed: &Record, unix_now: u64) -> BindingChange {
        let b = &removed.binding;
        if let Some(instance) = &b.instance {
            let sibling = self
                .location
                .records_of(&b.extension)
                .iter()
                .find(|r| r.binding.instance.as_ref() == Some(instance));
            if let Some(sibling) = sibling {
                return BindingChange::Upsert {
                    binding: persisted(&sibling.binding, unix_now),
                    expiry_only: false,
                };
            }
        }
        BindingChange::Remove {
            extension: b.extension.clone(),
            key: b.instance.as_ref().unwrap_or(&b.contact).clone(),
        }
    }
}

fn persisted(b: &Binding, unix_now: u64) -> PersistedBinding {
    PersistedBinding {
        extension: b.extension.clone(),
        contact: b.contact.clone(),
        instance: b.instance.clone(),
        transport: b.source.transport,
        source: b.source.addr,
        user_agent: b.user_agent.clone(),
        expires_at: i64::try_from(b.expires_unix).unwrap_or(i64::MAX),
        call_id: b.call_id.clone(),
        cseq: b.cseq,
        updated_at: i64::try_from(unix_now).unwrap_or(i64::MAX),
    }
}
