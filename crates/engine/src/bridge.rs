//! Conversions between the PBX's values and the store's rows.

use pbx::registrar::{BindingChange, DirectoryEntry, PersistedBinding};
use pbx::{CallRecord, Direction, HangupBy, Outcome};

pub(crate) fn directory_entry(ext: &store::Extension) -> DirectoryEntry {
    let mut entry = DirectoryEntry::with_ha1(
        ext.number.clone(),
        ext.name.clone(),
        ext.realm.clone(),
        ext.ha1_md5.clone(),
        ext.ha1_sha256.clone(),
    );
    entry.srtp_required = ext.srtp_required;
    entry
}

fn store_transport(t: sip::Transport) -> store::Transport {
    match t {
        sip::Transport::Udp => store::Transport::Udp,
        sip::Transport::Tcp => store::Transport::Tcp,
        sip::Transport::Tls => store::Transport::Tls,
    }
}

/// WebSocket bindings are not served yet, so they are not restored.
fn pbx_transport(t: store::Transport) -> Option<sip::Transport> {
    match t {
        store::Transport::Udp => Some(sip::Transport::Udp),
        store::Transport::Tcp => Some(sip::Transport::Tcp),
        store::Transport::Tls => Some(sip::Transport::Tls),
        store::Transport::Ws | store::Transport::Wss => None,
    }
}

pub(crate) fn to_store_binding(b: PersistedBinding) -> store::Binding {
    store::Binding {
        transport: store_transport(b.transport),
        extension: b.extension,
        contact: b.contact,
        instance: b.instance,
        source: b.source,
        user_agent: b.user_agent,
        expires_at: b.expires_at,
        call_id: b.call_id,
        cseq: b.cseq,
        updated_at: b.updated_at,
    }
}

pub(crate) fn from_store_binding(b: store::Binding) -> Option<PersistedBinding> {
    Some(PersistedBinding {
        transport: pbx_transport(b.transport)?,
        extension: b.extension,
        contact: b.contact,
        instance: b.instance,
        source: b.source,
        user_agent: b.user_agent,
        expires_at: b.expires_at,
        call_id: b.call_id,
        cseq: b.cseq,
        updated_at: b.updated_at,
    })
}

/// Queues a registration change on the batched writer.
pub(crate) fn write_binding(writer: &store::BindingWriter, change: BindingChange) {
    let result = match change {
        BindingChange::Upsert { binding, .. } => writer.upsert(to_store_binding(binding)),
        BindingChange::Remove { extension, key } => writer.remove(&extension, &key),
        BindingChange::RemoveAll { extension } => writer.remove_all(&extension),
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "could not queue a registration change");
    }
}

pub(crate) fn to_new_cdr(r: CallRecord) -> store::NewCdr {
    let secs = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    store::NewCdr {
        call_id: r.call_id,
        caller_number: r.caller_number,
        caller_name: r.caller_name,
        callee: r.callee,
        answered_by: r.answered_by,
        started_at: secs(r.started_at),
        answered_at: r.answered_at.map(secs),
        ended_at: secs(r.ended_at),
        outcome: match r.outcome {
            Outcome::Answered => store::Outcome::Answered,
            Outcome::Busy => store::Outcome::Busy,
            Outcome::NoAnswer => store::Outcome::NoAnswer,
            Outcome::Unavailable => store::Outcome::Unavailable,
            Outcome::NotFound => store::Outcome::NotFound,
            Outcome::Cancelled => store::Outcome::Cancelled,
            Outcome::Failed => store::Outcome::Failed,
        },
        hangup_by: match r.hangup_by {
            Some(HangupBy::Caller) => store::HangupBy::Caller,
            Some(HangupBy::Callee) => store::HangupBy::Callee,
            Some(HangupBy::System) | None => store::HangupBy::System,
        },
        reason: Some(r.reason),
        business_name: r.business_name,
        trunk: r.trunk,
        direction: match r.direction {
            Direction::Internal => store::Direction::Internal,
            Direction::Inbound => store::Direction::Inbound,
            Direction::Outbound => store::Direction::Outbound,
        },
        lines_busy: r.lines_busy,
    }
}
