// A trunk's live state in words: connected or not, why not and what to do, and how many
// of its lines are busy. The SIP detail (a status code) goes in a details line only.

import type { Trunk, TrunkState } from "../api/plan";
import { durationWords, sentence, type Words } from "./format";

export type StatusKind =
  | "disabled"
  | "ip"
  | "resolving"
  | "registering"
  | "registered"
  | "failing"
  | "rejected"
  | "unknown";

export interface Status {
  kind: StatusKind;
  reason: string | null;
  retry_in: number | null;
  expires_in: number | null;
}

const KINDS: readonly StatusKind[] = ["disabled", "ip", "resolving", "registering", "registered", "failing", "rejected"];

function kindOf(name: unknown): StatusKind {
  const k = String(name ?? "").toLowerCase().replace(/[^a-z]/g, "");
  return (KINDS as readonly string[]).includes(k) ? (k as StatusKind) : "unknown";
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * Reads a status however serde tagged it: `"registering"`, `{"Registered": {"expires_in": 60}}`,
 * or `{"state": "failing", "reason": …}`.
 */
export function readStatus(raw: unknown): Status {
  const out: Status = { kind: "unknown", reason: null, retry_in: null, expires_in: null };
  if (typeof raw === "string") return { ...out, kind: kindOf(raw) };
  if (!raw || typeof raw !== "object") return out;
  const r = raw as Record<string, unknown>;
  let fields: Record<string, unknown> = r;
  const tag = r.state ?? r.kind ?? r.type ?? r.status;
  if (typeof tag === "string") {
    out.kind = kindOf(tag);
  } else {
    const keys = Object.keys(r);
    if (keys.length === 1) {
      out.kind = kindOf(keys[0]);
      const inner = r[keys[0]!];
      fields = inner && typeof inner === "object" ? (inner as Record<string, unknown>) : {};
    }
  }
  out.reason = typeof fields.reason === "string" && fields.reason ? fields.reason : null;
  out.retry_in = num(fields.retry_in);
  out.expires_in = num(fields.expires_in);
  return out;
}

export interface StatusWords extends Words {
  /** What to do about it, when there is something to do. */
  advice: string | null;
  /** For the expert: what the provider answered. */
  detail: string | null;
}

/** Names the provider by its host when we know it ("provider.example"), else "the provider". */
function who(host: string | null | undefined): string {
  const h = (host ?? "").trim();
  return h || "the provider";
}

/** What a failure reason means for the owner, with the next step. */
export function reasonAdvice(reason: string | null): { text: string; advice: string } {
  const r = (reason ?? "").toLowerCase();
  if (/\b40[13]\b|forbidden|unauthori[sz]ed|password|credential|rejected|refused/.test(r)) {
    return {
      text: "The provider refused the user name or password",
      advice: "Copy the SIP user name and password from your provider's portal again, then save.",
    };
  }
  if (/resolv|lookup|dns|not found|no such host|unknown host/.test(r) && !/\b404\b/.test(r)) {
    return {
      text: "The provider's address could not be found",
      advice: "Check the server name for spelling, and that this computer is online.",
    };
  }
  if (/\b404\b/.test(r)) {
    return {
      text: "The provider does not know this account",
      advice: "Check the user name against your provider's portal.",
    };
  }
  if (/timeout|timed out|no answer|\b408\b|unreachable|no route|network|transport/.test(r)) {
    return {
      text: "The provider did not answer",
      advice: "Check the server name and port, that this computer is online, and that no firewall blocks it.",
    };
  }
  if (/\b5\d\d\b|unavailable|busy/.test(r)) {
    return {
      text: "The provider is not taking connections right now",
      advice: "Nothing to change here; Switchboard keeps trying. If it lasts, ask your provider.",
    };
  }
  return {
    text: "Connecting to the provider failed",
    advice: "Check the settings against your provider's portal. The details below say what the provider answered.",
  };
}

/**
 * The expert's detail without what the sentence already says: "the provider refused the
 * user name or password (401 Unauthorized)" under that sentence becomes "401 Unauthorized".
 */
export function detailBeyond(detail: string | null, said: string): string | null {
  if (!detail) return null;
  const d = detail.trim();
  const base = said.replace(/[.!]+$/, "").trim().toLowerCase();
  if (!d.toLowerCase().startsWith(base)) return d;
  const rest = d.slice(base.length).trim().replace(/^[(:,—-]\s*/, "").replace(/\)$/, "").trim();
  return rest || null;
}

/** The status in words: "Connected to provider.example — 3 lines", or what failed and what to do. */
export function statusWords(raw: unknown, trunk?: Pick<Trunk, "host" | "channels"> | null): StatusWords {
  const s = readStatus(raw);
  const host = who(trunk?.host);
  const lines = trunk ? ` — ${trunk.channels === 1 ? "1 line" : `${trunk.channels} lines`}` : "";
  switch (s.kind) {
    case "disabled":
      return { text: "Switched off", tone: "neutral", advice: "Turn it on to take and make calls through it.", detail: null };
    case "ip":
      return {
        text: `Ready for calls from ${host}${lines}`,
        tone: "ok",
        advice: null,
        detail: "Accepts calls from the provider's addresses; nothing to log in to.",
      };
    case "resolving":
      return { text: `Looking up ${host}…`, tone: "neutral", advice: null, detail: null };
    case "registering":
      return { text: `Connecting to ${host}…`, tone: "neutral", advice: null, detail: null };
    case "registered":
      return { text: `Connected to ${host}${lines}`, tone: "ok", advice: null, detail: null };
    case "failing": {
      const a = reasonAdvice(s.reason);
      const retry = s.retry_in !== null && s.retry_in > 0 ? ` Trying again in ${durationWords(s.retry_in)}.` : "";
      return { text: sentence(a.text), tone: "failing", advice: a.advice + retry, detail: detailBeyond(s.reason, a.text) };
    }
    case "rejected": {
      const a = reasonAdvice(s.reason ?? "rejected");
      return {
        text: sentence(a.text),
        tone: "failing",
        advice: `${a.advice} Switchboard stopped trying so the provider does not block this office.`,
        detail: detailBeyond(s.reason, a.text),
      };
    }
    default:
      return { text: "Status not known yet", tone: "neutral", advice: null, detail: null };
  }
}

/** Whether a status is settled (no longer connecting), so a test can stop waiting. */
export function isSettled(raw: unknown): boolean {
  const k = readStatus(raw).kind;
  return k !== "resolving" && k !== "registering" && k !== "unknown";
}

/** "2 of 3 lines busy", "All 3 lines busy", "No lines busy (3 lines)". */
export function linesWords(inUse: number, channels: number): Words {
  const n = Math.max(0, Math.floor(inUse || 0));
  const c = Math.max(0, Math.floor(channels || 0));
  if (c > 0 && n >= c) return { text: c === 1 ? "The only line is busy" : `All ${c} lines busy`, tone: "attention" };
  if (n === 0) return { text: `No lines busy (${c === 1 ? "1 line" : `${c} lines`})`, tone: "neutral" };
  return { text: `${n} of ${c} ${c === 1 ? "line" : "lines"} busy`, tone: "ok" };
}

/** Lines busy across every trunk that is switched on, for the status bar. */
export function totalLines(states: readonly TrunkState[]): { inUse: number; channels: number } {
  return states.reduce(
    (t, s) => ({ inUse: t.inUse + (s.lines_in_use || 0), channels: t.channels + (s.channels || 0) }),
    { inUse: 0, channels: 0 },
  );
}

/** Applies a pushed state to the list (by trunk id); adds it when new. */
export function mergeState(states: readonly TrunkState[], next: TrunkState): TrunkState[] {
  const i = states.findIndex((s) => s.id === next.id);
  if (i < 0) return [...states, next];
  const out = states.slice();
  out[i] = next;
  return out;
}

/** A fresh trunk with the usual defaults: registration mode, UDP, 2 lines, PCMU/PCMA. */
export function newTrunk(): Trunk {
  return {
    id: 0,
    name: "Provider",
    enabled: true,
    host: "",
    port: null,
    transport: "udp",
    outbound_proxy: null,
    auth: { mode: "registration", username: "", password: "", auth_username: null, contact_user: null, expires: 3600 },
    channels: 2,
    codecs: ["PCMU", "PCMA"],
    dtmf: "rfc4733",
    from_user: null,
    caller_id: null,
    trust_pai: false,
    overflow: null,
    default_destination: { kind: "hangup" },
  };
}

/** For the status bar: "Provider connected, 2 of 3 lines busy". */
export function trunkSummary(name: string, raw: unknown, inUse: number, channels: number): Words {
  const k = readStatus(raw).kind;
  const lines = linesWords(inUse, channels);
  const busy = inUse > 0 ? `, ${lines.text.charAt(0).toLowerCase()}${lines.text.slice(1)}` : "";
  switch (k) {
    case "registered":
    case "ip":
      return { text: `${name} connected${busy}`, tone: lines.tone === "attention" ? "attention" : "ok" };
    case "failing":
    case "rejected":
      return { text: `${name} not connected${busy}`, tone: "failing" };
    case "disabled":
      return { text: `${name} switched off`, tone: "neutral" };
    default:
      return { text: `${name} connecting…`, tone: "neutral" };
  }
}
