import { describe, expect, it } from "vitest";
import {
  reasonParts,
  callStateWords,
  clock,
  devicesWords,
  durationWords,
  outcomeWords,
  party,
  phoneServer,
  sentence,
  whenWords,
} from "./format";
import { suggestNumber } from "./suggest";

describe("durations in words", () => {
  it.each([
    [0, "less than a second"],
    [1, "1 second"],
    [45, "45 seconds"],
    [60, "1 minute"],
    [61, "1 minute 1 second"],
    [125, "2 minutes 5 seconds"],
    [3600, "1 hour"],
    [3725, "1 hour 2 minutes"],
    [7322, "2 hours 2 minutes"],
    [-5, "less than a second"],
  ])("%i s → %s", (s, words) => {
    expect(durationWords(s)).toBe(words);
  });

  it("runs a clock for live calls", () => {
    expect(clock(7)).toBe("0:07");
    expect(clock(754)).toBe("12:34");
    expect(clock(3723)).toBe("1:02:03");
  });
});

describe("status words", () => {
  it("says every outcome in words with a meaningful tone", () => {
    expect(outcomeWords("answered")).toEqual({ text: "Answered", tone: "ok" });
    expect(outcomeWords("no_answer").text).toBe("Not answered");
    expect(outcomeWords("not_found").tone).toBe("failing");
    expect(outcomeWords("something_new")).toEqual({ text: "Something new", tone: "neutral" });
  });

  it("says how an extension's phones are doing", () => {
    const d = { extension: "1001", contact: "c", transport: "udp" as const, address: "s", user_agent: null, expires_in: 60 };
    expect(devicesWords([])).toEqual({ text: "No phone connected", tone: "neutral" });
    expect(devicesWords([d])).toEqual({ text: "Phone online", tone: "ok" });
    expect(devicesWords([d, d]).text).toBe("2 phones online");
  });

  it("names live call states", () => {
    expect(callStateWords("ringing").text).toBe("Ringing");
    expect(callStateWords("answered").text).toBe("In call");
    expect(callStateWords("ended").text).toBe("Ended");
  });

  it("names a party by name and number", () => {
    expect(party("1001", "Alice")).toBe("Alice (1001)");
    expect(party("1001", null)).toBe("1001");
    expect(party("1001", "1001")).toBe("1001");
  });

  it("turns API messages into sentences", () => {
    expect(sentence("must be 2 to 10 digits")).toBe("Must be 2 to 10 digits.");
    expect(sentence("Already taken.")).toBe("Already taken.");
  });

  it("says when, relative to today", () => {
    const now = new Date(2025, 4, 20, 15, 0);
    const at = (d: Date) => Math.floor(d.getTime() / 1000);
    expect(whenWords(at(new Date(2025, 4, 20, 9, 5)), now, "en-GB")).toBe("Today 9:05");
    expect(whenWords(at(new Date(2025, 4, 19, 23, 59)), now, "en-GB")).toBe("Yesterday 23:59");
    expect(whenWords(at(new Date(2025, 2, 3, 8, 0)), now, "en-GB")).toBe("3 Mar 8:00");
    expect(whenWords(at(new Date(2024, 2, 3, 8, 0)), now, "en-GB")).toBe("3 Mar 2024 8:00");
  });

  it("tells phones where to register", () => {
    expect(phoneServer(["192.168.1.10:5060"])).toBe("192.168.1.10:5060");
    expect(phoneServer(["0.0.0.0:5060", "[::]:5060"])).toBe("this computer's address, port 5060");
    expect(phoneServer([])).toBeNull();
  });
});

describe("suggested extension numbers", () => {
  it("starts at 1001 and follows the highest", () => {
    expect(suggestNumber([])).toBe("1001");
    expect(suggestNumber(["1001", "1002"])).toBe("1003");
    expect(suggestNumber(["1001", "1007", "1002"])).toBe("1008");
    expect(suggestNumber(["099"])).toBe("100");
    expect(suggestNumber(["10", "sales"])).toBe("11");
  });

  it("keeps the width of the numbers in use", () => {
    expect(suggestNumber(["0042"])).toBe("0043");
  });

  it("finds a gap when the top is full", () => {
    expect(suggestNumber(["9999999999"])).toBe("10");
  });
});

describe("call reasons", () => {
  it("splits the words from the SIP code", () => {
    expect(reasonParts("603 Decline: the destination hangs up")).toEqual({ words: "The destination hangs up.", code: "603 Decline" });
    expect(reasonParts("480 Temporarily Unavailable")).toEqual({ words: null, code: "480 Temporarily Unavailable" });
    expect(reasonParts("voicemail is not available yet")).toEqual({ words: "Voicemail is not available yet.", code: null });
    expect(reasonParts(null)).toEqual({ words: null, code: null });
  });
});
