import { describe, expect, it } from "vitest";
import type { RecordingSettings } from "../api/types";
import {
  historyLink,
  isAlways,
  numberFromHash,
  retentionWords,
  sizeWords,
  triggerWords,
  wholeNumber,
  withAlways,
} from "./recordings";

const settings: RecordingSettings = {
  retention_days: 0,
  min_free_mb: 500,
  always: { extensions: ["201"], ring_groups: [], business_names: ["sales.acme"] },
  free_mb: 12_000,
  last_alert: null,
};

describe("recordings", () => {
  it("says why a call was recorded", () => {
    expect(triggerWords({ trigger: "on_demand", trigger_name: null })).toBe("Record pressed");
    expect(triggerWords({ trigger: "extension", trigger_name: "201" })).toBe("Always on for extension 201");
    expect(triggerWords({ trigger: "ring_group", trigger_name: "600" })).toBe("Always on for ring group 600");
    expect(triggerWords({ trigger: "business_name", trigger_name: "sales.acme" })).toBe("Always on for sales.acme");
  });

  it("tells flags apart by kind and changes one at a time", () => {
    expect(isAlways(settings, "extension", "201")).toBe(true);
    expect(isAlways(settings, "ring_group", "201")).toBe(false);
    expect(isAlways(null, "extension", "201")).toBe(false);
    const on = withAlways(settings, "ring_group", "600", true);
    expect(on.always.ring_groups).toEqual(["600"]);
    expect(on.always.extensions).toEqual(["201"]);
    const off = withAlways(on, "extension", "201", false);
    expect(off.always.extensions).toEqual([]);
    expect(settings.always.extensions).toEqual(["201"]);
  });

  it("words sizes, retention and numbers", () => {
    expect(sizeWords(1_460_000)).toBe("1.5 MB");
    expect(sizeWords(56_044)).toBe("56 kB");
    expect(retentionWords(0)).toBe("Kept until deleted");
    expect(retentionWords(30)).toBe("Deleted after 30 days");
    expect(wholeNumber(" 30 ")).toBe(30);
    expect(wholeNumber("3.5")).toBeNull();
    expect(wholeNumber("")).toBeNull();
  });

  it("links a recording to the history of its caller's number", () => {
    expect(historyLink("+1 555")).toBe("#/calls?number=%2B1%20555");
    expect(numberFromHash(historyLink("+1 555"))).toBe("+1 555");
    expect(numberFromHash("#/calls")).toBe("");
  });
});
