//! Switchboard's desktop app: the PBX and its admin API run in this process, the window
//! shows the admin screens (ui/dist), and the tray keeps it all running when the window is
//! closed. A second launch brings the running one to the front (and hands it a clicked
//! `sip:`/`tel:`/`callto:` link to call). A call ringing on the app's phone opens a small
//! window on top. On a PC that is only a phone the PBX is not started, nor on a new install
//! until the first-run question is answered.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod backend;
mod dial_link;
mod incoming;
mod logging;
#[cfg(test)]
mod mode_switch_tests;
mod options;
mod phone_status;
mod restore;
mod status_line;
mod tray;
mod webview_env;
mod window;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use clap::Parser;
use tauri::{AppHandle, Manager, RunEvent};

use backend::Backend;
use logging::Logging;
use options::Options;

/// The running backend; `None` once quitting has begun, or when it could not start.
struct Running(Mutex<Option<Backend>>);

/// The tasks following the running backend's events (tray, incoming calls, mode changes);
/// stopped with it.
struct Followers(Mutex<Vec<tauri::async_runtime::JoinHandle<()>>>);

/// What the backend was started with, to start it again in another mode.
struct Launch {
    options: Options,
    data_dir: PathBuf,
    logging: Logging,
}

/// The API's base URL for the UI, when the backend is running (it may change when the
/// backend restarts in another mode).
struct ApiBase(Mutex<Option<String>>);

/// The UI's platform layer asks where the API is (`http://127.0.0.1:PORT`).
#[tauri::command]
fn api_base_url(state: tauri::State<'_, ApiBase>) -> Result<String, String> {
    state
        .0
        .lock()
        .ok()
        .and_then(|b| b.clone())
        .ok_or_else(|| "the phone system is not running".to_owned())
}

fn main() -> ExitCode {
    webview_env::apply();
    let options = Options::parse();
    let logging = logging::init(options.log_level.as_deref());
    match run(options, logging) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: Options, logging: Logging) -> anyhow::Result<()> {
    let data_dir = match &options.data {
        Some(dir) => dir.clone(),
        None => default_data_dir()?,
    };
    raise_open_file_limit();
    let app = tauri::Builder::default()
        // First, so that a second launch hands over to the running one before starting
        // anything of its own.
        .plugin(tauri_plugin_single_instance::init(
            |app, argv, _cwd| match dial_link::find_link(argv.get(1..).unwrap_or_default()) {
                Some(link) => dial(app, link.to_owned()),
                None => window::show(app),
            },
        ))
        .plugin(tauri_plugin_notification::init())
        // Started with the desktop session: in the tray, the window closed.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .invoke_handler(tauri::generate_handler![
            api_base_url,
            restore::damaged_database,
            restore::restore_backup,
            restore::open_data_folder
        ])
        .setup(move |app| {
            app.manage(Followers(Mutex::new(Vec::new())));
            app.manage(Launch {
                options: options.clone(),
                data_dir: data_dir.clone(),
                logging: logging.clone(),
            });
            setup(app.handle(), &options, &data_dir, logging);
            if let Some(link) = options.link.clone() {
                dial(app.handle(), link);
            }
            Ok(())
        })
        .build(tauri::tauri_build_context!())
        .context("cannot start the desktop app")?;
    app.run(|app, event| match event {
        // Closing the last window must not stop the office's phones: the window goes (and
        // its web process with it) while the PBX keeps running in the tray. Without a
        // running PBX there is nothing to keep. (An incoming-call window simply closes; the
        // call keeps ringing.)
        RunEvent::ExitRequested {
            code: None, api, ..
        } if is_running(app) => api.prevent_exit(),
        RunEvent::Exit => {
            // Quit from the tray has already stopped it; this covers any other way out.
            if let Some(backend) = take_backend(app) {
                tauri::async_runtime::block_on(backend.stop());
            }
        }
        _ => {}
    });
    Ok(())
}

/// Starts the PBX and the API, then the tray and the window; or, when the PBX cannot start,
/// a window that says why — for a damaged database, a page that offers the newest backup.
fn setup(app: &AppHandle, options: &Options, data_dir: &Path, logging: Logging) {
    app.manage(ApiBase(Mutex::new(None)));
    app.manage(Running(Mutex::new(None)));
    app.manage(restore::Damaged(Mutex::new(None)));
    match tauri::async_runtime::block_on(Backend::start(options, data_dir, logging)) {
        Ok(backend) => {
            started(app, backend);
            // Started at login: in the tray, no window (nor its web process) until opened.
            if !options.hidden {
                if let Err(e) = window::create(app, None) {
                    tracing::error!(error = %e, "cannot open the window");
                }
            }
        }
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "the phone system could not start");
            let opened = match restore::Report::of(&e) {
                // The admin screens' own page for it, with buttons that reach this process.
                Some(report) => {
                    if let Some(d) = app.try_state::<restore::Damaged>() {
                        if let Ok(mut d) = d.0.lock() {
                            *d = Some(report);
                        }
                    }
                    window::create(app, None).map(|_| ())
                }
                None => window::create_startup_error(app, &backend::explain(&e)).map(|_| ()),
            };
            if let Err(e) = opened {
                tracing::error!(error = %e, "cannot open the window");
                app.exit(1);
            }
        }
    }
}

/// The backend is running (at start, or after a restore): the tray, its events, and the
/// clean stop on a signal.
fn started(app: &AppHandle, backend: Backend) {
    // Without a tray (no AppIndicator library, whose loader panics) the window still
    // works; only the way back after closing it is missing, and a second launch
    // still brings it back.
    let tray = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tray::create(app)));
    match tray {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot create the tray icon"),
        Err(_) => tracing::warn!("cannot create the tray icon: no tray library"),
    }
    adopt(app, backend);
    tauri::async_runtime::spawn(quit_on_signal(app.clone()));
}

/// Makes `backend` the running one and starts following its events.
fn adopt(app: &AppHandle, backend: Backend) {
    let api = backend.api();
    let pbx = backend.runs_pbx();
    if let Some(base) = app.try_state::<ApiBase>() {
        if let Ok(mut b) = base.0.lock() {
            *b = Some(backend.api_base_url());
        }
    }
    if let Some(running) = app.try_state::<Running>() {
        if let Ok(mut r) = running.0.lock() {
            *r = Some(backend);
        }
    }
    use tauri::async_runtime::spawn;
    let tasks = vec![
        spawn(tray::follow(app.clone(), api.clone(), pbx)),
        spawn(incoming::follow(app.clone(), api.clone())),
        spawn(follow_mode(app.clone(), api, pbx)),
    ];
    if let Some(followers) = app.try_state::<Followers>() {
        if let Ok(mut f) = followers.0.lock() {
            f.extend(tasks);
        }
    }
}

/// Stops following the running backend's events.
fn stop_following(app: &AppHandle) {
    if let Some(followers) = app.try_state::<Followers>() {
        if let Ok(mut f) = followers.0.lock() {
            for task in f.drain(..) {
                task.abort();
            }
        }
    }
}

/// The choice between "this PC runs the phone system" and "connect to my office" (first
/// run, or Settings later) takes effect at once: the backend stops — calls ended, trunks
/// signed out, SIP ports closed — and starts again in the other mode, and the window
/// reloads. A first-run "connect to my office" needs no restart: nothing was started.
async fn follow_mode(app: AppHandle, api: api::ApiHandle, pbx: bool) {
    let mut events = api.subscribe();
    loop {
        match events.recv().await {
            Ok(api::Event::AppModeChanged { phone_only }) if phone_only == pbx => {
                tracing::info!(phone_only, "switching what this PC is for");
                // On its own task: restarting stops this one.
                tauri::async_runtime::spawn(restart(app.clone()));
                return;
            }
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
    }
}

async fn restart(app: AppHandle) {
    stop_following(&app);
    if let Some(backend) = take_backend(&app) {
        backend.stop().await;
    }
    let Some(launch) = app.try_state::<Launch>() else {
        return;
    };
    match Backend::start(&launch.options, &launch.data_dir, launch.logging.clone()).await {
        Ok(backend) => {
            adopt(&app, backend);
            window::reload(&app);
        }
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "the phone system could not start");
            if let Err(e) = window::show_startup_error(&app, &backend::explain(&e)) {
                tracing::error!(error = %e, "cannot show why");
            }
        }
    }
}

/// Calls what a clicked link names from the app's phone, and brings the window forward on
/// the Phone page, where the call shows (or why it could not be made).
fn dial(app: &AppHandle, link: String) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let api = app
            .try_state::<Running>()
            .and_then(|r| r.0.lock().ok().and_then(|b| b.as_ref().map(Backend::api)));
        let Some(api) = api else {
            window::show(&app);
            return;
        };
        let phone = api.call("get_phone", serde_json::json!({})).await.ok();
        let office = phone
            .as_ref()
            .and_then(|p| p.pointer("/account/server"))
            .and_then(serde_json::Value::as_str);
        match dial_link::number_to_dial(&link, office) {
            Some(number) => {
                let request = serde_json::json!({ "number": number });
                if let Err(e) = api.call("phone_dial", request).await {
                    tracing::warn!(%link, error = %e.message, "cannot call the clicked link");
                    notify(
                        &app,
                        "Cannot make the call",
                        &format!("{number}: {}", e.message),
                    );
                }
            }
            None => {
                tracing::warn!(%link, "the clicked link names nothing to call");
                notify(
                    &app,
                    "Nothing to call",
                    &format!("{link} is not a phone number or address."),
                );
            }
        }
        window::show_page(&app, "phone");
    });
}

pub(crate) fn notify(app: &AppHandle, title: &str, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "cannot show a notification");
    }
}

fn is_running(app: &AppHandle) -> bool {
    app.try_state::<Running>()
        .is_some_and(|r| r.0.lock().is_ok_and(|b| b.is_some()))
}

fn take_backend(app: &AppHandle) -> Option<Backend> {
    app.try_state::<Running>()
        .and_then(|r| r.0.lock().ok().and_then(|mut b| b.take()))
}

/// Stops the PBX cleanly (registrations and call records saved), then exits.
pub fn quit(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        stop_following(&app);
        if let Some(backend) = take_backend(&app) {
            backend.stop().await;
        }
        app.exit(0);
    });
}

/// Logging out of the desktop or `kill` should stop the PBX as cleanly as Quit does.
async fn quit_on_signal(app: AppHandle) {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
    quit(&app);
}

/// The same folder `switchboard serve` uses, so both see the same extensions and history.
fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "switchboard")
        .map(|d| d.data_dir().to_path_buf())
        .context("cannot find the home folder; pass --data DIR")
}

/// Each relayed call holds sockets; the default limit of 1024 open files caps the PBX at a
/// few hundred calls.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
}
