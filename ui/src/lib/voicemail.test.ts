import { describe, expect, it } from "vitest";
import type { Mailbox, VoicemailMessage } from "../api/types";
import {
  audioUrl,
  callerWords,
  countsWithHeard,
  groupByMailbox,
  lengthWords,
  mailboxWords,
  newCount,
  withHeard,
} from "./voicemail";

function msg(id: number, mailbox: string, received_at: number, heard = false): VoicemailMessage {
  return {
    id,
    mailbox,
    caller_number: "5551000",
    caller_name: null,
    business_name: "sales.acme",
    received_at,
    duration_ms: 1500,
    heard,
    audio_path: `/api/voicemail/${id}/audio`,
  };
}

const boxes: Mailbox[] = [
  { number: "201", enabled: true, new_count: 0, saved_count: 1 },
  { number: "202", enabled: true, new_count: 1, saved_count: 0 },
  { number: "1000", enabled: false, new_count: 0, saved_count: 0 },
];

const names: Record<string, string> = { "201": "Alice", "202": "Bob" };
const nameOf = (n: string) => names[n] ?? null;

describe("the inbox grouped by mailbox", () => {
  it("puts boxes with new messages first, then by number, each newest first", () => {
    const groups = groupByMailbox(
      [msg(1, "201", 100, true), msg(2, "202", 50), msg(3, "201", 300, true), msg(4, "1000", 10, true)],
      boxes,
      nameOf,
    );
    expect(groups.map((g) => g.number)).toEqual(["202", "201", "1000"]);
    expect(groups[0]!.title).toBe("Bob (202)");
    expect(groups[0]!.unheard).toBe(1);
    expect(groups[1]!.messages.map((m) => m.id)).toEqual([3, 1]);
    expect(groups[1]!.unheard).toBe(0);
    expect(groups[2]!.title).toBe("1000");
    expect(groups[2]!.enabled).toBe(false);
  });

  it("keeps a box that is no longer listed, and has no group without messages", () => {
    const groups = groupByMailbox([msg(1, "555", 1)], boxes, nameOf);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.number).toBe("555");
    expect(groups[0]!.enabled).toBe(false);
    expect(groupByMailbox([], boxes, nameOf)).toEqual([]);
  });
});

describe("words for a message", () => {
  it.each([
    [{ caller_number: "5551000", caller_name: "Carol" }, "Carol (5551000)"],
    [{ caller_number: "5551000", caller_name: null }, "5551000"],
    [{ caller_number: "5551000", caller_name: "5551000" }, "5551000"],
    [{ caller_number: "anonymous", caller_name: null }, "Unknown caller"],
    [{ caller_number: "anonymous", caller_name: "Dave" }, "Dave"],
    [{ caller_number: "", caller_name: "  " }, "Unknown caller"],
  ])("%o → %s", (m, words) => {
    expect(callerWords(m)).toBe(words);
  });

  it.each([
    [0, "0:00"],
    [400, "0:01"],
    [1000, "0:01"],
    [1500, "0:01"],
    [65_999, "1:05"],
    [-3, "0:00"],
  ])("%i ms lasts %s", (ms, words) => {
    expect(lengthWords(ms)).toBe(words);
  });

  it("says whether a mailbox is on and how many messages are new", () => {
    expect(mailboxWords(undefined)).toBe("Off");
    expect(mailboxWords(boxes[2])).toBe("Off");
    expect(mailboxWords(boxes[0])).toBe("On");
    expect(mailboxWords(boxes[1])).toBe("On · 1 new");
  });
});

describe("audio addresses", () => {
  it("joins the API's base URL and the message's path, for playing or saving", () => {
    const m = msg(7, "201", 1);
    expect(audioUrl("http://127.0.0.1:8080", m)).toBe("http://127.0.0.1:8080/api/voicemail/7/audio");
    expect(audioUrl("http://127.0.0.1:8080/", m, true)).toBe("http://127.0.0.1:8080/api/voicemail/7/audio?download");
  });
});

describe("marking heard", () => {
  it("changes only that message", () => {
    const list = [msg(1, "201", 1), msg(2, "201", 2)];
    const next = withHeard(list, 2, true);
    expect(next.map((m) => m.heard)).toEqual([false, true]);
    expect(list[1]!.heard).toBe(false);
  });

  it("moves one message between new and saved, never below zero", () => {
    expect(countsWithHeard(boxes, "202", true)[1]).toEqual({ number: "202", enabled: true, new_count: 0, saved_count: 1 });
    expect(countsWithHeard(boxes, "201", false)[0]).toEqual({ number: "201", enabled: true, new_count: 1, saved_count: 0 });
    expect(countsWithHeard(boxes, "1000", true)[2]!.new_count).toBe(0);
    expect(newCount(boxes)).toBe(1);
    expect(newCount(countsWithHeard(boxes, "201", false))).toBe(2);
  });
});
