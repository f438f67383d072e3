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
