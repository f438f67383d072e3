// The setup wizard's steps, and the decisions it makes that are worth testing apart from
// the screens: which destination each name starts with, and how business hours become
// schedules (one per distinct destination, since a schedule has one "open" destination).

import type { BusinessName, Destination, Schedule } from "../api/plan";
import { destinationKey } from "./destinations";

export type StepId = "welcome" | "provider" | "names" | "staff" | "routing" | "hours" | "done";

export const STEPS: ReadonlyArray<{ id: StepId; title: string }> = [
  { id: "welcome", title: "Welcome" },
  { id: "provider", title: "Your phone provider" },
  { id: "names", title: "Business names" },
  { id: "staff", title: "Staff" },
  { id: "routing", title: "Where each name rings" },
  { id: "hours", title: "Business hours" },
  { id: "done", title: "Try it" },
];

/** The numbered steps (welcome and the end are not counted). */
const COUNTED = STEPS.filter((s) => s.id !== "welcome" && s.id !== "done");

/** "Step 2 of 5", or null for the welcome and final screens. */
export function stepOf(id: StepId): string | null {
  const i = COUNTED.findIndex((s) => s.id === id);
  return i < 0 ? null : `Step ${i + 1} of ${COUNTED.length}`;
}

export function stepIndex(id: StepId): number {
  return STEPS.findIndex((s) => s.id === id);
}

/**
 * Where a name rings when the routing step opens: what it already has, unless that is
 * the placeholder "hang up" the import gave it, then the first person.
 */
export function startingDestination(
  name: Pick<BusinessName, "destination">,
  firstExtension: string | null,
): Destination {
  if (name.destination.kind === "hangup" && firstExtension) return { kind: "extension", target: firstExtension };
  return name.destination;
}

/** Where a name rings during opening hours: through its schedule if it already has one. */
export function openDestination(d: Destination, schedules: readonly Schedule[]): Destination {
  if (d.kind !== "hours") return d;
  return schedules.find((s) => s.id === d.target)?.open ?? d;
}

export interface HoursGroup {
  /** Same open destination, same schedule. */
  key: string;
  open: Destination;
  names: BusinessName[];
}

/** The names business hours apply to, grouped by where they ring while open. */
export function hoursGroups(
  names: readonly BusinessName[],
  applyTo: ReadonlySet<number>,
  schedules: readonly Schedule[],
): HoursGroup[] {
  const groups = new Map<string, HoursGroup>();
  for (const n of names) {
    if (!applyTo.has(n.id)) continue;
    const open = openDestination(n.destination, schedules);
    if (open.kind === "hours") continue;
    const key = destinationKey(open);
    const g = groups.get(key);
    if (g) g.names.push(n);
    else groups.set(key, { key, open, names: [n] });
  }
  return [...groups.values()];
}

/** A schedule's name for a group: the office's hours, and for which names when there are several schedules. */
export function scheduleName(base: string, group: HoursGroup, several: boolean): string {
  if (!several) return base;
  const names = group.names.map((n) => n.name);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
  return `${base} — ${shown}`;
}
