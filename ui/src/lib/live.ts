// Pure reducers that keep the page's view of live calls and registered phones current from
// pushed events, between full re-reads of the lists (on load and after a reconnect).

import type { Device, Event, Extension, LiveCall, Outcome, Transport, TrunkState } from "../api/types";

/** One pushed event in the shape the reducers use. */
export type LiveEvent =
  | {
      kind: "registered";
      extension: string;
      contact: string;
      address: string | null;
      transport: Transport | null;
      user_agent: string | null;
    }
  | { kind: "unregistered"; extension: string; contact: string }
  | {
      kind: "ringing";
      call_id: string;
      caller: string;
      caller_name: string | null;
      callee: string;
      /** The business name the caller dialled (`sales.acme`), for calls from a trunk. */
      business_name: string | null;
    }
  | { kind: "answered"; call_id: string; answered_by: string | null }
  | { kind: "ended"; call_id: string; outcome: Outcome | null }
  /** An extension was added, renamed or removed (here or in another window). */
  | { kind: "extensions_changed"; number: string }
  /** A trunk's registration or line use changed. */
  | { kind: "trunk_status"; state: TrunkState }
  /** Trunks, business names, groups, hours or routes were saved (`what` names the list). */
  | { kind: "plan_changed"; what: string }
  /** Events were missed: re-read every list. */
  | { kind: "resync" };

/** Reads a pushed event; null for a kind this page does not know (a newer server). */
export function normalizeEvent(e: Event): LiveEvent | null {
  if (!e || typeof e !== "object") return null;
  switch (e.type) {
    case "registration_changed":
      return e.registered
        ? {
            kind: "registered",
            extension: e.extension,
            contact: e.contact,
            address: e.address,
            transport: e.transport,
            user_agent: e.user_agent,
          }
        : { kind: "unregistered", extension: e.extension, contact: e.contact };
    case "call_ringing":
      return {
        kind: "ringing",
        call_id: e.call_id,
        caller: e.caller,
        caller_name: e.caller_name ?? null,
        callee: e.callee,
        business_name: e.business_name ?? null,
      };
    case "call_answered":
      return { kind: "answered", call_id: e.call_id, answered_by: e.answered_by };
    case "call_ended":
      return { kind: "ended", call_id: e.call_id, outcome: e.outcome };
    case "extensions_changed":
      return { kind: "extensions_changed", number: e.number };
    case "trunk_status":
      return e.state && typeof e.state.id === "number" ? { kind: "trunk_status", state: e.state } : null;
    case "dial_plan_changed":
      return { kind: "plan_changed", what: e.what };
    case "resync":
      return { kind: "resync" };
    default:
      return null;
  }
}

// ----- live calls -------------------------------------------------------------

/** A live call as the page shows it; ended calls stay a moment so the change is seen. */
export type CallView = LiveCall & {
  /** Set when the call ended: unix seconds and how. */
  ended_at: number | null;
  outcome: Outcome | null;
};

export function fromLive(c: LiveCall): CallView {
  return { ...c, ended_at: null, outcome: null };
}

/** Applies one event to the live calls; returns the same array when nothing changed. */
export function reduceCalls(calls: readonly CallView[], ev: LiveEvent, nowUnix: number): CallView[] {
  switch (ev.kind) {
    case "ringing": {
      if (calls.some((c) => c.call_id === ev.call_id)) return calls as CallView[];
      return [
        ...calls,
        {
          call_id: ev.call_id,
          caller_number: ev.caller,
          caller_name: ev.caller_name,
          callee: ev.callee,
          business_name: ev.business_name,
          // The event does not say; the re-read that follows it does.
          trunk: null,
          direction: ev.business_name ? "inbound" : "internal",
          answered_by: null,
          state: "ringing",
          started_at: nowUnix,
          answered_at: null,
          ended_at: null,
          outcome: null,
        },
      ];
    }
    case "answered": {
      const i = calls.findIndex((c) => c.call_id === ev.call_id);
      if (i < 0 || calls[i]!.ended_at !== null) return calls as CallView[];
      const next = calls.slice();
      next[i] = { ...calls[i]!, state: "answered", answered_by: ev.answered_by, answered_at: nowUnix };
      return next;
    }
    case "ended": {
      const i = calls.findIndex((c) => c.call_id === ev.call_id);
      if (i < 0 || calls[i]!.ended_at !== null) return calls as CallView[];
      const next = calls.slice();
      next[i] = { ...calls[i]!, ended_at: nowUnix, outcome: ev.outcome };
      return next;
    }
    default:
      return calls as CallView[];
  }
}

/** Drops ended calls older than `keepSeconds`. */
export function pruneEnded(calls: readonly CallView[], nowUnix: number, keepSeconds: number): CallView[] {
  const kept = calls.filter((c) => c.ended_at === null || nowUnix - c.ended_at < keepSeconds);
  return kept.length === calls.length ? (calls as CallView[]) : kept;
}

/**
 * A fresh list from the API replaces what events built, except calls that just ended
 * (still shown for a moment). A call the events already ended stays ended even if the
 * snapshot, read a moment earlier, still lists it; `gone` holds ids of calls that ended
 * longer ago and are no longer shown.
 */
export function mergeCallSnapshot(
  calls: readonly CallView[],
  snapshot: readonly LiveCall[],
  gone: ReadonlySet<string> = new Set(),
): CallView[] {
  const ended = new Map(calls.filter((c) => c.ended_at !== null).map((c) => [c.call_id, c]));
  const fresh = snapshot.filter((c) => !gone.has(c.call_id) && !ended.has(c.call_id)).map(fromLive);
  return [...fresh, ...ended.values()].sort((a, b) => a.started_at - b.started_at);
}

// ----- registrations --------------------------------------------------------------

/** Applies a registration event to the extensions' device lists. */
export function reduceExtensions(exts: readonly Extension[], ev: LiveEvent): Extension[] {
  if (ev.kind !== "registered" && ev.kind !== "unregistered") return exts as Extension[];
  const i = exts.findIndex((x) => x.number === ev.extension);
  if (i < 0) return exts as Extension[];
  const ext = exts[i]!;
  let devices: Device[];
  if (ev.kind === "registered") {
    const old = ext.devices.find((d) => d.contact === ev.contact);
    const dev: Device = {
      extension: ev.extension,
      contact: ev.contact,
      transport: ev.transport ?? old?.transport ?? "udp",
      address: ev.address ?? old?.address ?? "",
      user_agent: ev.user_agent ?? old?.user_agent ?? null,
      expires_in: old?.expires_in ?? 0,
    };
    devices = old ? ext.devices.map((d) => (d.contact === ev.contact ? dev : d)) : [...ext.devices, dev];
  } else {
    devices = ext.devices.filter((d) => d.contact !== ev.contact);
    if (devices.length === ext.devices.length) return exts as Extension[];
  }
  const next = exts.slice();
  next[i] = { ...ext, devices, registered: devices.length > 0 };
  return next;
}

/** How many phones are registered across all extensions. */
export function countDevices(exts: readonly Extension[]): number {
  return exts.reduce((n, x) => n + x.devices.length, 0);
}

/** Which address a device is reached at, for display: where its packets come from, else its contact's host. */
export function deviceAddress(d: Device): string {
  if (d.address) return d.address;
  const m = /@([^;>]+)/.exec(d.contact);
  return m ? m[1]! : d.contact;
}

/** A screen-reader sentence for a call change ("Call from Alice (1001) to 1002 is ringing"). */
export function announce(ev: LiveEvent, calls: readonly CallView[]): string | null {
  const describe = (id: string) => {
    const c = calls.find((x) => x.call_id === id);
    if (!c) return "A call";
    const from = c.caller_name && c.caller_name !== c.caller_number ? `${c.caller_name} (${c.caller_number})` : c.caller_number;
    return `Call from ${from} to ${c.callee}`;
  };
  switch (ev.kind) {
    case "ringing": {
      const from = ev.caller_name && ev.caller_name !== ev.caller ? `${ev.caller_name} (${ev.caller})` : ev.caller;
      return `Call from ${from} to ${ev.callee} is ringing`;
    }
    case "answered":
      return `${describe(ev.call_id)} was answered${ev.answered_by ? ` by ${ev.answered_by}` : ""}`;
    case "ended":
      return `${describe(ev.call_id)} ended`;
    default:
      return null;
  }
}
