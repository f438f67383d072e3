// Recording state every page shares: the always-on flags and retention settings (for the
// switches on Extensions, Ring groups and Business names, and the Recordings page), and
// the alerts the PBX raised when a recording failed or was refused for lack of space.

import type { AlwaysRecordKind, Event, RecordingSettings } from "./api/types";
import type { ApiClient } from "./api/client";
import { withAlways } from "./lib/recordings";

/** At most this many alerts are kept on screen (the newest). */
const MAX_ALERTS = 5;

class RecordingState {
  settings = $state<RecordingSettings | null>(null);
  /** Alerts not yet dismissed, oldest first. */
  alerts = $state<{ id: number; message: string }[]>([]);

  #listeners = new Set<() => void>();
  #nextAlert = 1;

  /** Calls `fn` whenever recordings were added or deleted or the settings changed. */
  onChanged(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Handles a recording event; false for any other event. */
  handle(raw: Event, client: ApiClient): boolean {
    if (!raw || typeof raw !== "object") return false;
    if (raw.type === "recording_alert") {
      this.alerts = [...this.alerts, { id: this.#nextAlert++, message: raw.message }].slice(-MAX_ALERTS);
      return true;
    }
    if (raw.type === "recordings_changed") {
      void this.refresh(client);
      for (const fn of [...this.#listeners]) {
        try {
          fn();
        } catch (err) {
          console.error("recordings listener failed", err);
        }
      }
      return true;
    }
    return false;
  }

  dismiss(id: number): void {
    this.alerts = this.alerts.filter((a) => a.id !== id);
  }

  async refresh(client: ApiClient): Promise<void> {
    try {
      this.settings = await client.call("get_recording_settings", {});
    } catch (err) {
      console.error("recording settings not read", err);
    }
  }

  /** Turns always-on recording on or off; the switch shows the change at once. */
  async setAlways(client: ApiClient, kind: AlwaysRecordKind, key: string, on: boolean): Promise<void> {
    const before = this.settings;
    if (before) this.settings = withAlways(before, kind, key, on);
    try {
      this.settings = await client.call("set_always_record", { kind, key, on });
    } catch (err) {
      this.settings = before;
      throw err;
    }
  }
}

export const recordings = new RecordingState();
