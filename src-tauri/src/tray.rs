//! The tray icon: the PBX keeps running while the window is closed, and the tray says how
//! it is doing and brings the window back.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::AppHandle;
use tokio::sync::broadcast::error::RecvError;

use crate::status_line::status_line;
use crate::window;

const OPEN: &str = "open";
const QUIT: &str = "quit";

/// Adds the tray icon with its menu (status line, Open, Quit) and keeps the status line
/// current from the PBX's events.
pub fn create(app: &AppHandle, engine: engine::EngineHandle) -> tauri::Result<()> {
    // Disabled: it is information, not an action.
    let status = MenuItem::with_id(app, "status", "Starting…", false, None::<&str>)?;
    let open = MenuItem::with_id(app, OPEN, "Open Switchboard", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit Switchboard", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &separator, &open, &quit])?;

    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("Switchboard")
        .menu(&menu)
        // Where the platform reports clicks (Windows, macOS), a left click opens the window
        // and the menu stays on the right button.
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            OPEN => window::show(app),
            QUIT => crate::quit(app),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                window::show(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;

    tauri::async_runtime::spawn(keep_status_current(status, engine));
    Ok(())
}

/// Re-reads the counts after every registration or call event. A burst of events costs a
/// few extra questions to the PBX, and a lagging receiver simply asks again.
async fn keep_status_current(item: MenuItem<tauri::Wry>, engine: engine::EngineHandle) {
    let mut events = engine.subscribe();
    loop {
        let text = match engine.status().await {
            Ok(status) => status_line(status),
            Err(engine::NotRunning) => "The phone system has stopped".to_owned(),
        };
        if let Err(e) = item.set_text(&text) {
            tracing::warn!(error = %e, "cannot update the tray's status line");
        }
        match events.recv().await {
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => {
                let _ = item.set_text("The phone system has stopped");
                return;
            }
        }
    }
}
