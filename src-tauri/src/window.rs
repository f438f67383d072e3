//! The main window: opened when asked for (at start, from the tray, by a second launch, for
//! a call) and closed for real when its close button is pressed, while the PBX keeps running
//! in the tray. A closed window costs nothing: WebKit ends the window's web process with it
//! (about 120 MB; BENCHMARKS.md, desktop app memory), and an app started at login with
//! `--hidden` never starts one until the window is opened.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// The label the capabilities (capabilities/default.json) grant permissions to.
pub const MAIN: &str = "main";

/// Opens the admin screens (ui/dist, embedded in the binary), on `page` when given.
pub fn create(app: &AppHandle, page: Option<&str>) -> tauri::Result<WebviewWindow> {
    let path = match page {
        // Only the app's own page names get here, never outside text.
        Some(page) => format!("index.html#/{page}"),
        None => "index.html".to_owned(),
    };
    builder(app, WebviewUrl::App(path.into())).build()
}

/// Brings the window to the front, whether it was closed, minimised or behind others.
pub fn show(app: &AppHandle) {
    bring_forward(app, None);
}

/// Brings the window to the front on one of the UI's pages (`phone`).
pub fn show_page(app: &AppHandle, page: &str) {
    bring_forward(app, Some(page));
}

fn bring_forward(app: &AppHandle, page: Option<&str>) {
    let Some(window) = app.get_webview_window(MAIN) else {
        if let Err(e) = create(app, page) {
            tracing::error!(error = %e, "cannot open the window");
        }
        return;
    };
    for result in [window.unminimize(), window.show(), window.set_focus()] {
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot bring the window to the front");
        }
    }
    if let Some(page) = page {
        // Only the app's own page names get here, never outside text.
        let script = format!("location.hash = '#/{page}'");
        if let Err(e) = window.eval(&script) {
            tracing::warn!(error = %e, "cannot open the page in the window");
        }
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
            let url = startup_error_url(message)?;
            window.navigate(url.clone())?;
            show(app);
            // The page that asked for the restart may still be changing its own location
            // (the first-run page moves to #/setup as it asks), which cancels a navigation
            // still pending: look again, and go to the error page until it shows.
            tauri::async_runtime::spawn(async move {
                for _ in 0..5 {
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    match window.url() {
                        Ok(shown) if shown.scheme() == "data" => return,
                        Ok(_) => {
                            if let Err(e) = window.navigate(url.clone()) {
                                tracing::warn!(error = %e, "cannot show why the phone system stopped");
                            }
                        }
                        Err(_) => return, // the window is gone
                    }
                }
            });
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
