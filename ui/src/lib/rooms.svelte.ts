// The conference rooms, for pickers that offer them as a destination: read once when a
// picker first needs them, and kept current by the Conference rooms page.

import type { ConferenceRoom } from "../api/types";
import { app } from "../state.svelte";

class Rooms {
  list = $state<ConferenceRoom[]>([]);
  loaded = $state(false);
  #loading = false;

  /** Reads the rooms unless they are read or being read. */
  ensure(): void {
    if (this.loaded || this.#loading) return;
    this.#loading = true;
    let client;
    try {
      client = app.client;
    } catch {
      this.#loading = false;
      return;
    }
    client
      .call("list_conference_rooms", {})
      .then((r) => this.set(r.rooms))
      .catch(() => {})
      .finally(() => (this.#loading = false));
  }

  set(list: ConferenceRoom[]): void {
    this.list = list;
    this.loaded = true;
  }
}

export const rooms = new Rooms();
