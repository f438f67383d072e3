import { describe, expect, it } from "vitest";
import { isBareHash, PAGES, parseHash } from "./router.svelte";

describe("pages in the address", () => {
  it("reads every page, and falls back to Extensions", () => {
    expect(parseHash("#/trunks")).toBe("trunks");
    expect(parseHash("#/setup")).toBe("setup");
    expect(parseHash("#/names?x=1")).toBe("names");
    expect(parseHash("#/nothing")).toBe("extensions");
    expect(parseHash("#/incoming?call=3")).toBe("incoming");
    expect(PAGES.filter((p) => !p.nav).map((p) => p.id)).toEqual(["setup", "incoming"]);
  });

  it("knows a first visit (no page named) from one that asked for a page", () => {
    expect(isBareHash("")).toBe(true);
    expect(isBareHash("#")).toBe(true);
    expect(isBareHash("#/")).toBe(true);
    expect(isBareHash("#/extensions")).toBe(false);
  });
});
