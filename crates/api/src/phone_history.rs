//! Writes the softphone's finished calls to the call history. The phone's event listener
//! hands each finished call to a channel (it may run before the database is attached, at
//! start-up); one task writes them in order, off the async threads, and tells the screens
//! (the missed-call count changed).

use std::sync::{Arc, Mutex};

use store::{NewPhoneCall, PhoneCallKind};
use tokio::sync::{broadcast, mpsc};

use crate::command::now_unix;
use crate::commands::phone::{CallDirection, PhoneCall};
use crate::events::Event;

/// The history entry for a call that just ended. A call that rang here and was never
/// answered is missed; it counts as unseen unless the person declined it (they saw it).
pub(crate) fn finished(call: &PhoneCall, declined: bool) -> NewPhoneCall {
    let duration_s = call.answered_at.map_or(0, |a| (now_unix() - a).max(0));
    let kind = match (call.direction, call.answered_at) {
        (CallDirection::Out, _) => PhoneCallKind::Out,
        (CallDirection::In, Some(_)) => PhoneCallKind::In,
        (CallDirection::In, None) => PhoneCallKind::Missed,
    };
    NewPhoneCall {
        kind,
        number: call.number.clone(),
        name: call.name.clone(),
        started_at: call.started_at,
        duration_s,
        unseen: kind == PhoneCallKind::Missed && !declined,
    }
}

/// A call refused without ringing (do not disturb, busy): missed, unseen.
pub(crate) fn refused(number: &str, name: Option<&str>) -> NewPhoneCall {
    NewPhoneCall {
        kind: PhoneCallKind::Missed,
        number: number.to_owned(),
        name: name.map(str::to_owned),
        started_at: now_unix(),
        duration_s: 0,
        unseen: true,
    }
}

/// Writes what arrives on `calls` until the channel closes.
pub(crate) async fn write(
    mut calls: mpsc::UnboundedReceiver<NewPhoneCall>,
    store: Arc<Mutex<store::Store>>,
    screens: broadcast::Sender<Event>,
) {
    while let Some(call) = calls.recv().await {
        let store = Arc::clone(&store);
        let written = tokio::task::spawn_blocking(move || {
            let guard = store.lock().unwrap_or_else(|p| p.into_inner());
            guard.add_phone_call(&call)
        })
        .await;
        match written {
            Ok(Ok(_)) => {
                let _ = screens.send(Event::PhoneChanged {});
            }
            Ok(Err(err)) => tracing::warn!(%err, "call history not written"),
            Err(err) => tracing::warn!(%err, "call history task failed"),
        }
    }
}
