import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { errorSentence, formErrors, renameFields, rowErrors } from "./fielderrors";

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

describe("renaming list fields", () => {
  it("puts list entries on the list's field and drops what another place shows", () => {
    const err = ApiError.fromBody({
      message: "invalid",
      fields: { "periods.3.open": "25:00 is not a time like 09:00", "periods.4.close": "x", open: "There is no extension 1009", "members.1.number": "1001 is already a member" },
    });
    const renamed = renameFields(err, [
      [/^periods\./, "periods"],
      [/^members\.\d/, null],
    ]);
    expect(formErrors(renamed, ["periods", "open", "number"])).toEqual({
      fields: { periods: "25:00 is not a time like 09:00.", open: "There is no extension 1009." },
      message: null,
    });
    expect(renameFields("boom", [])).toBe("boom");
  });
});

describe("one sentence for an error", () => {
  it("prefers a field's message to the general one", () => {
    expect(errorSentence(ApiError.fromBody({ message: "invalid business name", fields: { destination: "there is no extension 1009" } }))).toBe(
      "There is no extension 1009.",
    );
    expect(errorSentence(ApiError.fromBody({ message: "business name 9 does not exist" }))).toBe("Business name 9 does not exist.");
    expect(errorSentence(new Error(""))).toBe("Something went wrong.");
  });
});
