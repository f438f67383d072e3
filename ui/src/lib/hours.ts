// Business hours as the owner edits them: opening periods per weekday, holidays, a time
// zone; checks that say which row is wrong before saving, and a one-line summary.

import type { Destination, Holiday, OpenPeriod, Schedule } from "../api/plan";

/** A schedule as the form edits it: destinations may be unset while editing. */
export interface ScheduleDraft {
  id: number;
  name: string;
  time_zone: string;
  periods: OpenPeriod[];
  holidays: Holiday[];
  open: Destination | null;
  closed: Destination | null;
}

export function toScheduleDraft(s: Schedule): ScheduleDraft {
  return {
    ...s,
    periods: s.periods.map((p) => ({ ...p })),
    holidays: s.holidays.map((h) => ({ ...h })),
  };
}

/** A new schedule: this computer's time zone, Monday to Friday 9 to 5. */
export function newScheduleDraft(name = "Office hours"): ScheduleDraft {
  return { id: 0, name, time_zone: localTimeZone(), periods: officeHours(), holidays: [], open: null, closed: null };
}

/** Problems the page can see before saving (times, dates, missing destinations). */
export function scheduleDraftErrors(d: ScheduleDraft): Record<string, string> {
  const out: Record<string, string> = {};
  if (!d.name.trim()) out.name = "Give the schedule a name.";
  if (!d.time_zone.trim()) out.time_zone = "Choose the office's time zone.";
  if (periodErrors(d.periods).size) out.periods = "Fix the marked opening hours.";
  if (holidayErrors(d.holidays).size) out.holidays = "Fix the marked holidays.";
  if (!d.open) out.open = "Choose where calls go while open.";
  if (!d.closed) out.closed = "Choose where calls go while closed.";
  return out;
}

/** The schedule to save; periods sorted, holiday names trimmed. */
export function fromScheduleDraft(d: ScheduleDraft): Schedule {
  return {
    id: d.id,
    name: d.name.trim(),
    time_zone: d.time_zone.trim(),
    periods: sortPeriods(d.periods),
    holidays: d.holidays.map((h) => ({ date: h.date, name: h.name.trim() })),
    open: d.open ?? { kind: "hangup" },
    closed: d.closed ?? { kind: "hangup" },
  };
}

/** ISO weekday numbers: 1 = Monday … 7 = Sunday. */
export const DAYS: ReadonlyArray<{ day: number; short: string; long: string }> = [
  { day: 1, short: "Mon", long: "Monday" },
  { day: 2, short: "Tue", long: "Tuesday" },
  { day: 3, short: "Wed", long: "Wednesday" },
  { day: 4, short: "Thu", long: "Thursday" },
  { day: 5, short: "Fri", long: "Friday" },
  { day: 6, short: "Sat", long: "Saturday" },
  { day: 7, short: "Sun", long: "Sunday" },
];

/** `HH:MM`, 00:00 to 23:59. */
export function isTime(s: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}

function minutes(s: string): number {
  return Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
}

/** "9:00" → "09:00", "9" → "09:00", "1730" → "17:30"; anything else unchanged. */
export function tidyTime(s: string): string {
  const t = s.trim();
  let m = /^(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (!m) m = /^(\d{1,2})[.h](\d{2})$/.exec(t);
  if (!m) return t;
  return `${m[1]!.padStart(2, "0")}:${m[2] ?? "00"}`;
}

/** Problems by period index: bad time, closing not after opening, overlapping another period. */
export function periodErrors(periods: readonly OpenPeriod[]): Map<number, string> {
  const errors = new Map<number, string>();
  periods.forEach((p, i) => {
    if (!isTime(p.open)) errors.set(i, "Opening time must be like 09:00.");
    else if (!isTime(p.close)) errors.set(i, "Closing time must be like 17:30.");
    else if (minutes(p.close) <= minutes(p.open)) errors.set(i, "Closing time must be after opening time.");
  });
  periods.forEach((p, i) => {
    if (errors.has(i)) return;
    const clash = periods.findIndex(
      (q, j) =>
        j < i &&
        !errors.has(j) &&
        q.day === p.day &&
        minutes(p.open) < minutes(q.close) &&
        minutes(q.open) < minutes(p.close),
    );
    if (clash >= 0) errors.set(i, `Overlaps ${periods[clash]!.open}–${periods[clash]!.close} on the same day.`);
  });
  return errors;
}

/** Problems by holiday index: a date like 2025-12-25 that exists, each once. */
export function holidayErrors(holidays: readonly Holiday[]): Map<number, string> {
  const errors = new Map<number, string>();
  const seen = new Set<string>();
  holidays.forEach((h, i) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(h.date);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    if (!m || !d || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
      errors.set(i, "Date must be like 2025-12-25.");
    } else if (seen.has(h.date)) {
      errors.set(i, "This date is already listed.");
    }
    seen.add(h.date);
  });
  return errors;
}

/** The same hours on each of `days`. */
export function samePeriods(days: readonly number[], open: string, close: string): OpenPeriod[] {
  return days.map((day) => ({ day, open, close }));
}

/** Monday to Friday, 09:00–17:00: the usual start. */
export function officeHours(): OpenPeriod[] {
  return samePeriods([1, 2, 3, 4, 5], "09:00", "17:00");
}

/** Sorted by day, then opening time. */
export function sortPeriods(periods: readonly OpenPeriod[]): OpenPeriod[] {
  return [...periods].sort((a, b) => a.day - b.day || a.open.localeCompare(b.open));
}

/** "Mon–Fri 09:00–17:00; Sat 10:00–13:00", runs of days with identical hours joined. */
export function hoursSummary(periods: readonly OpenPeriod[]): string {
  if (periods.length === 0) return "Closed all week";
  const byDay = new Map<number, string>();
  for (const p of sortPeriods(periods)) {
    const span = `${p.open}–${p.close}`;
    byDay.set(p.day, byDay.has(p.day) ? `${byDay.get(p.day)}, ${span}` : span);
  }
  const parts: string[] = [];
  let runStart: number | null = null;
  let prev: number | null = null;
  const flush = () => {
    if (runStart === null || prev === null) return;
    const name = (d: number) => DAYS[d - 1]!.short;
    const days = runStart === prev ? name(runStart) : `${name(runStart)}–${name(prev)}`;
    parts.push(`${days} ${byDay.get(runStart)}`);
  };
  for (let d = 1; d <= 7; d++) {
    const h = byDay.get(d);
    if (h !== undefined && runStart !== null && prev === d - 1 && byDay.get(runStart) === h) {
      prev = d;
      continue;
    }
    flush();
    runStart = h !== undefined ? d : null;
    prev = h !== undefined ? d : null;
  }
  flush();
  return parts.join("; ");
}

/** This computer's time zone, the sensible default for the office. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** The IANA zones the browser knows, for suggestions; empty when it cannot list them. */
export function knownTimeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  } catch {
    return [];
  }
}

/** A schedule's list entries as the form shows their errors: on the week, or on the holidays. */
export const SCHEDULE_LISTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^periods[.[]/, "periods"],
  [/^holidays[.[]/, "holidays"],
];
