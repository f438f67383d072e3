import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { formErrors, rowErrors } from "./fielderrors";

describe("validation errors next to fields", () => {
  it("puts each field error next to its field", () => {
    const err = ApiError.fromBody({
      message: "invalid extension",
      fields: { number: "must be 2 to 10 digits", name: "must not be empty" },
    });
    expect(formErrors(err, ["number", "name"])).toEqual({
      fields: { number: "Must be 2 to 10 digits.", name: "Must not be empty." },
      message: null,
    });
  });

  it("matches nested names by their last segment and through aliases", () => {
    const err = ApiError.fromBody({
      message: "invalid settings",
      fields: { "settings.rtp_port_min": "must be below the last port", "settings.sip_listen[1]": "not an address", sip_udp: "pick one" },
    });
    expect(formErrors(err, ["rtp_port_min", "sip_listen", "transports"], { sip_udp: "transports" })).toEqual({
      fields: {
        rtp_port_min: "Must be below the last port.",
        sip_listen: "Not an address.",
        transports: "Pick one.",
      },
      message: null,
    });
  });

  it("says errors for fields the form does not show at the top", () => {
    const err = ApiError.fromBody({ message: "invalid", fields: { realm: "too long" } });
    expect(formErrors(err, ["name"])).toEqual({ fields: {}, message: "Realm: too long." });
  });

  it("uses the message when there are no field errors", () => {
    expect(formErrors(ApiError.fromBody({ message: "extension 1009 does not exist" }), ["name"])).toEqual({
      fields: {},
      message: "Extension 1009 does not exist.",
    });
    expect(formErrors(new ApiError("network", "Can't reach Switchboard."), ["name"]).message).toBe("Can't reach Switchboard.");
    expect(formErrors("boom", ["name"]).message).toBe("Something went wrong.");
  });

  it("reads a malformed error body without failing", () => {
    const err = ApiError.fromBody({ fields: { name: 5, number: "bad" } });
    expect(err.message).toBe("The request failed.");
    expect(err.fields).toEqual({ number: "bad" });
  });
});

describe("errors for rows of a list", () => {
  it("groups errors by row and field", () => {
    const m = rowErrors(
      { "routes.2.patterns.0": "pattern 0a does not parse", "routes[0].trunks": "unknown trunk 9", "routes.2": "bad route", name: "x" },
      "routes",
    );
    expect([...m.entries()]).toEqual([
      [2, { patterns: "Pattern 0a does not parse.", _row: "Bad route." }],
      [0, { trunks: "Unknown trunk 9." }],
    ]);
  });
});
