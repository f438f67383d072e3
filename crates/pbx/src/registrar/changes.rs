//! What the registrar asks the engine to persist, and what it tells the UI.

use std::net::SocketAddr;

use sip::Transport;

use super::binding::Source;

/// A binding in the shape the store saves it: wall-clock times, no monotonic instants.
/// Field for field the store's binding row, so the engine copies it across.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistedBinding {
    pub extension: String,
    pub contact: String,
    pub instance: Option<String>,
    pub transport: Transport,
    pub source: SocketAddr,
    pub user_agent: Option<String>,
    /// Unix seconds after which the binding no longer counts.
    pub expires_at: i64,
    pub call_id: String,
    pub cseq: u32,
    /// Unix seconds of this change.
    pub updated_at: i64,
}

impl PersistedBinding {
    /// The row key within the extension, as the store computes it: the instance ID when
    /// present (it survives contact changes, RFC 5626 §4.1), else the contact URI.
    pub fn key(&self) -> &str {
        self.instance.as_deref().unwrap_or(&self.contact)
    }

    pub fn source(&self) -> Source {
        Source {
            transport: self.transport,
            addr: self.source,
        }
    }
}

/// A change to write through the store's batched writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingChange {
    /// Insert or replace the row keyed by `(extension, binding.key())`.
    Upsert {
        binding: PersistedBinding,
        /// Only the expiry (and the CSeq of the refresh) moved: a writer may keep just the
        /// latest such change per key, and may delay it, since losing it on a crash only
        /// makes a binding look older than it is.
        expiry_only: bool,
    },
    /// Delete the row keyed by `(extension, key)`.
    Remove { extension: String, key: String },
    /// Delete every row of the extension (`Contact: *`, or the extension was removed).
    RemoveAll { extension: String },
}

/// Why a binding went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnregisterReason {
    /// The phone asked (`expires=0`, or `Contact: *`).
    Unregistered,
    /// It was not refreshed in time.
    Expired,
    /// Its extension was removed, or another binding of the same device replaced it.
    Removed,
}

/// For the UI's live view of which phones are registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationEvent {
    /// A new contact, or an existing device that now sits at another contact or address.
    /// Refreshes that change nothing but the expiry are not reported.
    Registered {
        extension: String,
        contact: String,
        source: Source,
        user_agent: Option<String>,
    },
    Unregistered {
        extension: String,
        contact: String,
        reason: UnregisterReason,
    },
}
