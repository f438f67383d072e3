import { describe, expect, it } from "vitest";
import type { FeatureCode } from "../api/types";
import { grouped, howWords } from "./featurecodes";

const code = (c: Partial<FeatureCode>): FeatureCode => ({
  code: "*78",
  argument: "none",
  usage: "dial",
  description: "Do not disturb on",
  available: true,
  ...c,
});

describe("feature codes", () => {
  it("says how each kind is used", () => {
    expect(howWords(code({}))).toBe("Dial *78");
    expect(howWords(code({ code: "*72", argument: "number" }))).toBe("Dial *72 and the number");
    expect(howWords(code({ code: "*8", argument: "optional_extension" }))).toBe("Dial *8, or *8 and an extension");
    expect(howWords(code({ code: "##", argument: "number", usage: "in_call" }))).toBe(
      "During a call, press ## and the number",
    );
  });

  it("groups dialled codes before in-call ones and drops empty groups", () => {
    const groups = grouped([code({ code: "*1", usage: "in_call" }), code({})]);
    expect(groups.map((g) => g.title)).toEqual(["Dial from a phone", "Press during a call"]);
    expect(groups[0]!.codes[0]!.code).toBe("*78");
    expect(grouped([code({})]).length).toBe(1);
  });
});
