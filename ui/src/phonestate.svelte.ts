// The softphone as every page sees it: its state from `get_phone`, re-read whenever the API
// says it changed (and after a reconnect), and the incoming calls the banner offers to
// answer wherever the person is in the app.

import { app } from "./state.svelte";
import { notify, platformKind } from "./platform";
import { callerWords, phoneCall, phoneEvent, type PhoneCall, type PhoneCommands, type PhoneState } from "./lib/phone";

function nowUnix(): number {
  return Math.floor(Date.now() / 1000);
}

class PhoneStore {
  state = $state<PhoneState | null>(null);
  /** Why the phone could not be read (the API is unreachable or has no phone). */
  loadError = $state<string | null>(null);
  /** Unix seconds, ticking once a second for the call clocks. */
  now = $state(nowUnix());
  /** Latest sentence for screen readers about the phone's calls. */
  announcement = $state("");

  #started = false;
  #reading: Promise<void> | null = null;
  #again = false;

  /** Ringing calls coming in, for the banner. */
  get ringingIn(): PhoneCall[] {
    return (this.state?.calls ?? []).filter((c) => c.direction === "in" && c.state === "ringing");
  }

  /** Starts listening (once); safe to call from every component that needs the phone. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    app.client.onEvent((raw) => {
      const ev = phoneEvent(raw);
      if (ev === "changed") void this.refresh();
      else if (ev) {
        const who = callerWords(ev);
        this.announcement = `Incoming call from ${who}.`;
        // The desktop app raises its own (its window may be closed); a browser needs the page's.
        if (platformKind() === "browser") void notify("Incoming call", who);
        void this.refresh();
      } else if (raw && typeof raw === "object" && (raw as { type?: string }).type === "resync") {
        void this.refresh();
      }
    });
    let wasOpen = false;
    app.client.onState((s) => {
      if (s === "open" && !wasOpen) void this.refresh();
      wasOpen = s === "open";
    });
    setInterval(() => (this.now = nowUnix()), 1000);
    void this.refresh();
  }

  /** Re-reads the phone; a burst of changes gives at most one more read after the current one. */
  refresh(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      do {
        this.#again = false;
        try {
          this.state = await phoneCall(app.client, "get_phone", {});
          this.loadError = null;
        } catch (err) {
          this.loadError = err instanceof Error ? err.message : "The phone could not be read.";
        }
      } while (this.#again);
      this.#reading = null;
    })();
    return this.#reading;
  }

  /** Runs a command that answers with the phone's state, and shows that state at once. */
  async run<C extends Exclude<keyof PhoneCommands, "phone_dial">>(
    command: C,
    request: PhoneCommands[C]["request"],
  ): Promise<void> {
    const next = (await phoneCall(app.client, command, request)) as PhoneState;
    this.state = next;
  }
}

export const phone = new PhoneStore();
