import { describe, expect, it } from "vitest";
import { defaultLabel, normalizeNumber, previewNameList, withServerErrors } from "./namelist";

describe("name list preview", () => {
  it("reads one name per line with an optional label", () => {
    const rows = previewNameList("sales.acme +44 20 7123 4567 [Sales team]\n\n# comment\nsupport.acme 0044 20 7123 4568\n");
    expect(rows).toEqual([
      { line: 1, name: "sales.acme", number: "+44 20 7123 4567", label: "Sales team", error: null },
      { line: 4, name: "support.acme", number: "0044 20 7123 4568", label: "Support", error: null },
    ]);
  });

  it("reads CSV with or without a header row", () => {
    const rows = previewNameList("name,number,label\nsales.acme,+442071234567,Sales\n\"stephen.acme\",020 7123 4569\n");
    expect(rows.map((r) => [r.line, r.name, r.number, r.label, r.error])).toEqual([
      [2, "sales.acme", "+442071234567", "Sales", null],
      [3, "stephen.acme", "020 7123 4569", "Stephen", null],
    ]);
  });

  it("marks each bad line with its number and reason", () => {
    const rows = previewNameList("sales.acme +442071234567\nsupport.acme\nbad name! 123\nsales.acme +442071234999\nother.acme 0044 20 7123 4567\nfax.acme 12ab");
    const errors = rows.filter((r) => r.error).map((r) => [r.line, r.error]);
    expect(errors).toEqual([
      [2, "The number for support.acme is missing."],
      [3, "“name! 123” is not a phone number: use digits, and + at the start."],
      [4, "sales.acme is listed twice (also on line 1)."],
      [5, "The number 0044 20 7123 4567 is listed twice (also on line 1)."],
      [6, "“12ab” is not a phone number: use digits, and + at the start."],
    ]);
  });

  it("refuses names and numbers already saved", () => {
    const rows = previewNameList("sales.acme +1 555 0100\nnew.acme +1 555 0101", [{ name: "Sales.Acme", number: "+15550199" }, { name: "x", number: "001 555 0101" }]);
    expect(rows.map((r) => r.error)).toEqual(["Sales.acme is already saved.".replace("Sales.acme", "sales.acme"), "The number +1 555 0101 is already saved."]);
  });

  it("normalises numbers and labels as the server does", () => {
    expect(normalizeNumber(" 0044 (20) 7123-4567 ")).toBe("+442071234567");
    expect(normalizeNumber("+1.555/0100")).toBe("+15550100");
    expect(defaultLabel("sales.acme")).toBe("Sales");
    expect(defaultLabel("")).toBe("");
  });

  it("takes the server's line errors over its own", () => {
    const rows = previewNameList("a.acme 1\nb.acme 2");
    const merged = withServerErrors(rows, [
      { line: 2, message: "number 2 is already used by a.acme" },
      { line: 7, message: "line 7 is odd" },
    ]);
    expect(merged.map((r) => [r.line, r.error])).toEqual([
      [1, null],
      [2, "number 2 is already used by a.acme"],
      [7, "line 7 is odd"],
    ]);
  });
});
