//! Events pushed to every connected screen: phones registering, calls ringing, answered
//! and ending, and the API's own changes (so a second window refreshes its lists).

use pbx::registrar::{RegistrationEvent, UnregisterReason};
use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::types::{Outcome, Transport, TrunkState};

/// Something happened; the screens update without a reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A phone registered, moved, or went away.
    RegistrationChanged(RegistrationChanged),
    CallRinging {
        call_id: String,
        /// The caller's number.
        caller: String,
        /// The number dialled.
        callee: String,
        /// The caller's own display name, without the `[Label] ` the phones show.
        caller_name: Option<String>,
        /// The business name dialled (`sales.acme`), for calls from a trunk.
        business_name: Option<String>,
    },
    CallAnswered {
        call_id: String,
        answered_by: String,
    },
    CallEnded {
        call_id: String,
        outcome: Outcome,
    },
    /// An extension was added, renamed, removed, got a new password or a new permission.
    ExtensionsChanged {
        number: String,
    },
    /// A trunk's status or line use changed.
    TrunkStatus {
        state: TrunkState,
    },
    /// Trunks, business names, ring groups, business hours or outbound routes were saved;
    /// `what` names the list (`trunks`, `business_names`, `ring_groups`, `schedules`,
    /// `outbound_routes`) so a screen showing it re-reads it.
    DialPlanChanged {
        what: String,
    },
    /// A voicemail arrived, was marked heard or unheard, was deleted, or a mailbox was
    /// switched on or off: the screens showing `mailbox` (an extension's number) re-read it.
    VoicemailChanged {
        mailbox: String,
    },
    /// Someone joined or left conference room `room`, or was muted or unmuted (also sent
    /// when rooms are added, edited or removed): the rooms page re-reads it.
    ConferenceChanged {
        room: String,
    },
    /// A recording was saved or deleted, or the recording settings or always-on flags
    /// changed: the recordings list and the flags re-read.
    RecordingsChanged,
    /// A recording failed (disk full, write error) or was refused for lack of free space;
    /// the pages show `message` until dismissed.
    RecordingAlert {
        message: String,
    },
    /// The app's softphone changed (registration, calls, account or devices): re-read
    /// `get_phone`.
    PhoneChanged {},
    /// The choice between running the phone system here and being only a phone changed
    /// (`set_app_mode`); it applies at the next start (a phone-only desktop app starts its PBX
    /// at once).
    AppModeChanged {
        phone_only: bool,
    },
    /// A call rings on the app's softphone (for the notification).
    PhoneIncoming {
        call: u64,
        name: Option<String>,
        number: String,
    },
    /// This connection fell behind and missed events: re-read the lists.
    Resync {
        missed: u64,
    },
}

/// A phone's registration, as it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RegistrationChanged {
    pub extension: String,
    pub contact: String,
    /// `true` when the phone is now registered at `address`.
    pub registered: bool,
    /// Where its packets come from; only when registered.
    pub address: Option<String>,
    pub transport: Option<Transport>,
    pub user_agent: Option<String>,
    /// Why it went away; only when no longer registered.
    pub reason: Option<UnregisteredBecause>,
}

/// Why a phone is no longer registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UnregisteredBecause {
    /// The phone signed off.
    Unregistered,
    /// It stopped refreshing its registration.
    Expired,
    /// Its extension was removed, or the same phone registered again elsewhere.
    Removed,
}

impl From<&pbx::PbxEvent> for Event {
    fn from(event: &pbx::PbxEvent) -> Event {
        match event {
            pbx::PbxEvent::Registration(RegistrationEvent::Registered {
                extension,
                contact,
                source,
                user_agent,
            }) => Event::RegistrationChanged(RegistrationChanged {
                extension: extension.clone(),
                contact: contact.clone(),
                registered: true,
                address: Some(source.addr.to_string()),
                transport: Some(source.transport.into()),
                user_agent: user_agent.clone(),
                reason: None,
            }),
            pbx::PbxEvent::Registration(RegistrationEvent::Unregistered {
                extension,
                contact,
                reason,
            }) => Event::RegistrationChanged(RegistrationChanged {
                extension: extension.clone(),
                contact: contact.clone(),
                registered: false,
                address: None,
                transport: None,
                user_agent: None,
                reason: Some(match reason {
                    UnregisterReason::Unregistered => UnregisteredBecause::Unregistered,
                    UnregisterReason::Expired => UnregisteredBecause::Expired,
                    UnregisterReason::Removed => UnregisteredBecause::Removed,
                }),
            }),
            pbx::PbxEvent::CallRinging {
                call_id,
                caller,
                callee,
                caller_name,
                business_name,
            } => Event::CallRinging {
                call_id: call_id.clone(),
                caller: caller.clone(),
                callee: callee.clone(),
                caller_name: caller_name.clone(),
                business_name: business_name.clone(),
            },
            pbx::PbxEvent::CallAnswered {
                call_id,
                answered_by,
            } => Event::CallAnswered {
                call_id: call_id.clone(),
                answered_by: answered_by.clone(),
            },
            pbx::PbxEvent::CallEnded { call_id, outcome } => Event::CallEnded {
                call_id: call_id.clone(),
                outcome: (*outcome).into(),
            },
            pbx::PbxEvent::TrunkStatus(state) => Event::TrunkStatus {
                state: state.clone().into(),
            },
            pbx::PbxEvent::RecordingsChanged => Event::RecordingsChanged,
            pbx::PbxEvent::RecordingAlert { message } => Event::RecordingAlert {
                message: message.clone(),
            },
            pbx::PbxEvent::ConferenceChanged { room } => {
                Event::ConferenceChanged { room: room.clone() }
            }
            pbx::PbxEvent::MessageSummary { mailbox, .. } => Event::VoicemailChanged {
                mailbox: mailbox.clone(),
            },
            // Set by phone: the extension's row shows it.
            pbx::PbxEvent::ForwardingChanged { number, .. } => Event::ExtensionsChanged {
                number: number.clone(),
            },
        }
    }
}

/// Copies the PBX's events into the API's own channel (where the API adds its own) until
/// the PBX stops. A lag here is passed on as [`Event::Resync`] so screens re-read.
pub(crate) async fn forward(
    mut pbx: broadcast::Receiver<pbx::PbxEvent>,
    api: broadcast::Sender<Event>,
) {
    loop {
        match pbx.recv().await {
            Ok(event) => {
                let _ = api.send(Event::from(&event));
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                let _ = api.send(Event::Resync { missed });
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
