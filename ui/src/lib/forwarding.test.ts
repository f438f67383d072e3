import { describe, expect, it } from "vitest";
import type { CallForwarding } from "../api/types";
import { forwardingWords, fromForm, isActive, toForm } from "./forwarding";

const off: CallForwarding = {
  number: "201",
  dnd: false,
  forward_always: null,
  forward_busy: null,
  forward_no_answer: null,
  no_answer_seconds: 20,
};

describe("forwarding words", () => {
  it("says when nothing is set", () => {
    expect(isActive(off)).toBe(false);
    expect(forwardingWords(off)).toBe("Rings as usual");
    expect(forwardingWords(undefined)).toBe("Rings as usual");
  });

  it("puts do-not-disturb first, then forward always", () => {
    expect(forwardingWords({ ...off, dnd: true, forward_always: "202" })).toBe("Do not disturb");
    expect(forwardingWords({ ...off, forward_always: "202" })).toBe("All calls to 202");
  });

  it("lists busy and no-answer forwards with the ring time", () => {
    expect(forwardingWords({ ...off, forward_busy: "202", forward_no_answer: "+4420", no_answer_seconds: 15 })).toBe(
      "Busy → 202, no answer after 15 s → +4420",
    );
  });
});

describe("forwarding form", () => {
  it("round-trips and treats blank targets as off", () => {
    const form = toForm({ ...off, forward_busy: "202" });
    expect(form.forward_busy).toBe("202");
    form.forward_busy = "  ";
    form.forward_always = " 203 ";
    expect(fromForm("201", form)).toEqual({ ...off, forward_always: "203" });
  });

  it("sends an unreadable ring time as 0 so the server names the field", () => {
    const form = toForm(off);
    form.no_answer_seconds = "ten";
    expect(fromForm("201", form).no_answer_seconds).toBe(0);
  });
});
