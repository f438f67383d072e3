// Every extension's do-not-disturb and forwarding, shared by the rows of the Extensions
// page: read once, and again whenever an extension changed (a phone dialling *78 sends
// extensions_changed too) or the connection came back.

import type { CallForwarding, Event } from "./api/types";
import type { ApiClient } from "./api/client";

class ForwardingState {
  byNumber = $state<Record<string, CallForwarding>>({});
  loaded = $state(false);
  #client: ApiClient | null = null;

  /** Starts following changes on `client` (once) and reads the list. */
  follow(client: ApiClient): void {
    if (this.#client === client) return;
    this.#client = client;
    client.onEvent((raw: Event) => {
      if (raw && typeof raw === "object" && (raw.type === "extensions_changed" || raw.type === "resync")) {
        void this.refresh();
      }
    });
    client.onState((s) => {
      if (s === "open") void this.refresh();
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.#client) return;
    try {
      const { extensions } = await this.#client.call("list_call_forwarding", {});
      this.byNumber = Object.fromEntries(extensions.map((f) => [f.number, f]));
      this.loaded = true;
    } catch (err) {
      console.error("call forwarding not read", err);
    }
  }

  async save(forwarding: CallForwarding): Promise<CallForwarding> {
    if (!this.#client) throw new Error("not connected");
    const res = await this.#client.call("save_call_forwarding", { forwarding });
    this.byNumber = { ...this.byNumber, [res.forwarding.number]: res.forwarding };
    return res.forwarding;
  }
}

export const forwarding = new ForwardingState();
