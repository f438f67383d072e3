// Where a call goes, in words, and the choices a picker offers. A kind that exists in the
// plan but cannot take calls yet would be offered marked as such (none is, today).

import type { Destination, RingGroup, Schedule } from "../api/plan";

export type DestKind = Destination["kind"];

export interface KindChoice {
  kind: DestKind;
  label: string;
  /** False for kinds that exist in the plan but cannot take calls yet. */
  available: boolean;
}

export const NOT_AVAILABLE = "not available yet";

export const KIND_CHOICES: readonly KindChoice[] = [
  { kind: "extension", label: "A person (extension)", available: true },
  { kind: "ring_group", label: "A ring group", available: true },
  { kind: "hours", label: "Business hours", available: true },
  { kind: "conference", label: "A conference room", available: true },
  { kind: "voicemail", label: "Voicemail", available: true },
  { kind: "hangup", label: "Hang up", available: true },
];

export function isAvailable(d: Destination | null | undefined): boolean {
  return !d || (KIND_CHOICES.find((k) => k.kind === d.kind)?.available ?? true);
}

/** What the plan knows, to name targets. */
export interface Directory {
  extensions: ReadonlyArray<{ number: string; name: string }>;
  groups: ReadonlyArray<Pick<RingGroup, "number" | "name">>;
  schedules: ReadonlyArray<Pick<Schedule, "id" | "name"> & Partial<Pick<Schedule, "open" | "closed">>>;
}

export const EMPTY_DIRECTORY: Directory = { extensions: [], groups: [], schedules: [] };

function named(number: string, name: string | undefined): string {
  return name && name !== number ? `${name} (${number})` : number;
}

/** "Alice (1001)", "Ring group Sales (600)", "Business hours: Office", "Hang up". */
export function destinationWords(d: Destination | null | undefined, dir: Directory = EMPTY_DIRECTORY): string {
  if (!d) return "Nowhere";
  switch (d.kind) {
    case "extension":
      return named(d.target, dir.extensions.find((x) => x.number === d.target)?.name);
    case "ring_group":
      return `Ring group ${named(d.target, dir.groups.find((g) => g.number === d.target)?.name)}`;
    case "hours": {
      const s = dir.schedules.find((x) => x.id === d.target);
      if (!s) return `Business hours: schedule ${d.target}`;
      // One level only: a schedule whose destinations are schedules again is named, not expanded.
      const flat = (x: Destination | undefined) => (x && x.kind !== "hours" ? destinationWords(x, dir) : null);
      const open = flat(s.open);
      const closed = flat(s.closed);
      if (open && closed) return `${open} during ${s.name}, otherwise ${lowerFirst(closed)}`;
      return `Business hours: ${s.name}`;
    }
    case "conference":
      return `Conference room ${d.target}`;
    case "voicemail":
      return `Voicemail of ${named(d.target, dir.extensions.find((x) => x.number === d.target)?.name ?? dir.groups.find((g) => g.number === d.target)?.name)}`;
    case "hangup":
      return "Hang up";
    default:
      return "Unknown destination";
  }
}

function lowerFirst(s: string): string {
  return /^(Hang up|Ring group|Voicemail|Conference)/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** A destination of `kind` pointing at the first sensible target, keeping `target` if given. */
export function makeDestination(kind: DestKind, target: string, dir: Directory = EMPTY_DIRECTORY): Destination {
  switch (kind) {
    case "extension":
      return { kind, target: target || dir.extensions[0]?.number || "" };
    case "ring_group":
      return { kind, target: target || dir.groups[0]?.number || "" };
    case "hours": {
      const id = Number(target);
      return { kind, target: Number.isFinite(id) && target !== "" ? id : (dir.schedules[0]?.id ?? 0) };
    }
    case "conference":
      // Rooms are not in the directory: the picker offers the first one itself.
      return { kind, target };
    case "voicemail":
      return { kind, target: target || dir.extensions[0]?.number || "" };
    default:
      return { kind: "hangup" };
  }
}

/** The target as a string for a form control ("" for hang up). */
export function targetOf(d: Destination | null | undefined): string {
  if (!d || d.kind === "hangup") return "";
  return String(d.target);
}

/** A stable key: same destination, same key. */
export function destinationKey(d: Destination | null | undefined): string {
  if (!d) return "none";
  return d.kind === "hangup" ? "hangup" : `${d.kind}:${d.target}`;
}

/** Whether the target exists in the directory (conference numbers are free-form). */
export function targetKnown(d: Destination, dir: Directory): boolean {
  switch (d.kind) {
    case "extension":
      return dir.extensions.some((x) => x.number === d.target);
    case "ring_group":
      return dir.groups.some((g) => g.number === d.target);
    case "hours":
      return dir.schedules.some((s) => s.id === d.target);
    case "voicemail":
      return dir.extensions.some((x) => x.number === d.target) || dir.groups.some((g) => g.number === d.target);
    case "conference":
      return d.target.trim() !== "";
    default:
      return true;
  }
}
