import { describe, expect, it } from "vitest";
import {
  callClock,
  callStateWords,
  cleanNumber,
  currentCalls,
  dialError,
  isDialChar,
  phoneEvent,
  qualityWords,
  recentCalls,
  registrationWords,
  type PhoneAccount,
  type PhoneCall,
} from "./phone";

const account: PhoneAccount = {
  server: "pbx.example:5060",
  transport: "udp",
  user: "201",
  auth_user: null,
  display_name: "Jane",
  password_set: true,
  tls_fingerprint: null,
  direct_port: null,
};

function call(over: Partial<PhoneCall> = {}): PhoneCall {
  return {
    id: 1,
    direction: "out",
    number: "202",
    name: null,
    state: "talking",
    held_by_far_end: false,
    muted: false,
    started_at: 1000,
    answered_at: 1002,
    ended_reason: null,
    codec: null,
    encrypted: false,
    transfer: null,
    consult_for: null,
    quality: { loss_percent: null, far_loss_percent: null, jitter_ms: null, round_trip_ms: null },
    ...over,
  };
}

describe("callClock", () => {
  it("shows minutes and seconds since the answer", () => {
    expect(callClock(1000, 1000)).toBe("00:00");
    expect(callClock(1000, 1075)).toBe("01:15");
    expect(callClock(1000, 1000 + 59 * 60 + 59)).toBe("59:59");
  });
  it("adds hours past an hour", () => {
    expect(callClock(0, 3600 + 61)).toBe("1:01:01");
  });
  it("never goes negative when clocks disagree", () => {
    expect(callClock(1000, 990)).toBe("00:00");
  });
});

describe("qualityWords", () => {
  const none = { loss_percent: null, far_loss_percent: null, jitter_ms: null, round_trip_ms: null };
  it("says nothing before the first report", () => {
    expect(qualityWords(none)).toBeNull();
    expect(qualityWords(call().quality)).toBeNull();
  });
  it("names loss both ways, jitter and round trip as far as known", () => {
    expect(
      qualityWords({ loss_percent: 2, far_loss_percent: 0, jitter_ms: 4, round_trip_ms: 38 }),
    ).toBe("Loss 2 % in, 0 % out · Jitter 4 ms · Round trip 38 ms");
    expect(qualityWords({ ...none, loss_percent: 10, jitter_ms: 12 })).toBe(
      "Loss 10 % in, ? out · Jitter 12 ms",
    );
  });
});

describe("registrationWords", () => {
  it("says the phone is not set up without an account", () => {
    expect(registrationWords({ state: "off", reason: null }, null)).toMatch(/Not set up/);
  });
  it("says Registered with the user and server", () => {
    const w = registrationWords({ state: "registered", reason: null }, account);
    expect(w).toMatch(/^Registered/);
    expect(w).toContain("201");
    expect(w).toContain("pbx.example:5060");
  });
  it("gives the reason and what to do when it failed", () => {
    const w = registrationWords({ state: "failed", reason: "wrong password" }, account);
    expect(w).toContain("wrong password");
    expect(w).toMatch(/Check/);
  });
  it("says connecting while registering", () => {
    expect(registrationWords({ state: "registering", reason: null }, account)).toMatch(/Connecting/);
  });
});

describe("callStateWords", () => {
  it("tells an incoming ring from an outgoing one", () => {
    expect(callStateWords(call({ state: "ringing", direction: "in" }))).toBe("Incoming call");
    expect(callStateWords(call({ state: "ringing", direction: "out" }))).toBe("Ringing");
  });
  it("names hold, mute, far-end hold and the end reason", () => {
    expect(callStateWords(call({ state: "held" }))).toBe("On hold");
    expect(callStateWords(call({ muted: true }))).toBe("Talking (muted)");
    expect(callStateWords(call({ held_by_far_end: true }))).toBe("Held by the other side");
    expect(callStateWords(call({ state: "ended", ended_reason: "busy" }))).toBe("Ended: busy");
    expect(callStateWords(call({ state: "ended" }))).toBe("Ended");
  });
});

describe("dial pad input", () => {
  it("accepts digits, star, hash and plus only", () => {
    for (const ch of "0123456789*#+") expect(isDialChar(ch)).toBe(true);
    for (const ch of ["a", " ", "-", "Enter"]) expect(isDialChar(ch)).toBe(false);
  });
  it("drops separators and keeps a leading plus only", () => {
    expect(cleanNumber("(030) 123-45 67")).toBe("0301234567");
    expect(cleanNumber("+49+30")).toBe("+4930");
  });
  it("refuses empty numbers and letters", () => {
    expect(dialError("")).toMatch(/Enter a number/);
    expect(dialError("  - ")).toMatch(/Enter a number/);
    expect(dialError("20a")).toMatch(/digits/);
    expect(dialError("1".repeat(33))).toMatch(/too long/);
    expect(dialError("*97")).toBeNull();
    expect(dialError("+49 30 123")).toBeNull();
  });
});

describe("call lists", () => {
  it("splits current and ended calls, newest first", () => {
    const calls = [
      call({ id: 1, state: "ended", started_at: 10 }),
      call({ id: 2, started_at: 20 }),
      call({ id: 3, state: "ended", started_at: 30 }),
      call({ id: 4, state: "ringing", started_at: 40 }),
    ];
    expect(currentCalls(calls).map((c) => c.id)).toEqual([4, 2]);
    expect(recentCalls(calls).map((c) => c.id)).toEqual([3, 1]);
  });
});

describe("phoneEvent", () => {
  it("reads phone_changed and phone_incoming, ignores the rest", () => {
    expect(phoneEvent({ type: "phone_changed" })).toBe("changed");
    expect(phoneEvent({ type: "phone_incoming", call: 5, name: null, number: "202" })).toEqual({
      call: 5,
      name: null,
      number: "202",
    });
    expect(phoneEvent({ type: "phone_incoming", number: "202" })).toBeNull();
    expect(phoneEvent({ type: "call_ringing" })).toBeNull();
    expect(phoneEvent(null)).toBeNull();
  });
});
