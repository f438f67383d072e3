// Pages live in the URL's hash (#/calls), which works the same when the binary serves the
// UI and when the desktop window loads it from disk.

export type Page =
  | "extensions"
  | "calls"
  | "phone"
  | "voicemail"
  | "recordings"
  | "trunks"
  | "names"
  | "groups"
  | "conferences"
  | "hours"
  | "routes"
  | "features"
  | "settings"
  | "setup"
  | "incoming";

export const PAGES: ReadonlyArray<{ id: Page; title: string; nav: boolean }> = [
  { id: "extensions", title: "Extensions", nav: true },
  { id: "calls", title: "Calls", nav: true },
  { id: "phone", title: "Phone", nav: true },
  { id: "voicemail", title: "Voicemail", nav: true },
  { id: "recordings", title: "Recordings", nav: true },
  { id: "trunks", title: "Trunks", nav: true },
  { id: "names", title: "Business names", nav: true },
  { id: "groups", title: "Ring groups", nav: true },
  { id: "conferences", title: "Conference rooms", nav: true },
  { id: "hours", title: "Business hours", nav: true },
  { id: "routes", title: "Outbound routes", nav: true },
  { id: "features", title: "Feature codes", nav: true },
  { id: "settings", title: "Settings", nav: true },
  { id: "setup", title: "Setup", nav: false },
  { id: "incoming", title: "Incoming call", nav: false },
];

export function parseHash(hash: string): Page {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return PAGES.find((p) => p.id === id)?.id ?? "extensions";
}

/** Whether the address names no page at all (the first visit), so setup may take over. */
export function isBareHash(hash: string): boolean {
  return hash.replace(/^#\/?/, "") === "";
}

export function go(page: Page): void {
  if (typeof location !== "undefined") location.hash = `#/${page}`;
}

class Router {
  page = $state<Page>(typeof location === "undefined" ? "extensions" : parseHash(location.hash));

  constructor() {
    if (typeof window !== "undefined") {
      window.addEventListener("hashchange", () => {
        this.page = parseHash(location.hash);
      });
    }
  }
}

export const router = new Router();
