// The only module that knows whether the page runs in a browser or in the desktop window.
// Everything else asks here for what differs: where the API is, copying text.

interface TauriInternals {
  invoke<T>(cmd: string, args?: Record<string, unknown>, options?: unknown): Promise<T>;
}

declare global {
  interface Window {
    __TAURI_INTERNALS__?: TauriInternals;
  }
}

export type PlatformKind = "desktop" | "browser";

function tauri(): TauriInternals | undefined {
  return typeof window === "undefined" ? undefined : window.__TAURI_INTERNALS__;
}

export function platformKind(): PlatformKind {
  return tauri() ? "desktop" : "browser";
}

/**
 * Where the API lives. In a browser the page is served by the API itself, so it is the
 * page's own origin; the desktop window loads the UI from disk and asks the backend.
 */
export async function apiBaseUrl(): Promise<string> {
  const t = tauri();
  if (t) return await t.invoke<string>("api_base_url");
  return window.location.origin;
}

/** Copies `text` to the clipboard; false when the platform refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection-based copy
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/**
 * Shows a notification outside the page (an incoming call while another window is in
 * front). The desktop window uses Tauri's notification plugin when the app has it; both
 * fall back to the web's Notification, asking for permission the first time. False when
 * nothing could be shown (no permission, no support).
 */
export async function notify(title: string, body: string): Promise<boolean> {
  const t = tauri();
  if (t) {
    try {
      await t.invoke("plugin:notification|notify", { options: { title, body } });
      return true;
    } catch {
      // the plugin is not there: try the web API below
    }
  }
  if (typeof window === "undefined" || !("Notification" in window)) return false;
  try {
    let permission = Notification.permission;
    if (permission === "default") permission = await Notification.requestPermission();
    if (permission !== "granted") return false;
    new Notification(title, { body, tag: "switchboard-call" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starting at login (the desktop app's autostart plugin): whether it is on now, or null
 * where the app cannot start itself (in a browser, or the plugin refused).
 */
export async function startsAtLogin(): Promise<boolean | null> {
  const t = tauri();
  if (!t) return null;
  try {
    return await t.invoke<boolean>("plugin:autostart|is_enabled");
  } catch {
    return null;
  }
}

/** Turns starting at login on or off; answers the state afterwards, as the system has it. */
export async function setStartsAtLogin(on: boolean): Promise<boolean | null> {
  const t = tauri();
  if (!t) return null;
  await t.invoke(on ? "plugin:autostart|enable" : "plugin:autostart|disable");
  return await startsAtLogin();
}

/** The newest backup offered when the database is damaged. */
export interface OfferedBackup {
  name: string;
  /** Unix seconds. */
  created_at: number;
  size_bytes: number;
}

/** The desktop app found its database damaged at start and runs nothing until it is dealt with. */
export interface DamagedDatabase {
  file: string;
  detail: string;
  explanation: string;
  data_dir: string;
  backups_dir: string;
  backup: OfferedBackup | null;
}

/** The damaged database the desktop app could not start with; null in a browser or when all is well. */
export async function damagedDatabase(): Promise<DamagedDatabase | null> {
  const t = tauri();
  if (!t) return null;
  try {
    return await t.invoke<DamagedDatabase | null>("damaged_database");
  } catch {
    // An app without the command: nothing to offer.
    return null;
  }
}

/** Puts the offered backup back and starts the phone system (the window then reloads). */
export async function restoreBackup(name: string): Promise<void> {
  const t = tauri();
  if (!t) throw new Error("only the desktop app restores from this page");
  await t.invoke<void>("restore_backup", { name });
}

/** Opens the data folder in the system's file manager. */
export async function openDataFolder(): Promise<void> {
  const t = tauri();
  if (!t) throw new Error("only the desktop app opens folders");
  await t.invoke<void>("open_data_folder");
}
