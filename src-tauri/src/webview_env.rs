//! How the window's WebKitGTK is set up before GTK starts, to keep the app light.
//!
//! The window is forms and lists. WebKitGTK's accelerated compositing (a GL context and its
//! layer tree in the web process) and its DMA-BUF renderer buy nothing for it and cost about
//! 85 MB resident in the web process (268 → 184 MB under Xvfb; BENCHMARKS.md, desktop app
//! memory), so both are off unless the environment says otherwise.
//!
//! With compositing off nothing in this process draws with GL either: the web process paints
//! into shared memory and GTK copies it to the window with cairo. Yet GTK probes GLX for its
//! visuals when it opens the display, and WebKit opens an EGL display here when it starts
//! the web process; either loads the system's Mesa driver, which loads LLVM: 48 MB resident
//! for nothing. `GDK_GL=disable` stops GTK's probe. For EGL, libglvnd reads its list of
//! drivers once per process, from `__EGL_VENDOR_LIBRARY_FILENAMES` when that is set: this
//! process reads an empty list once, then the variable is put back, so the web process,
//! which does need EGL, still finds its driver.
//!
//! Only on X11: under Wayland GTK draws through EGL and nothing here has been measured.
//! A value already set in the environment always wins.

use std::ffi::{c_void, OsString};

/// What to do with the environment, decided from what it holds now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Plan {
    /// Variables to set, each only because it is not set yet.
    pub set: Vec<(&'static str, &'static str)>,
    /// Whether this process should read an empty list of EGL drivers.
    pub egl_free: bool,
}

/// `get` reads one variable of the environment (a parameter so tests need not touch it).
pub(crate) fn plan(get: impl Fn(&str) -> Option<OsString>) -> Plan {
    let mut plan = Plan::default();
    for (key, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    ] {
        if get(key).is_none() {
            plan.set.push((key, value));
        }
    }
    // WebKit reads "0" as "not disabled": with compositing on, this process draws with GL.
    let compositing_off = get("WEBKIT_DISABLE_COMPOSITING_MODE").is_none_or(|v| v != "0");
    let wayland = get("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
        && get("GDK_BACKEND").is_none_or(|v| v != "x11");
    if compositing_off && !wayland {
        if get("GDK_GL").is_none() {
            plan.set.push(("GDK_GL", "disable"));
        }
        plan.egl_free = get(EGL_VENDOR_FILES).is_none();
    }
    plan
}

const EGL_VENDOR_FILES: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";

/// Applies the plan to this process. Must run first thing in `main`, before any thread
/// exists (setting the environment races with threads reading it).
pub(crate) fn apply() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let plan = plan(|key| std::env::var_os(key));
    for (key, value) in &plan.set {
        std::env::set_var(key, value);
    }
    if plan.egl_free {
        std::env::set_var(EGL_VENDOR_FILES, "/dev/null");
        let outcome = read_egl_vendors_now();
        std::env::remove_var(EGL_VENDOR_FILES);
        if let Err(e) = outcome {
            // No libglvnd (or no EGL at all): nothing changes, the app works as before.
            eprintln!("note: EGL left as it is: {e}");
        }
    }
}

/// `eglGetDisplay(EGL_DEFAULT_DISPLAY)` (EGL 1.4 §3.2): the first EGL call makes libglvnd
/// read its list of drivers; with none listed it answers EGL_NO_DISPLAY and loads nothing.
fn read_egl_vendors_now() -> Result<(), libloading::Error> {
    type GetDisplay = unsafe extern "C" fn(*mut c_void) -> *mut c_void;
    // SAFETY: libEGL.so.1 is the system's EGL loader (libglvnd or Mesa); loading it runs
    // only its own initialisers. `eglGetDisplay` has this C signature in every EGL version
    // (EGLNativeDisplayType is a pointer on Linux), and EGL_DEFAULT_DISPLAY is a null
    // pointer; the display it returns is not used. Called before any other thread exists.
    unsafe {
        let egl = libloading::Library::new("libEGL.so.1")?;
        let get_display: libloading::Symbol<GetDisplay> = egl.get(b"eglGetDisplay\0")?;
        get_display(std::ptr::null_mut());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn plan_for(vars: &[(&str, &str)]) -> Plan {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        plan(|key| vars.get(key).cloned())
    }

    #[test]
    fn a_plain_x11_session_turns_compositing_and_gl_off() {
        let plan = plan_for(&[("DISPLAY", ":0")]);
        assert_eq!(
            plan.set,
            vec![
                ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
                ("GDK_GL", "disable"),
            ]
        );
        assert!(plan.egl_free);
    }

    #[test]
    fn compositing_turned_back_on_keeps_gl_in_this_process() {
        let plan = plan_for(&[("WEBKIT_DISABLE_COMPOSITING_MODE", "0")]);
        assert_eq!(plan.set, vec![("WEBKIT_DISABLE_DMABUF_RENDERER", "1")]);
        assert!(!plan.egl_free);
    }

    #[test]
    fn a_wayland_session_keeps_gl() {
        let plan = plan_for(&[("WAYLAND_DISPLAY", "wayland-0")]);
        assert!(!plan.egl_free);
        assert!(!plan.set.iter().any(|(k, _)| *k == "GDK_GL"));
        let forced_x11 = plan_for(&[("WAYLAND_DISPLAY", "wayland-0"), ("GDK_BACKEND", "x11")]);
        assert!(forced_x11.egl_free);
    }

    #[test]
    fn values_already_set_win() {
        let plan = plan_for(&[
            ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
            ("GDK_GL", "always"),
            (
                EGL_VENDOR_FILES,
                "/usr/share/glvnd/egl_vendor.d/50_mesa.json",
            ),
        ]);
        assert_eq!(plan.set, vec![("WEBKIT_DISABLE_DMABUF_RENDERER", "1")]);
        assert!(!plan.egl_free);
    }
}
