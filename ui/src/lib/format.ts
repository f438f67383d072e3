// Words for what the PBX reports: durations, call outcomes, phone and call states.
// Status is shown in words; codes appear only in a details line.

import type { Device, LiveState, Outcome } from "../api/types";

function plural(n: number, one: string, many = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "45 seconds", "2 minutes 5 seconds", "1 hour 3 minutes" (seconds dropped past an hour). */
export function durationWords(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(Number(totalSeconds) || 0));
  if (s === 0) return "less than a second";
  if (s < 60) return plural(s, "second");
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const rest = s % 60;
    return rest ? `${plural(m, "minute")} ${plural(rest, "second")}` : plural(m, "minute");
  }
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return m ? `${plural(h, "hour")} ${plural(m, "minute")}` : plural(h, "hour");
}

/** A running clock for a live call: "0:07", "12:34", "1:02:03". */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(Number(totalSeconds) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export type Tone = "ok" | "attention" | "failing" | "neutral";

export interface Words {
  text: string;
  /** What colour may say: green ok, amber attention, red failing, none for neutral. */
  tone: Tone;
}

const OUTCOMES: Record<Outcome, Words> = {
  answered: { text: "Answered", tone: "ok" },
  busy: { text: "Busy", tone: "attention" },
  no_answer: { text: "Not answered", tone: "attention" },
  unavailable: { text: "No phone online", tone: "attention" },
  not_found: { text: "Number does not exist", tone: "failing" },
  cancelled: { text: "Caller hung up before an answer", tone: "attention" },
  failed: { text: "Failed", tone: "failing" },
};

export const OUTCOME_CHOICES: ReadonlyArray<{ value: Outcome; label: string }> = (
  Object.keys(OUTCOMES) as Outcome[]
).map((value) => ({ value, label: OUTCOMES[value].text }));

export function outcomeWords(outcome: Outcome | string): Words {
  return OUTCOMES[outcome as Outcome] ?? { text: humanize(String(outcome)), tone: "neutral" };
}

export type LiveCallPhase = LiveState | "ended";

export function callStateWords(phase: LiveCallPhase): Words {
  switch (phase) {
    case "ringing":
      return { text: "Ringing", tone: "attention" };
    case "answered":
      return { text: "In call", tone: "ok" };
    case "ended":
      return { text: "Ended", tone: "neutral" };
    default:
      return { text: humanize(String(phase)), tone: "neutral" };
  }
}

/** How an extension's phones are doing, in words. */
export function devicesWords(devices: readonly Device[]): Words {
  if (devices.length === 0) return { text: "No phone connected", tone: "neutral" };
  if (devices.length === 1) return { text: "Phone online", tone: "ok" };
  return { text: `${devices.length} phones online`, tone: "ok" };
}

/** "Alice (1001)" when the name is known and differs from the number, else the number. */
export function party(number: string, name?: string | null): string {
  const n = (name ?? "").trim();
  return n && n !== number ? `${n} (${number})` : number;
}

/** "UDP", "TCP", … */
export function transportWords(t: string): string {
  return t.toUpperCase();
}

/** "Today 14:02", "Yesterday 09:10", "3 Mar 14:02", "3 Mar 2024 14:02". */
export function whenWords(unixSeconds: number, now: Date = new Date(), locale?: string): string {
  const d = new Date(Number(unixSeconds) * 1000);
  const time = d.toLocaleTimeString(locale, { hour: "numeric", minute: "2-digit" });
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diffDays = Math.round((day(now) - day(d)) / 86_400_000);
  if (diffDays === 0) return `Today ${time}`;
  if (diffDays === 1) return `Yesterday ${time}`;
  const opts: Intl.DateTimeFormatOptions =
    d.getFullYear() === now.getFullYear()
      ? { day: "numeric", month: "short" }
      : { day: "numeric", month: "short", year: "numeric" };
  return `${d.toLocaleDateString(locale, opts)} ${time}`;
}

/** "Refreshes within 2 minutes" style hint for a registration's remaining time. */
export function expiresWords(seconds: number): string {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  if (s < 60) return "checks in within a minute";
  return `checks in within ${durationWords(Math.ceil(s / 60) * 60)}`;
}

/** "no_answer" → "No answer". */
export function humanize(code: string): string {
  const s = code.replace(/[_-]+/g, " ").trim();
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** "must be 2 to 10 digits" → "Must be 2 to 10 digits." */
export function sentence(msg: string): string {
  const s = msg.trim();
  if (!s) return s;
  const cap = s[0]!.toUpperCase() + s.slice(1);
  return /[.!?…]$/.test(cap) ? cap : cap + ".";
}

/**
 * Where phones should register, from the addresses the PBX listens on. An unspecified
 * address (0.0.0.0, [::]) means "any address of this computer", which is said in words.
 */
export function phoneServer(sipAddrs: readonly string[]): string | null {
  const specific = sipAddrs.find((a) => !/^(0\.0\.0\.0|\[::\]):/.test(a));
  if (specific) return specific;
  const any = sipAddrs[0];
  if (!any) return null;
  const port = any.slice(any.lastIndexOf(":") + 1);
  return `this computer's address, port ${port}`;
}

/**
 * A call record's reason split into words for the owner and the SIP code for the expert:
 * "603 Decline: the destination hangs up" → "The destination hangs up." and "603 Decline".
 */
export function reasonParts(reason: string | null | undefined): { words: string | null; code: string | null } {
  const r = (reason ?? "").trim();
  if (!r) return { words: null, code: null };
  const m = /^(\d{3}(?: [^:]*)?):\s*(.+)$/.exec(r);
  if (m) return { words: sentence(m[2]!), code: m[1]!.trim() };
  if (/^\d{3}\b/.test(r)) return { words: null, code: r };
  return { words: sentence(r), code: null };
}
