//! The tray icon: the PBX keeps running while the window is closed, and the tray says how
//! it and this PC's phone are doing (menu lines, tooltip, a coloured dot on the icon) and
//! brings the window back.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Wry};
use tokio::sync::broadcast::error::RecvError;

use crate::phone_status::{Badge, PhoneStatus};
use crate::status_line::status_line;
use crate::window;

const ID: &str = "main";
const OPEN: &str = "open";
const QUIT: &str = "quit";

/// Adds the tray icon with its menu; [`follow`] keeps it current.
pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let menu = menu(app, &["Starting…".to_owned()])?;
    let mut tray = TrayIconBuilder::with_id(ID)
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
    Ok(())
}

/// The menu: status lines (information, not actions, so disabled), then Open and Quit.
fn menu(app: &AppHandle, lines: &[String]) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    for (i, line) in lines.iter().enumerate() {
        menu.append(&MenuItem::with_id(
            app,
            format!("status-{i}"),
            line,
            false,
            None::<&str>,
        )?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        OPEN,
        "Open Switchboard",
        true,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(
        app,
        QUIT,
        "Quit Switchboard",
        true,
        None::<&str>,
    )?)?;
    Ok(menu)
}

/// Keeps the tray current from the API's events until the backend stops: the PBX's counts
/// (when it runs here) and the phone's state are re-read after every event. A burst of
/// events costs a few extra questions, and a lagging receiver simply asks again.
pub async fn follow(app: AppHandle, api: api::ApiHandle, pbx: bool) {
    let mut events = api.subscribe();
    loop {
        let pbx_line = if pbx {
            Some(pbx_line(&api).await)
        } else {
            None
        };
        let phone = match api.call("get_phone", serde_json::json!({})).await {
            Ok(v) => PhoneStatus::from_json(&v),
            Err(_) => PhoneStatus::default(),
        };
        show(&app, pbx_line.as_deref(), &phone);
        match events.recv().await {
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
    }
}

async fn pbx_line(api: &api::ApiHandle) -> String {
    let status = api.call("status", serde_json::json!({})).await;
    let count = |v: &serde_json::Value, key: &str| {
        v.get(key)
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
    };
    match status {
        Ok(v) if v.get("running").and_then(serde_json::Value::as_bool) == Some(true) => {
            status_line(engine::Status {
                registered_phones: count(&v, "registered_phones"),
                live_calls: count(&v, "live_calls"),
            })
        }
        _ => "The phone system has stopped".to_owned(),
    }
}

fn show(app: &AppHandle, pbx_line: Option<&str>, phone: &PhoneStatus) {
    let Some(tray) = app.tray_by_id(ID) else {
        return;
    };
    let mut lines: Vec<String> = pbx_line.map(str::to_owned).into_iter().collect();
    lines.push(phone.line());
    lines.extend(phone.missed_line());
    let result = menu(app, &lines)
        .and_then(|m| tray.set_menu(Some(m)))
        .and_then(|()| tray.set_tooltip(Some(phone.tooltip(pbx_line))))
        .and_then(|()| tray.set_icon(icon(app, phone.badge())));
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot update the tray");
    }
}

/// The app's icon with a dot in the lower right corner: green ready, amber attention
/// (connecting, do-not-disturb, missed calls), red failing; no dot when there is no phone.
fn icon(app: &AppHandle, badge: Badge) -> Option<Image<'static>> {
    let base = app.default_window_icon()?;
    let (w, h) = (base.width(), base.height());
    let mut rgba = base.rgba().to_vec();
    let colour = match badge {
        Badge::None => return Some(Image::new_owned(rgba, w, h)),
        Badge::Ok => [0x1f, 0x9d, 0x55],
        Badge::Attention => [0xe0, 0x8a, 0x00],
        Badge::Failing => [0xd1, 0x24, 0x2f],
    };
    paint_dot(&mut rgba, w, h, colour);
    Some(Image::new_owned(rgba, w, h))
}

/// A filled circle two fifths of the icon's size with a white rim, in its corner.
fn paint_dot(rgba: &mut [u8], w: u32, h: u32, colour: [u8; 3]) {
    let r = f64::from(w.min(h)) / 5.0;
    let (cx, cy) = (f64::from(w) - r - 1.0, f64::from(h) - r - 1.0);
    for y in 0..h {
        for x in 0..w {
            let d = ((f64::from(x) + 0.5 - cx).powi(2) + (f64::from(y) + 0.5 - cy).powi(2)).sqrt();
            let px = if d <= r - 1.0 {
                [colour[0], colour[1], colour[2], 255]
            } else if d <= r {
                [255, 255, 255, 255]
            } else {
                continue;
            };
            let i = ((y * w + x) * 4) as usize;
            if let Some(slot) = rgba.get_mut(i..i + 4) {
                slot.copy_from_slice(&px);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dot_sits_in_the_lower_right_corner() {
        let (w, h) = (12, 12);
        let mut rgba = vec![0u8; (w * h * 4) as usize];
        paint_dot(&mut rgba, w, h, [1, 2, 3]);
        let at = |x: u32, y: u32| rgba[((y * w + x) * 4) as usize..][..4].to_vec();
        assert_eq!(at(0, 0), vec![0, 0, 0, 0], "the top left is untouched");
        assert_eq!(
            at(8, 8),
            vec![1, 2, 3, 255],
            "the dot's centre has its colour"
        );
    }
}
