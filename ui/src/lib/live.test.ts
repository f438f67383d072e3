import { describe, expect, it } from "vitest";
import type { Event, Extension, LiveCall } from "../api/types";
import {
  announce,
  countDevices,
  deviceAddress,
  fromLive,
  mergeCallSnapshot,
  normalizeEvent,
  pruneEnded,
  reduceCalls,
  reduceExtensions,
  type CallView,
  type LiveEvent,
} from "./live";

function ev(raw: unknown): LiveEvent {
  const e = normalizeEvent(raw as Event);
  if (!e) throw new Error(`not an event: ${JSON.stringify(raw)}`);
  return e;
}

function reg(fields: { extension: string; contact: string; address?: string; transport?: "udp" | "tcp" }): LiveEvent {
  return ev({
    type: "registration_changed",
    registered: true,
    user_agent: null,
    reason: null,
    address: null,
    transport: null,
    ...fields,
  });
}

function unreg(extension: string, contact: string): LiveEvent {
  return ev({ type: "registration_changed", registered: false, extension, contact, address: null, transport: null, user_agent: null, reason: "unregistered" });
}

describe("normalizeEvent", () => {
  it("reads a registration change both ways", () => {
    const base = { type: "registration_changed" as const, extension: "1001", contact: "sip:1001@h", user_agent: null };
    expect(normalizeEvent({ ...base, registered: true, address: "10.0.0.5:5062", transport: "udp", reason: null })).toEqual({
      kind: "registered",
      extension: "1001",
      contact: "sip:1001@h",
      address: "10.0.0.5:5062",
      transport: "udp",
      user_agent: null,
    });
    expect(normalizeEvent({ ...base, registered: false, address: null, transport: null, reason: "expired" })).toEqual({
      kind: "unregistered",
      extension: "1001",
      contact: "sip:1001@h",
    });
  });

  it("reads call events", () => {
    expect(normalizeEvent({ type: "call_answered", call_id: "c1", answered_by: "1002" })).toEqual({
      kind: "answered",
      call_id: "c1",
      answered_by: "1002",
    });
    expect(normalizeEvent({ type: "call_ended", call_id: "c1", outcome: "busy" })).toEqual({
      kind: "ended",
      call_id: "c1",
      outcome: "busy",
    });
  });

  it("reads list changes and resyncs", () => {
    expect(normalizeEvent({ type: "extensions_changed", number: "1001" })).toEqual({ kind: "extensions_changed", number: "1001" });
    expect(normalizeEvent({ type: "resync", missed: 3 })).toEqual({ kind: "resync" });
  });

  it("gives null for what it does not know", () => {
    expect(normalizeEvent({ type: "voicemail_arrived", box: "1001" } as unknown as Event)).toBeNull();
    expect(normalizeEvent(null as unknown as Event)).toBeNull();
  });
});

describe("live calls", () => {
  const ringing = ev({ type: "call_ringing", call_id: "c1", caller: "1001", callee: "1002" });

  it("a call appears ringing, is answered, then ends", () => {
    let calls: CallView[] = [];
    calls = reduceCalls(calls, ringing, 100);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ call_id: "c1", state: "ringing", caller_number: "1001", callee: "1002", started_at: 100 });

    calls = reduceCalls(calls, ev({ type: "call_answered", call_id: "c1", answered_by: "1002" }), 105);
    expect(calls[0]).toMatchObject({ state: "answered", answered_by: "1002", answered_at: 105, ended_at: null });

    calls = reduceCalls(calls, ev({ type: "call_ended", call_id: "c1", outcome: "answered" }), 130);
    expect(calls[0]).toMatchObject({ ended_at: 130, outcome: "answered" });
  });

  it("a repeated ringing event does not add the call twice", () => {
    const once = reduceCalls([], ringing, 100);
    expect(reduceCalls(once, ringing, 101)).toBe(once);
  });

  it("events for unknown calls change nothing", () => {
    const calls = reduceCalls([], ringing, 100);
    expect(reduceCalls(calls, ev({ type: "call_ended", call_id: "other", outcome: "busy" }), 101)).toBe(calls);
    expect(reduceCalls(calls, reg({ extension: "1", contact: "c" }), 101)).toBe(calls);
  });

  it("an answer after the end does not revive the call", () => {
    let calls = reduceCalls([], ringing, 100);
    calls = reduceCalls(calls, ev({ type: "call_ended", call_id: "c1", outcome: "cancelled" }), 103);
    const after = reduceCalls(calls, ev({ type: "call_answered", call_id: "c1", answered_by: "1002" }), 104);
    expect(after[0]!.state).toBe("ringing");
    expect(after[0]!.ended_at).toBe(103);
  });

  it("ended calls are pruned after a moment", () => {
    let calls = reduceCalls([], ringing, 100);
    calls = reduceCalls(calls, ev({ type: "call_ended", call_id: "c1", outcome: "cancelled" }), 103);
    expect(pruneEnded(calls, 106, 4)).toHaveLength(1);
    expect(pruneEnded(calls, 107, 4)).toHaveLength(0);
  });

  it("a snapshot replaces live calls but cannot revive an ended one", () => {
    const live: LiveCall = {
      call_id: "c2",
      caller_number: "1003",
      caller_name: "Carol",
      callee: "1004",
      answered_by: null,
      state: "ringing",
      started_at: 90,
      answered_at: null,
      business_name: null,
      trunk: null,
      direction: "internal",
    };
    let calls = reduceCalls([], ringing, 100);
    calls = reduceCalls(calls, ev({ type: "call_ended", call_id: "c1", outcome: "busy" }), 101);
    const staleC1: LiveCall = { ...live, call_id: "c1", started_at: 100 };
    const merged = mergeCallSnapshot(calls, [live, staleC1]);
    expect(merged.map((c) => [c.call_id, c.ended_at])).toEqual([
      ["c2", null],
      ["c1", 101],
    ]);
    expect(mergeCallSnapshot([], [staleC1], new Set(["c1"]))).toEqual([]);
    expect(mergeCallSnapshot([fromLive(live)], [])).toEqual([]);
  });

  it("announces changes in a sentence", () => {
    const calls = reduceCalls([], ringing, 100);
    expect(announce(ringing, [])).toBe("Call from 1001 to 1002 is ringing");
    expect(announce(ev({ type: "call_answered", call_id: "c1", answered_by: "1002" }), calls)).toBe(
      "Call from 1001 to 1002 was answered by 1002",
    );
    expect(announce(ev({ type: "call_ended", call_id: "c1", outcome: "answered" }), calls)).toBe("Call from 1001 to 1002 ended");
  });
});

describe("registrations", () => {
  const exts: Extension[] = [
    { number: "1001", name: "Alice", created_at: 0, registered: false, outbound_allowed: false, srtp_required: false, devices: [] },
    { number: "1002", name: "Bob", created_at: 0, registered: false, outbound_allowed: false, srtp_required: false, devices: [] },
  ];

  it("a phone registering shows on its extension, and goes away when it unregisters", () => {
    let next = reduceExtensions(
      exts,
      reg({ extension: "1001", contact: "sip:1001@10.0.0.5:5062", address: "10.0.0.5:5062", transport: "udp" }),
    );
    expect(next[0]!.devices).toEqual([
      { extension: "1001", contact: "sip:1001@10.0.0.5:5062", transport: "udp", address: "10.0.0.5:5062", user_agent: null, expires_in: 0 },
    ]);
    expect(next[0]!.registered).toBe(true);
    expect(next[1]).toBe(exts[1]);
    expect(countDevices(next)).toBe(1);

    next = reduceExtensions(next, unreg("1001", "sip:1001@10.0.0.5:5062"));
    expect(next[0]!.devices).toEqual([]);
    expect(next[0]!.registered).toBe(false);
  });

  it("a phone moving to a new address replaces its old entry", () => {
    const one = reduceExtensions(exts, reg({ extension: "1002", contact: "c", address: "1.1.1.1:5060" }));
    const moved = reduceExtensions(one, reg({ extension: "1002", contact: "c", address: "2.2.2.2:5060" }));
    expect(moved[1]!.devices).toHaveLength(1);
    expect(moved[1]!.devices[0]!.address).toBe("2.2.2.2:5060");
  });

  it("events for unknown extensions or contacts change nothing", () => {
    expect(reduceExtensions(exts, reg({ extension: "9999", contact: "c" }))).toBe(exts);
    expect(reduceExtensions(exts, unreg("1001", "nope"))).toBe(exts);
  });

  it("shows the source address, else the contact's host", () => {
    expect(deviceAddress({ extension: "1001", contact: "sip:1001@10.0.0.9:5070;ob", transport: "udp", address: "", user_agent: null, expires_in: 1 })).toBe(
      "10.0.0.9:5070",
    );
    expect(deviceAddress({ extension: "1001", contact: "x", transport: "udp", address: "1.2.3.4:5", user_agent: null, expires_in: 1 })).toBe("1.2.3.4:5");
  });
});

describe("trunk and business name events", () => {
  it("reads a trunk's pushed state and dial plan changes", () => {
    const state = { id: 3, name: "Provider", status: { state: "registered" as const, expires_in: 300 }, lines_in_use: 1, channels: 3 };
    expect(normalizeEvent({ type: "trunk_status", state })).toEqual({ kind: "trunk_status", state });
    expect(normalizeEvent({ type: "dial_plan_changed", what: "ring_groups" })).toEqual({ kind: "plan_changed", what: "ring_groups" });
    expect(normalizeEvent({ type: "trunk_status", state: { name: "no id" } } as unknown as Event)).toBeNull();
  });

  it("a ringing call from a trunk keeps the caller's name and the business name", () => {
    const e = ev({ type: "call_ringing", call_id: "t1", caller: "+4477001", callee: "600", caller_name: "[Sales] Jane Doe", business_name: "sales.acme" });
    expect(e).toMatchObject({ kind: "ringing", caller_name: "[Sales] Jane Doe", business_name: "sales.acme" });
    const calls = reduceCalls([], e, 100);
    expect(calls[0]).toMatchObject({ caller_name: "[Sales] Jane Doe", business_name: "sales.acme", direction: "inbound" });
    expect(announce(e, [])).toBe("Call from [Sales] Jane Doe (+4477001) to 600 is ringing");
  });
});
