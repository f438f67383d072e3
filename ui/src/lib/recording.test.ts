import { describe, expect, it } from "vitest";
import type { CallView } from "./live";
import { canRecord, fileName, pruneRecordings, recordingStarted, recordingStopped } from "./recording";

function call(call_id: string, state: "ringing" | "answered", ended_at: number | null = null): CallView {
  return {
    call_id,
    caller_number: "1001",
    caller_name: null,
    callee: "1002",
    answered_by: state === "answered" ? "1002" : null,
    state,
    started_at: 100,
    answered_at: state === "answered" ? 105 : null,
    business_name: null,
    trunk: null,
    direction: "internal",
    ended_at,
    outcome: ended_at === null ? null : "answered",
  };
}

describe("recording", () => {
  it("offers recording only on answered calls that have not ended", () => {
    expect(canRecord(call("a", "answered"))).toBe(true);
    expect(canRecord(call("a", "ringing"))).toBe(false);
    expect(canRecord(call("a", "answered", 200))).toBe(false);
  });

  it("remembers started recordings and forgets stopped ones", () => {
    let rec = recordingStarted({}, "a", "/data/recordings/1-a.wav");
    rec = recordingStarted(rec, "b", "/data/recordings/1-b.wav");
    expect(rec).toEqual({ a: "/data/recordings/1-a.wav", b: "/data/recordings/1-b.wav" });
    rec = recordingStopped(rec, "a");
    expect(rec).toEqual({ b: "/data/recordings/1-b.wav" });
    expect(recordingStopped(rec, "zzz")).toBe(rec);
  });

  it("forgets calls that ended or are gone, and keeps the same object otherwise", () => {
    const rec = { a: "/r/a.wav", b: "/r/b.wav", c: "/r/c.wav" };
    const pruned = pruneRecordings(rec, [call("a", "answered"), call("b", "answered", 300)]);
    expect(pruned).toEqual({ a: "/r/a.wav" });
    const same = { a: "/r/a.wav" };
    expect(pruneRecordings(same, [call("a", "answered")])).toBe(same);
  });

  it("shows a recording's file name without its folder", () => {
    expect(fileName("/var/lib/switchboard/recordings/1700000000-abc.wav")).toBe("1700000000-abc.wav");
    expect(fileName("C:\\data\\recordings\\x.wav")).toBe("x.wav");
    expect(fileName("x.wav")).toBe("x.wav");
  });
});
