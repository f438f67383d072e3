import { describe, expect, it } from "vitest";
import { lineErrorsFrom } from "./plan";

describe("import line errors", () => {
  it("reads text.<line> fields as line numbers, in order", () => {
    expect(lineErrorsFrom({ "text.12": "the number is missing", "text.3": "not a name", text: "empty", name: "x" })).toEqual([
      { line: 3, message: "not a name" },
      { line: 12, message: "the number is missing" },
    ]);
  });
});
