//! Switchboard's desktop app: the PBX and its admin API run in this process, the window
//! shows the admin screens (ui/dist), and the tray keeps it all running when the window is
//! closed. A second launch brings the running one to the front.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod backend;
mod logging;
mod options;
mod status_line;
mod tray;
mod window;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use clap::Parser;
use tauri::{AppHandle, Manager, RunEvent, WindowEvent};

use backend::Backend;
use logging::Logging;
use options::Options;

/// The running PBX; `None` once quitting has begun, or when it could not start.
struct Running(Mutex<Option<Backend>>);

/// The API's base URL for the UI, when the PBX is running.
struct ApiBase(Option<String>);

/// The UI's platform layer asks where the API is (`http://127.0.0.1:PORT`).
#[tauri::command]
fn api_base_url(state: tauri::State<'_, ApiBase>) -> Result<String, String> {
    state
        .0
        .clone()
        .ok_or_else(|| "the phone system is not running".to_owned())
}

fn main() -> ExitCode {
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
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            window::show(app);
        }))
        .invoke_handler(tauri::generate_handler![api_base_url])
        .setup(move |app| {
            setup(app.handle(), &options, &data_dir, logging.clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                // Closing the window must not stop the office's phones: hide it and keep
                // running in the tray. Without a running PBX there is nothing to keep.
                if is_running(window.app_handle()) {
                    api.prevent_close();
                    if let Err(e) = window.hide() {
                        tracing::warn!(error = %e, "cannot hide the window");
                    }
                }
            }
        })
        .build(tauri::tauri_build_context!())
        .context("cannot start the desktop app")?;
    app.run(|app, event| match event {
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
/// a window that says why.
fn setup(app: &AppHandle, options: &Options, data_dir: &Path, logging: Logging) {
    match tauri::async_runtime::block_on(Backend::start(options, data_dir, logging)) {
        Ok(backend) => {
            app.manage(ApiBase(Some(backend.api_base_url())));
            let engine = backend.engine();
            app.manage(Running(Mutex::new(Some(backend))));
            // Without a tray (no AppIndicator library, whose loader panics) the window still
            // works; only the way back after closing it is missing, and a second launch
            // still brings it back.
            let tray = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tray::create(app, engine)
            }));
            match tray {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "cannot create the tray icon"),
                Err(_) => tracing::warn!("cannot create the tray icon: no tray library"),
            }
            if let Err(e) = window::create(app, !options.hidden) {
                tracing::error!(error = %e, "cannot open the window");
            }
            tauri::async_runtime::spawn(quit_on_signal(app.clone()));
        }
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "the phone system could not start");
            app.manage(ApiBase(None));
            app.manage(Running(Mutex::new(None)));
            if let Err(e) = window::create_startup_error(app, &backend::explain(&e)) {
                tracing::error!(error = %e, "cannot open the window");
                app.exit(1);
            }
        }
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
