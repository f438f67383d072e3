// Who is using the pages. At the PBX's own computer nobody logs in; from another computer
// on the office network (when the owner opened the admin pages to it) the server asks for
// a login, and staff see only their own pages. The session lives in an HttpOnly cookie the
// page cannot read; the page keeps only the session's CSRF token, sent with every request.

import type { Page } from "./lib/router.svelte";

export interface SessionUser {
  role: "owner" | "staff";
  /** The owner's user name, or the staff member's extension number. */
  name: string;
  /** Commands this user may run; null: all of them. */
  commands: string[] | null;
}

export interface SessionInfo {
  login_required: boolean;
  user: SessionUser | null;
  csrf_token: string | null;
}

/** Pages staff may open: their own voicemail, recordings and calls. */
export const STAFF_PAGES: ReadonlyArray<Page> = ["voicemail", "recordings", "calls"];

class Session {
  info = $state<SessionInfo>({ login_required: false, user: null, csrf_token: null });
  baseUrl = "";

  get staff(): boolean {
    return this.info.user?.role === "staff";
  }

  /** Whether the current user may open `page`. */
  mayOpen(page: Page): boolean {
    return !this.staff || STAFF_PAGES.includes(page);
  }

  /** Asks the server who this browser is. A server that cannot say needs no login. */
  async load(baseUrl: string): Promise<SessionInfo> {
    this.baseUrl = baseUrl;
    try {
      const res = await fetch(`${baseUrl}/api/auth/session`, { credentials: "same-origin" });
      if (res.ok) this.info = (await res.json()) as SessionInfo;
    } catch {
      // Unreachable: the pages say so themselves.
    }
    return this.info;
  }

  /** Logs in; on success the page reloads with the session. */
  async login(username: string, password: string): Promise<LoginResult> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ username, password }),
      });
    } catch {
      return { ok: false, locked: false, message: "Can't reach Switchboard. Check the network and try again." };
    }
    if (res.ok) {
      this.info = (await res.json()) as SessionInfo;
      return { ok: true };
    }
    let message = "The login failed.";
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = sentence(body.error.message);
    } catch {
      // keep the generic message
    }
    return { ok: false, locked: res.status === 429, message };
  }

  async logout(): Promise<void> {
    try {
      await fetch(`${this.baseUrl}/api/auth/logout`, {
        method: "POST",
        credentials: "same-origin",
        headers: this.info.csrf_token ? { "x-csrf-token": this.info.csrf_token } : {},
      });
    } finally {
      location.reload();
    }
  }
}

export type LoginResult = { ok: true } | { ok: false; locked: boolean; message: string };

function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export const session = new Session();
