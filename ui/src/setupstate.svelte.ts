// What the setup wizard has gathered so far. It lives outside the wizard's screens so that
// Back, leaving the page and coming back lose nothing (until the page is reloaded).

import type { Destination } from "./api/plan";
import type { TrunkDraft } from "./lib/trunkform";
import { newScheduleDraft, type ScheduleDraft } from "./lib/hours";
import type { StepId } from "./lib/wizard";

export interface NewPerson {
  number: string;
  name: string;
  /** Shown during this setup only: the server keeps only its hashes. */
  password: string;
}

class SetupState {
  step = $state<StepId>("welcome");

  /** The trunk being set up, as typed; null until the provider step opens. */
  trunk = $state<TrunkDraft | null>(null);
  /** Its id once saved. */
  trunkId = $state<number | null>(null);
  /** The draft as last saved, to save again only after a change. */
  trunkSaved = $state("");

  namesText = $state("");
  people = $state<NewPerson[]>([]);
  /** Business name id → where it rings, as chosen on the routing step. */
  routing = $state<Record<number, Destination | null>>({});

  hoursOn = $state(false);
  schedule = $state<ScheduleDraft>(newScheduleDraft());
  closed = $state<Destination | null>({ kind: "hangup" });
  /** Business name ids the hours apply to; null until the step first opens (then: all). */
  applyTo = $state<number[] | null>(null);
  /** Open destination key → schedule id, so running the step again updates rather than adds. */
  scheduleIds = $state<Record<string, number>>({});
}

export const setup = new SetupState();
