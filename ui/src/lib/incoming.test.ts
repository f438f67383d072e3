import { describe, expect, it } from "vitest";
import { callerHeadline, incomingCallId, splitCaller } from "./incoming";

describe("incomingCallId", () => {
  it("reads the call from the address", () => {
    expect(incomingCallId("#/incoming?call=12")).toBe(12);
    expect(incomingCallId("#/incoming?call=3&x=1")).toBe(3);
  });
  it("refuses an address without a call number", () => {
    expect(incomingCallId("#/incoming")).toBeNull();
    expect(incomingCallId("#/incoming?call=abc")).toBeNull();
    expect(incomingCallId("#/incoming?call=-1")).toBeNull();
  });
});

describe("splitCaller", () => {
  it("splits the business name the PBX puts first", () => {
    expect(splitCaller({ name: "[Sales] Jane Doe", number: "+15550100" })).toEqual({
      business: "Sales",
      name: "Jane Doe",
      number: "+15550100",
    });
  });
  it("keeps a business name with no caller name, showing the number large", () => {
    const c = splitCaller({ name: "[Acme Support]", number: "+15550100" });
    expect(c).toEqual({ business: "Acme Support", name: null, number: "+15550100" });
    expect(callerHeadline(c)).toBe("+15550100");
  });
  it("leaves an internal caller's name alone", () => {
    expect(splitCaller({ name: "Bob", number: "202" })).toEqual({ business: null, name: "Bob", number: "202" });
    expect(splitCaller({ name: null, number: "202" })).toEqual({ business: null, name: null, number: "202" });
    expect(splitCaller({ name: "Bob [home]", number: "202" }).business).toBeNull();
  });
});
