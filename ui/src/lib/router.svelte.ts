// Pages live in the URL's hash (#/calls), which works the same when the binary serves the
// UI and when the desktop window loads it from disk.

export type Page = "extensions" | "calls" | "settings";
export const PAGES: ReadonlyArray<{ id: Page; title: string }> = [
  { id: "extensions", title: "Extensions" },
  { id: "calls", title: "Calls" },
  { id: "settings", title: "Settings" },
];

export function parseHash(hash: string): Page {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return PAGES.find((p) => p.id === id)?.id ?? "extensions";
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
