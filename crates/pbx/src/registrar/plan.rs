//! Deciding what a REGISTER does to an extension's bindings (RFC 3261 §10.3 steps 6–7)
//! before anything changes: the RFC makes the update all-or-nothing.

use super::config::RegistrarConfig;
use super::location::Record;
use super::reply::Reply;
use super::view::{ContactSpec, Contacts, RegisterView};

/// One binding change a REGISTER asks for; `contact` indexes `RegisterView::contacts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Insert {
        contact: usize,
        expires: u32,
    },
    Update {
        id: u64,
        contact: usize,
        expires: u32,
    },
    Remove {
        id: u64,
    },
    /// `Contact: *` with `Expires: 0`.
    RemoveAll,
}

/// The operations for `view` against the current `records` of its extension, or the
/// error reply that aborts the request without touching any binding.
pub(crate) fn plan(
    config: &RegistrarConfig,
    view: &RegisterView<'_>,
    records: &[Record],
) -> Result<Vec<Op>, Reply> {
    match &view.contacts {
        Contacts::Query => Ok(Vec::new()),
        Contacts::Wildcard => plan_wildcard(view, records),
        Contacts::List(list) => plan_list(config, view, list, records),
    }
}

/// RFC 3261 §10.3 step 6: `*` is only valid alone and with `Expires: 0`; each binding is
/// removed unless the request is older than the one that wrote it.
fn plan_wildcard(view: &RegisterView<'_>, records: &[Record]) -> Result<Vec<Op>, Reply> {
    if view.expires != Some(0) {
        return Err(Reply::bad_request("Wildcard Contact Requires Expires 0"));
    }
    if records.iter().any(|r| is_stale(view, r)) {
        return Err(Reply::out_of_order());
    }
    Ok(vec![Op::RemoveAll])
}

fn plan_list(
    config: &RegistrarConfig,
    view: &RegisterView<'_>,
    contacts: &[ContactSpec],
    records: &[Record],
) -> Result<Vec<Op>, Reply> {
    let mut ops = Vec::with_capacity(contacts.len());
    // Records already claimed by an earlier contact of this request, so that two
    // contacts never update one binding.
    let mut claimed: Vec<u64> = Vec::new();
    let mut live = records.len();
    for (i, contact) in contacts.iter().enumerate() {
        // RFC 3261 §10.2.1.1 / §10.3 step 7: the contact's parameter wins over the
        // header, which wins over our default.
        let asked = contact
            .expires
            .or(view.expires)
            .unwrap_or(config.default_expires);
        if asked != 0 && asked < config.min_expires {
            return Err(Reply::interval_too_brief(config.min_expires));
        }
        // The same contact twice in one request: the last one counts.
        let repeated_later = contacts
            .get(i + 1..)
            .is_some_and(|rest| rest.iter().any(|later| later.same_binding(contact)));
        if repeated_later {
            continue;
        }
        let expires = asked.min(config.max_expires);
        let existing = records.iter().find(|r| {
            !claimed.contains(&r.id)
                && r.key
                    .matches(&contact.uri, contact.instance.as_deref(), contact.reg_id)
        });
        match existing {
            Some(record) => {
                // RFC 3261 §10.3 step 7: same Call-ID needs a higher CSeq.
                if is_stale(view, record) {
                    return Err(Reply::out_of_order());
                }
                claimed.push(record.id);
                if expires == 0 {
                    live -= 1;
                    ops.push(Op::Remove { id: record.id });
                } else {
                    ops.push(Op::Update {
                        id: record.id,
                        contact: i,
                        expires,
                    });
                }
            }
            None if expires == 0 => {}
            None => {
                live += 1;
                ops.push(Op::Insert {
                    contact: i,
                    expires,
                });
            }
        }
    }
    if live > config.max_contacts && ops.iter().any(|op| matches!(op, Op::Insert { .. })) {
        return Err(Reply::too_many_contacts());
    }
    Ok(ops)
}

/// A REGISTER from the same Call-ID as the one that wrote `record`, with a CSeq not
/// above it, arrived out of order and must not undo the newer one.
fn is_stale(view: &RegisterView<'_>, record: &Record) -> bool {
    record.binding.call_id == view.call_id && view.cseq <= record.binding.cseq
}
