// Words and small list operations for the Recordings page and the always-on recording
// switches on the Extensions, Ring groups and Business names pages.

import type { AlwaysRecordKind, Recording, RecordingSettings } from "../api/types";

/** Why a call was recorded, as a person would say it. */
export function triggerWords(r: Pick<Recording, "trigger" | "trigger_name">): string {
  const name = r.trigger_name ?? "";
  switch (r.trigger) {
    case "on_demand":
      return "Record pressed";
    case "extension":
      return `Always on for extension ${name}`;
    case "ring_group":
      return `Always on for ring group ${name}`;
    case "business_name":
      return `Always on for ${name}`;
    default:
      return "Recorded";
  }
}

/** `1.4 MB`, `820 kB`: enough to judge the disk use at a glance. */
export function sizeWords(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1000))} kB`;
}

function listOf(s: RecordingSettings, kind: AlwaysRecordKind): readonly string[] {
  switch (kind) {
    case "extension":
      return s.always.extensions;
    case "ring_group":
      return s.always.ring_groups;
    case "business_name":
      return s.always.business_names;
  }
}

/** Whether every call of this extension, ring group or business name is recorded. */
export function isAlways(s: RecordingSettings | null, kind: AlwaysRecordKind, key: string): boolean {
  return s !== null && listOf(s, kind).includes(key);
}

/** The settings after one flag changed (shown at once, before the server answers). */
export function withAlways(s: RecordingSettings, kind: AlwaysRecordKind, key: string, on: boolean): RecordingSettings {
  const list = listOf(s, kind).filter((k) => k !== key);
  if (on) list.push(key);
  list.sort();
  const always = { ...s.always };
  if (kind === "extension") always.extensions = list;
  if (kind === "ring_group") always.ring_groups = list;
  if (kind === "business_name") always.business_names = list;
  return { ...s, always };
}

/** The retention in words, for the settings summary. */
export function retentionWords(days: number): string {
  if (days <= 0) return "Kept until deleted";
  if (days === 1) return "Deleted after 1 day";
  return `Deleted after ${days} days`;
}

/** A whole number from a form field, or null when it is not one. */
export function wholeNumber(text: string): number | null {
  const t = text.trim();
  return /^\d{1,9}$/.test(t) ? Number(t) : null;
}

/** The call history filtered to a number: where a recording's "In call history" leads. */
export function historyLink(number: string): string {
  return `#/calls?number=${encodeURIComponent(number)}`;
}

/** The number a `#/calls?number=…` address asks the history to show ("" for none). */
export function numberFromHash(hash: string): string {
  const query = hash.split("?")[1] ?? "";
  try {
    return new URLSearchParams(query).get("number")?.trim() ?? "";
  } catch {
    return "";
  }
}
