//! The incoming-call window: a small window on top of everything, one per ringing call,
//! showing the UI's `#/incoming?call=N` page (caller, business name, Answer and Decline).
//! It opens even when the main window is closed, and closes by itself once the call is
//! answered, declined or given up by the caller. The desktop notification is raised here
//! too, not by the main window's page, which may be closed.

use std::collections::HashSet;

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};
use tokio::sync::broadcast::error::RecvError;

use crate::window;

const PREFIX: &str = "incoming-";

/// The window's label for call `call` (the capabilities grant `incoming-*` the UI's rights).
fn label(call: u64) -> String {
    format!("{PREFIX}{call}")
}

/// Follows the phone's events until the backend stops.
pub async fn follow(app: AppHandle, api: api::ApiHandle) {
    let mut events = api.subscribe();
    // Calls whose window was opened, to bring the main window forward once one is answered.
    let mut shown: HashSet<u64> = HashSet::new();
    loop {
        match events.recv().await {
            Ok(api::Event::PhoneIncoming { call, name, number }) => {
                crate::notify(
                    &app,
                    "Incoming call",
                    &caller_words(name.as_deref(), &number),
                );
                if let Err(e) = open(&app, call) {
                    tracing::warn!(error = %e, call, "cannot open the incoming-call window");
                } else {
                    shown.insert(call);
                }
            }
            Ok(api::Event::PhoneChanged {}) | Err(RecvError::Lagged(_)) => {
                sync(&app, &api, &mut shown).await;
            }
            Ok(_) => {}
            Err(RecvError::Closed) => return,
        }
    }
}

/// The caller as the UI words it: "Jane Doe (201)", or the number alone.
fn caller_words(name: Option<&str>, number: &str) -> String {
    match name {
        Some(name) if !name.is_empty() => format!("{name} ({number})"),
        _ => number.to_owned(),
    }
}

fn open(app: &AppHandle, call: u64) -> tauri::Result<()> {
    let label = label(call);
    if let Some(w) = app.get_webview_window(&label) {
        return w.set_focus();
    }
    let url = WebviewUrl::App(format!("index.html#/incoming?call={call}").into());
    WebviewWindowBuilder::new(app, label, url)
        .title("Incoming call · Switchboard")
        .inner_size(380.0, 240.0)
        .min_inner_size(300.0, 200.0)
        .resizable(false)
        .always_on_top(true)
        .skip_taskbar(false)
        .focused(true)
        .center()
        .build()?;
    Ok(())
}

/// Closes the windows of calls that no longer ring; a call answered from its window brings
/// the main window forward on the Phone page, where the call's controls are.
async fn sync(app: &AppHandle, api: &api::ApiHandle, shown: &mut HashSet<u64>) {
    let Ok(state) = api.call("get_phone", serde_json::json!({})).await else {
        return;
    };
    let calls = state
        .get("calls")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let state_of = |id: u64| {
        calls
            .iter()
            .find(|c| c.get("id").and_then(serde_json::Value::as_u64) == Some(id))
            .and_then(|c| c.get("state").and_then(serde_json::Value::as_str))
            .map(str::to_owned)
    };
    let open_calls: Vec<u64> = app
        .webview_windows()
        .keys()
        .filter_map(|l| l.strip_prefix(PREFIX)?.parse().ok())
        .collect();
    for call in open_calls.into_iter().chain(shown.clone()) {
        let state = state_of(call);
        if state.as_deref() == Some("ringing") {
            continue;
        }
        if let Some(w) = app.get_webview_window(&label(call)) {
            // Not `close`: that asks first, and the main window's rule would hide it.
            if let Err(e) = w.destroy() {
                tracing::warn!(error = %e, call, "cannot close the incoming-call window");
            }
        }
        if shown.remove(&call) && matches!(state.as_deref(), Some("talking" | "held")) {
            window::show_page(app, "phone");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::caller_words;

    #[test]
    fn the_notification_names_the_caller_as_the_page_does() {
        assert_eq!(
            caller_words(Some("[Sales] Jane Doe"), "201"),
            "[Sales] Jane Doe (201)"
        );
        assert_eq!(caller_words(None, "+15550100"), "+15550100");
        assert_eq!(caller_words(Some(""), "202"), "202");
    }
}
