// What every page shares: the API client, the connection, the PBX status, the extensions
// with their phones, and the live calls, kept current by pushed events. Lists are re-read
// in full whenever the socket (re)opens, because events may have been missed meanwhile.

import type { ApiClient, ConnectionState } from "./api/client";
import type { Event, Extension, Mailbox, StatusResponse, TrunkState } from "./api/types";
import { listTrunks, setupComplete, type TrunkEntry } from "./api/plan";
import { recordings } from "./recordingstate.svelte";
import { readStatus, trunkSummary } from "./lib/trunks";
import { phoneEvent } from "./lib/phone";
import {
  announce,
  mergeCallSnapshot,
  normalizeEvent,
  pruneEnded,
  reduceCalls,
  reduceExtensions,
  type CallView,
} from "./lib/live";

/** How long an ended call stays on the Calls page so people see it end. */
const ENDED_VISIBLE_S = 4;
/** How long the status may take before the bar says Switchboard cannot be reached. */
const STATUS_TIMEOUT_MS = 3000;
/** While live updates are down, how often to re-check whether Switchboard answers. */
const OFFLINE_CHECK_MS = 5000;
/** When to re-read the history a second time after a call ends. */
const HISTORY_RECHECK_MS = 2000;

function nowUnix(): number {
  return Math.floor(Date.now() / 1000);
}

class AppState {
  connection = $state<ConnectionState>("connecting");
  status = $state<StatusResponse | null>(null);
  extensions = $state<Extension[]>([]);
  extensionsLoaded = $state(false);
  calls = $state<CallView[]>([]);
  callsLoaded = $state(false);
  /** Set when the API could not be reached at all. */
  unreachable = $state<string | null>(null);
  /** Latest sentence for screen readers about live call changes. */
  callAnnouncement = $state("");
  /** Bumped whenever a call ends, so the history re-reads. */
  historyVersion = $state(0);
  /** Trunks with their live state (registration, lines busy). */
  trunks = $state<TrunkEntry[]>([]);
  trunksLoaded = $state(false);
  /** Whether the setup wizard has been finished; null until known. */
  setupDone = $state<boolean | null>(null);
  /** Every mailbox with its message counts (for the new-voicemail count and Extensions). */
  mailboxes = $state<Mailbox[]>([]);
  mailboxesLoaded = $state(false);
  /** Unix seconds, ticking once a second for call clocks. */
  now = $state(nowUnix());

  #client: ApiClient | null = null;
  #planListeners = new Set<(what: string) => void>();
  #voicemailListeners = new Set<(mailbox: string) => void>();
  #refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Ids of calls that ended (most recent last), so a late snapshot cannot revive them. */
  #gone = new Set<string>();

  get client(): ApiClient {
    if (!this.#client) throw new Error("API client not started");
    return this.#client;
  }

  /** The name of the extension with this number, to name both ends of a call. */
  nameOf(number: string): string | null {
    return this.extensions.find((x) => x.number === number)?.name ?? null;
  }

  /** Calls that are ringing or answered (not the ones just ended). */
  get activeCalls(): CallView[] {
    return this.calls.filter((c) => c.ended_at === null);
  }

  /** Calls `fn` with the list's name (`business_names`, `ring_groups`, …) whenever one is saved. */
  onPlanChanged(fn: (what: string) => void): () => void {
    this.#planListeners.add(fn);
    return () => this.#planListeners.delete(fn);
  }

  /**
   * Calls `fn` with the mailbox's number whenever a message arrives or a mailbox changes,
   * and with "" after a reconnect or missed events (any mailbox may have changed).
   */
  onVoicemailChanged(fn: (mailbox: string) => void): () => void {
    this.#voicemailListeners.add(fn);
    return () => this.#voicemailListeners.delete(fn);
  }

  start(client: ApiClient): void {
    this.#client = client;
    client.onEvent((raw) => this.#onEvent(raw));
    let wasOpen = false;
    client.onState((s) => {
      this.connection = s;
      if (s === "open" && !wasOpen) void this.resync();
      // The socket dropped: find out at once whether Switchboard itself is gone.
      if (s === "reconnecting" && wasOpen) void this.refreshStatus();
      wasOpen = s === "open";
    });
    client.connect();
    // The first read goes over HTTP at once, without waiting for the socket.
    void this.resync();
    setInterval(() => {
      this.now = nowUnix();
      this.calls = pruneEnded(this.calls, this.now, ENDED_VISIBLE_S);
    }, 1000);
    setInterval(() => {
      if (this.connection !== "open") void this.refreshStatus();
    }, OFFLINE_CHECK_MS);
  }

  /** Re-reads status, extensions and live calls. */
  async resync(): Promise<void> {
    await Promise.all([this.refreshStatus(), this.refreshExtensions(), this.refreshCalls(), this.refreshTrunks(), this.refreshMailboxes()]);
    this.#voicemailChanged("");
  }

  async refreshTrunks(): Promise<void> {
    try {
      this.trunks = await listTrunks(this.client);
      this.trunksLoaded = true;
      for (const t of this.trunks) if (t.state) this.#announceTrunk(t.state);
    } catch {
      // as for extensions
    }
  }

  async refreshMailboxes(): Promise<void> {
    try {
      this.mailboxes = (await this.client.call("list_mailboxes", {})).mailboxes;
      this.mailboxesLoaded = true;
    } catch {
      // as for extensions
    }
  }

  async refreshSetup(): Promise<boolean | null> {
    try {
      this.setupDone = await setupComplete(this.client);
    } catch {
      // Unknown: the pages show as usual.
    }
    return this.setupDone;
  }

  async refreshStatus(): Promise<void> {
    try {
      // Short: a server that is shutting down may accept and never answer.
      this.status = await this.client.call("status", {}, { timeoutMs: STATUS_TIMEOUT_MS });
      this.unreachable = null;
    } catch (err) {
      this.unreachable = err instanceof Error ? err.message : String(err);
    }
  }

  async refreshExtensions(): Promise<void> {
    try {
      const res = await this.client.call("list_extensions", {});
      this.extensions = res.extensions;
      this.extensionsLoaded = true;
    } catch {
      // The status bar reports an unreachable API; keep what is shown.
    }
  }

  async refreshCalls(): Promise<void> {
    try {
      const res = await this.client.call("list_live_calls", {});
      this.calls = mergeCallSnapshot(this.calls, res.calls, this.#gone);
      this.callsLoaded = true;
    } catch {
      // as above
    }
  }

  /** Runs `fn` once after events settle (several events in a burst give one re-read). */
  #later(key: string, fn: () => Promise<void>, ms = 250): void {
    const t = this.#refreshTimers.get(key);
    if (t) clearTimeout(t);
    this.#refreshTimers.set(
      key,
      setTimeout(() => {
        this.#refreshTimers.delete(key);
        void fn();
      }, ms),
    );
  }

  /** Last settled connection of each trunk: connected, not connected or switched off. */
  #trunkCategory = new Map<number, string>();

  /**
   * Says aloud when a trunk becomes connected or stops being connected; not line counts,
   * retries or the brief re-registrations in between.
   */
  #announceTrunk(st: TrunkState): void {
    const kind = readStatus(st.status).kind;
    const category =
      kind === "registered" || kind === "ip"
        ? "connected"
        : kind === "failing" || kind === "rejected"
          ? "down"
          : kind === "disabled"
            ? "off"
            : null;
    if (category === null) return;
    const before = this.#trunkCategory.get(st.id);
    this.#trunkCategory.set(st.id, category);
    if (before !== undefined && before !== category) {
      this.callAnnouncement = trunkSummary(st.name, st.status, st.lines_in_use, st.channels).text;
    }
  }

  #voicemailChanged(mailbox: string): void {
    for (const fn of [...this.#voicemailListeners]) {
      try {
        fn(mailbox);
      } catch (err) {
        console.error("voicemail listener failed", err);
      }
    }
  }

  #onEvent(raw: Event): void {
    if (raw && typeof raw === "object" && raw.type === "voicemail_changed") {
      this.#later("mailboxes", () => this.refreshMailboxes());
      this.#voicemailChanged(raw.mailbox);
      return;
    }
    if (recordings.handle(raw, this.client)) return;
    // The phone's own store re-reads the phone; nothing here changes.
    if (phoneEvent(raw) !== null) return;
    const ev = normalizeEvent(raw);
    if (!ev || ev.kind === "resync") {
      // Missed events, or one this page does not know: re-read rather than show stale data.
      this.#later("all", () => this.resync());
      return;
    }
    switch (ev.kind) {
      case "registered":
      case "unregistered":
        this.extensions = reduceExtensions(this.extensions, ev);
        // Events carry less than the list (expiry): fetch the details.
        this.#later("extensions", () => this.refreshExtensions());
        break;
      case "extensions_changed":
        this.#later("extensions", () => this.refreshExtensions());
        break;
      case "trunk_status": {
        const st = ev.state;
        const i = this.trunks.findIndex((t) => t.trunk.id === st.id);
        if (i < 0) {
          this.#later("trunks", () => this.refreshTrunks());
        } else {
          const next = this.trunks.slice();
          next[i] = { ...next[i]!, state: st };
          this.trunks = next;
          this.#announceTrunk(st);
        }
        return;
      }
      case "plan_changed":
        if (ev.what === "trunks") this.#later("trunks", () => this.refreshTrunks());
        for (const fn of [...this.#planListeners]) {
          try {
            fn(ev.what);
          } catch (err) {
            console.error("dial plan listener failed", err);
          }
        }
        return;
      default: {
        const sentence = announce(ev, this.calls);
        this.calls = reduceCalls(this.calls, ev, nowUnix());
        if (sentence) this.callAnnouncement = sentence;
        if (ev.kind === "ended") {
          this.#gone.add(ev.call_id);
          if (this.#gone.size > 500) this.#gone.delete(this.#gone.values().next().value!);
          this.historyVersion += 1;
          // The record is written a moment after the call ends (off the signalling
          // path); read again shortly in case the first read came too early.
          setTimeout(() => (this.historyVersion += 1), HISTORY_RECHECK_MS);
        }
        // The event has the numbers; the list adds names and exact times.
        if (ev.kind === "ringing") this.#later("calls", () => this.refreshCalls());
      }
    }
    this.#later("status", () => this.refreshStatus());
  }
}

export const app = new AppState();
