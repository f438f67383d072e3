// The softphone built into Switchboard: its types as the API sends them, the commands that
// drive it, and the small pure pieces the Phone page shows (call clock, status in words,
// what the dial pad accepts).

import type { ApiClient } from "../api/client";

import type { CommandName, RequestOf, ResponseOf } from "../api/commands";
import type {
  AudioState,
  CallQuality,
  PhoneAccount,
  PhoneCall,
  PhoneState,
  PhoneTransport,
  RegState,
  Registration,
  SavePhoneAccountRequest,
} from "../api/types";

export type { PhoneAccount, PhoneCall, PhoneState, PhoneTransport };
export type RegistrationWord = RegState;
export type PhoneRegistration = Registration;
export type PhoneAudio = AudioState;
export type SavePhoneAccount = SavePhoneAccountRequest;

type PhoneCommandName = Extract<CommandName, "get_phone" | "save_phone_account" | "remove_phone_account" | "set_audio_devices" | `phone_${string}`>;

/** The phone's commands: name → request and response (from the generated types). */
export type PhoneCommands = { [C in PhoneCommandName]: { request: RequestOf<C>; response: ResponseOf<C> } };

/** Runs a phone command on the shared client. */
export function phoneCall<C extends PhoneCommandName>(
  client: ApiClient,
  command: C,
  request: RequestOf<C>,
): Promise<ResponseOf<C>> {
  return client.call(command, request);
}

/** An incoming call announced by the API, for the banner and the notification. */
export interface PhoneIncoming {
  call: number;
  name: string | null;
  number: string;
}

/** Reads the phone events out of a pushed event: "changed", an incoming call, or null. */
export function phoneEvent(e: unknown): "changed" | PhoneIncoming | null {
  if (!e || typeof e !== "object") return null;
  const r = e as Record<string, unknown>;
  if (r.type === "phone_changed") return "changed";
  if (r.type === "phone_incoming" && typeof r.call === "number" && typeof r.number === "string") {
    return { call: r.call, number: r.number, name: typeof r.name === "string" ? r.name : null };
  }
  return null;
}

/** mm:ss (or h:mm:ss past an hour) since `from` (unix s) at `now`; never negative. */
export function callClock(from: number, now: number): string {
  const total = Math.max(0, Math.floor(now - from));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  if (h > 0) return `${h}:${String(m).padStart(2, "0")}:${ss}`;
  return `${String(m).padStart(2, "0")}:${ss}`;
}

/**
 * A call's quality figures in a few words ("Loss 2 % in, 0 % out · Jitter 4 ms · Round
 * trip 38 ms"), from the RTCP reports of the last few seconds; `null` until the first
 * report made one known.
 */
export function qualityWords(q: CallQuality): string | null {
  const parts: string[] = [];
  if (q.loss_percent !== null || q.far_loss_percent !== null) {
    const inbound = q.loss_percent === null ? "?" : `${q.loss_percent} %`;
    const outbound = q.far_loss_percent === null ? "?" : `${q.far_loss_percent} %`;
    parts.push(`Loss ${inbound} in, ${outbound} out`);
  }
  if (q.jitter_ms !== null) parts.push(`Jitter ${q.jitter_ms} ms`);
  if (q.round_trip_ms !== null) parts.push(`Round trip ${q.round_trip_ms} ms`);
  return parts.length === 0 ? null : parts.join(" · ");
}

/** The registration in words, with the reason when it failed. */
export function registrationWords(r: PhoneRegistration, account: PhoneAccount | null): string {
  if (!account) return "Not set up — enter your phone account below.";
  switch (r.state) {
    case "registered":
      return `Registered — ready for calls as ${account.user} at ${account.server}.`;
    case "registering":
      return `Connecting to ${account.server}…`;
    case "failed":
      return r.reason
        ? `Not registered: ${r.reason}. Check the server, user and password.`
        : "Not registered. Check the server, user and password.";
    default:
      return "Off — the phone is not connected.";
  }
}

/** What a call is doing, in words. */
export function callStateWords(c: PhoneCall): string {
  switch (c.state) {
    case "ringing":
      return c.direction === "in" ? "Incoming call" : "Ringing";
    case "calling":
      return "Calling…";
    case "talking":
      if (c.held_by_far_end) return "Held by the other side";
      return c.muted ? "Talking (muted)" : "Talking";
    case "held":
      return "On hold";
    case "ended":
      return c.ended_reason ? `Ended: ${c.ended_reason}` : "Ended";
  }
  return "";
}

/** Who is on a call: the name with the number, or the number alone. */
export function callerWords(c: { name: string | null; number: string }): string {
  return c.name ? `${c.name} (${c.number})` : c.number;
}

/** Keys the dial pad and DTMF accept. */
export const DIAL_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"] as const;

/** Whether one typed character belongs in the number field. */
export function isDialChar(ch: string): boolean {
  return /^[0-9*#+]$/.test(ch);
}

/** The number with everything a dial pad cannot send dropped (spaces, dashes, brackets). */
export function cleanNumber(raw: string): string {
  const kept = raw.replace(/[^0-9*#+]/g, "");
  // A plus only makes sense at the start.
  return kept.slice(0, 1) + kept.slice(1).replace(/\+/g, "");
}

/** Why the number cannot be dialled, or null when it can. */
export function dialError(raw: string): string | null {
  const n = cleanNumber(raw);
  if (n === "") return "Enter a number to call.";
  if (/[^0-9*#+\s().-]/.test(raw)) return "A number has only digits, *, # and a leading +.";
  if (n.length > 32) return "That number is too long.";
  return null;
}

/** Calls still going on, newest first. */
export function currentCalls(calls: readonly PhoneCall[]): PhoneCall[] {
  return calls.filter((c) => c.state !== "ended").sort((a, b) => b.started_at - a.started_at);
}

/** Calls that just ended, newest first. */
export function recentCalls(calls: readonly PhoneCall[]): PhoneCall[] {
  return calls.filter((c) => c.state === "ended").sort((a, b) => b.started_at - a.started_at);
}
