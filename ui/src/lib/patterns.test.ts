import { describe, expect, it } from "vitest";
import { numberToSend, patternError, patternMatches, routeFor, splitPatterns } from "./patterns";
import type { OutboundRoute } from "../api/plan";

describe("dial patterns", () => {
  it("matches digits, classes, sets and the trailing wildcards", () => {
    expect(patternMatches("0.", "02071234567")).toBe(true);
    expect(patternMatches("0.", "0")).toBe(false);
    expect(patternMatches("0!", "0")).toBe(true);
    expect(patternMatches("+44.", "+442071234567")).toBe(true);
    expect(patternMatches("NXXXXXX", "5551234")).toBe(true);
    expect(patternMatches("NXXXXXX", "1551234")).toBe(false);
    expect(patternMatches("ZXX", "099")).toBe(false);
    expect(patternMatches("[1-3]5", "25")).toBe(true);
    expect(patternMatches("[135]5", "25")).toBe(false);
    expect(patternMatches("112", "1123")).toBe(false);
  });

  it("says what is wrong with a pattern", () => {
    expect(patternError("0.")).toBeNull();
    expect(patternError("0.1")).toBe("“.” may only end a pattern.");
    expect(patternError("[1-5")).toBe("A “[” has no closing “]”.");
    expect(patternError("0a")).toBe("“a” cannot be used in a pattern.");
    expect(patternError(" ")).toBe("A pattern cannot be empty.");
  });

  it("finds the first matching route and what it sends", () => {
    const routes: OutboundRoute[] = [
      { id: 1, name: "UK", patterns: ["0."], strip: 1, prepend: "+44", trunks: [1] },
      { id: 2, name: "Anything", patterns: ["+.", "00."], strip: 0, prepend: "", trunks: [2] },
    ];
    expect(routeFor(routes, "020 7123 4567")).toMatchObject({ index: 0, send: "+442071234567" });
    expect(routeFor(routes, "+15550100")).toMatchObject({ index: 1, send: "+15550100" });
    expect(routeFor(routes, "1234")).toBeNull();
    expect(numberToSend({ strip: 5, prepend: "9" }, "12")).toBe("9");
    expect(splitPatterns("0.\n+44., 00.  ")).toEqual(["0.", "+44.", "00."]);
  });
});
