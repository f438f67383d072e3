// Whether this PC runs the office phone system or is only a phone connecting to an office
// elsewhere (the first-run question). A phone-only PC shows the Phone page and Settings.

import { app } from "./state.svelte";
import { platformKind } from "./platform";
import type { AppMode } from "./api/types";

class AppModeStore {
  mode = $state<AppMode | null>(null);
  #started = false;

  /** Show only the phone: chosen, or the program runs without the PBX (`serve --phone-only`). */
  get phoneOnly(): boolean {
    return this.mode !== null && (this.mode.phone_only || !this.mode.pbx_running);
  }

  /** The choice saved: this PC is only a phone. */
  get chosePhoneOnly(): boolean {
    return this.mode?.phone_only === true;
  }

  /** A new desktop install waiting for the first-run answer: nothing takes calls yet. */
  get unasked(): boolean {
    return this.mode !== null && !this.mode.chosen && !this.mode.pbx_running;
  }

  /** The choice and how the program runs differ until it restarts (`switchboard serve`). */
  get restartNeeded(): boolean {
    return this.mode !== null && this.mode.chosen && this.mode.phone_only === this.mode.pbx_running;
  }

  /** The desktop app switches at once (and reloads the window); `switchboard serve` at its next start. */
  get appliesAtOnce(): boolean {
    return platformKind() === "desktop";
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    app.client.onEvent((e) => {
      if (e && typeof e === "object" && (e as { type?: string }).type === "app_mode_changed") void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    this.start();
    try {
      this.mode = await app.client.call("get_app_mode", {});
    } catch {
      // An older server without the choice: it runs the phone system.
      this.mode = { chosen: true, phone_only: false, pbx_running: true };
    }
  }

  async set(phoneOnly: boolean): Promise<void> {
    this.mode = await app.client.call("set_app_mode", { phone_only: phoneOnly });
  }
}

export const appMode = new AppModeStore();
