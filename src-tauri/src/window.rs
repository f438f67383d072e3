//! The main window: created once, hidden instead of closed, shown again from the tray or by
//! a second launch.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// The label the capabilities (capabilities/default.json) grant permissions to.
pub const MAIN: &str = "main";

/// Opens the admin screens (ui/dist, embedded in the binary). `visible` is false when the
/// app starts in the tray.
pub fn create(app: &AppHandle, visible: bool) -> tauri::Result<WebviewWindow> {
    builder(app, WebviewUrl::App("index.html".into()))
        .visible(visible)
        .build()
}

/// Brings the window to the front, whether it was hidden, minimised or behind others.
pub fn show(app: &AppHandle) {
    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    for result in [window.unminimize(), window.show(), window.set_focus()] {
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot bring the window to the front");
        }
    }
}

/// Brings the window to the front on one of the UI's pages (`phone`).
pub fn show_page(app: &AppHandle, page: &str) {
    show(app);
    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    // Only the app's own page names get here, never outside text.
    let script = format!("location.hash = '#/{page}'");
    if let Err(e) = window.eval(&script) {
        tracing::warn!(error = %e, "cannot open the page in the window");
    }
}

/// Reloads the window's pages, e.g. after the backend restarted in another mode.
pub fn reload(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        if let Err(e) = window.eval("location.reload()") {
            tracing::warn!(error = %e, "cannot reload the window");
        }
    }
}

/// When the PBX could not start there are no admin screens to show: a plain page says what
/// happened and what to do, and closing it quits.
pub fn create_startup_error(app: &AppHandle, message: &str) -> tauri::Result<WebviewWindow> {
    builder(app, WebviewUrl::External(startup_error_url(message)?)).build()
}

/// The startup-error page in the open window (after a restart in another mode failed).
pub fn show_startup_error(app: &AppHandle, message: &str) -> tauri::Result<()> {
    match app.get_webview_window(MAIN) {
        Some(window) => {
            window.navigate(startup_error_url(message)?)?;
            show(app);
            Ok(())
        }
        None => create_startup_error(app, message).map(|_| ()),
    }
}

fn startup_error_url(message: &str) -> tauri::Result<tauri::Url> {
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Switchboard</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:36rem;padding:0 1rem}}</style>\
         <h1>Switchboard could not start</h1><p>{}</p></html>",
        escape_html(message)
    );
    let url = format!("data:text/html;charset=utf-8,{}", percent_encode(&page));
    url.parse().map_err(tauri::Error::InvalidUrl)
}

fn builder<'a>(
    app: &'a AppHandle,
    url: WebviewUrl,
) -> WebviewWindowBuilder<'a, tauri::Wry, AppHandle> {
    WebviewWindowBuilder::new(app, MAIN, url)
        .title("Switchboard")
        .inner_size(1100.0, 760.0)
        // The UI's narrowest layout (a phone screen is 360 px wide).
        .min_inner_size(360.0, 480.0)
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Everything but unreserved characters as %XX, which a data: URL always accepts.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_cannot_inject_markup() {
        assert_eq!(
            escape_html("<b>\"x\" & y</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
        );
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("a b/é#"), "a%20b%2F%C3%A9%23");
    }
}
