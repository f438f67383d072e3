import { describe, expect, it } from "vitest";
import type { TrunkState } from "../api/types";
import { detailBeyond, isSettled, linesWords, mergeState, readStatus, statusWords, totalLines, trunkSummary } from "./trunks";

const trunk = { host: "provider.example", channels: 3 };

describe("trunk status in words", () => {
  it("reads the status however it is tagged", () => {
    expect(readStatus("registering").kind).toBe("registering");
    expect(readStatus("Disabled").kind).toBe("disabled");
    expect(readStatus({ Registered: { expires_in: 120 } })).toEqual({ kind: "registered", reason: null, retry_in: null, expires_in: 120 });
    expect(readStatus({ state: "failing", reason: "408 Request Timeout", retry_in: 45 })).toEqual({
      kind: "failing",
      reason: "408 Request Timeout",
      retry_in: 45,
      expires_in: null,
    });
    expect(readStatus({ rejected: { reason: "403 Forbidden" } }).reason).toBe("403 Forbidden");
    expect(readStatus(42).kind).toBe("unknown");
    expect(readStatus({ weird: 1, other: 2 }).kind).toBe("unknown");
  });

  it("reads the server's own shape", () => {
    expect(readStatus({ state: "registered", expires_in: 60 })).toEqual({ kind: "registered", reason: null, retry_in: null, expires_in: 60 });
    expect(statusWords({ state: "rejected", reason: "403 Forbidden" }, trunk).text).toBe("The provider refused the user name or password.");
  });

  it("says connected with the provider and its lines", () => {
    expect(statusWords({ registered: { expires_in: 300 } }, trunk)).toMatchObject({
      text: "Connected to provider.example — 3 lines",
      tone: "ok",
      advice: null,
    });
    expect(statusWords("registering", trunk).text).toBe("Connecting to provider.example…");
    expect(statusWords("ip", { host: "10.0.0.1", channels: 1 }).text).toBe("Ready for calls from 10.0.0.1 — 1 line");
  });

  it("says a refused password in words, with what to do, the code only as detail", () => {
    const w = statusWords({ rejected: { reason: "403 Forbidden" } }, trunk);
    expect(w.text).toBe("The provider refused the user name or password.");
    expect(w.tone).toBe("failing");
    expect(w.advice).toMatch(/Copy the SIP user name and password from your provider's portal again/);
    expect(w.advice).toMatch(/stopped trying/);
    expect(w.detail).toBe("403 Forbidden");
    expect(w.text).not.toMatch(/403/);
  });

  it("keeps only what the detail adds to the sentence", () => {
    expect(detailBeyond("the provider refused the user name or password (401 Unauthorized)", "The provider refused the user name or password.")).toBe(
      "401 Unauthorized",
    );
    expect(detailBeyond("403 Forbidden", "The provider refused the user name or password.")).toBe("403 Forbidden");
    expect(detailBeyond("The provider did not answer", "The provider did not answer.")).toBeNull();
    expect(detailBeyond(null, "x")).toBeNull();
  });

  it("says when it tries again after a failure", () => {
    const w = statusWords({ failing: { reason: "408 Request Timeout", retry_in: 120 } }, trunk);
    expect(w.text).toBe("The provider did not answer.");
    expect(w.advice).toMatch(/Trying again in 2 minutes\.$/);
    expect(statusWords({ failing: { reason: "could not resolve provider.example", retry_in: 0 } }, trunk).text).toBe(
      "The provider's address could not be found.",
    );
    expect(statusWords({ failing: { reason: "503 Service Unavailable", retry_in: 30 } }, trunk).text).toBe(
      "The provider is not taking connections right now.",
    );
    expect(statusWords({ failing: { reason: "599 Strange", retry_in: 30 } }, trunk).detail).toBe("599 Strange");
  });

  it("knows when a connection attempt has settled", () => {
    expect(isSettled("registering")).toBe(false);
    expect(isSettled("resolving")).toBe(false);
    expect(isSettled({ registered: { expires_in: 1 } })).toBe(true);
    expect(isSettled({ rejected: { reason: "x" } })).toBe(true);
  });
});

describe("lines in use", () => {
  it("counts busy lines in words", () => {
    expect(linesWords(2, 3)).toEqual({ text: "2 of 3 lines busy", tone: "ok" });
    expect(linesWords(3, 3)).toEqual({ text: "All 3 lines busy", tone: "attention" });
    expect(linesWords(1, 1).text).toBe("The only line is busy");
    expect(linesWords(0, 2).text).toBe("No lines busy (2 lines)");
  });

  it("adds up trunks and applies a pushed state", () => {
    const a: TrunkState = { id: 1, name: "A", status: { state: "ip" }, lines_in_use: 1, channels: 2 };
    const b: TrunkState = { id: 2, name: "B", status: { state: "ip" }, lines_in_use: 2, channels: 3 };
    expect(totalLines([a, b])).toEqual({ inUse: 3, channels: 5 });
    const next = mergeState([a, b], { ...a, lines_in_use: 2 });
    expect(next.map((s) => s.lines_in_use)).toEqual([2, 2]);
    expect(mergeState([a], b)).toHaveLength(2);
  });
});

describe("trunk summary for the status bar", () => {
  it("says connected and lines busy in one line", () => {
    expect(trunkSummary("Provider", { registered: { expires_in: 60 } }, 2, 3)).toEqual({ text: "Provider connected, 2 of 3 lines busy", tone: "ok" });
    expect(trunkSummary("Provider", "ip", 3, 3)).toEqual({ text: "Provider connected, all 3 lines busy", tone: "attention" });
    expect(trunkSummary("Provider", "ip", 0, 3).text).toBe("Provider connected");
    expect(trunkSummary("Backup", { rejected: { reason: "403" } }, 0, 1)).toEqual({ text: "Backup not connected", tone: "failing" });
    expect(trunkSummary("Backup", "registering", 0, 1).text).toBe("Backup connecting…");
  });
});
