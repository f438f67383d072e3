import { describe, expect, it } from "vitest";
import type { BusinessName, Schedule } from "../api/plan";
import { hoursGroups, openDestination, scheduleName, startingDestination, stepOf, STEPS } from "./wizard";

const name = (id: number, destination: BusinessName["destination"]): BusinessName => ({
  id,
  name: `n${id}.acme`,
  number: `+4420000000${id}`,
  label: `N${id}`,
  trunk: null,
  destination,
});

const schedule: Schedule = {
  id: 9,
  name: "Office hours",
  time_zone: "Europe/London",
  periods: [],
  holidays: [],
  open: { kind: "ring_group", target: "600" },
  closed: { kind: "hangup" },
};

describe("setup wizard", () => {
  it("numbers the five setup steps, not the welcome and the end", () => {
    expect(STEPS.map((s) => stepOf(s.id))).toEqual([null, "Step 1 of 5", "Step 2 of 5", "Step 3 of 5", "Step 4 of 5", "Step 5 of 5", null]);
  });

  it("starts each name at the first person unless it already rings somewhere", () => {
    expect(startingDestination(name(1, { kind: "hangup" }), "1001")).toEqual({ kind: "extension", target: "1001" });
    expect(startingDestination(name(1, { kind: "hangup" }), null)).toEqual({ kind: "hangup" });
    expect(startingDestination(name(1, { kind: "ring_group", target: "600" }), "1001")).toEqual({ kind: "ring_group", target: "600" });
  });

  it("looks through a name's schedule for where it rings while open", () => {
    expect(openDestination({ kind: "hours", target: 9 }, [schedule])).toEqual({ kind: "ring_group", target: "600" });
    expect(openDestination({ kind: "hours", target: 3 }, [schedule])).toEqual({ kind: "hours", target: 3 });
  });

  it("makes one schedule per place names ring, for the names chosen", () => {
    const names = [
      name(1, { kind: "extension", target: "1001" }),
      name(2, { kind: "hours", target: 9 }),
      name(3, { kind: "extension", target: "1001" }),
      name(4, { kind: "ring_group", target: "600" }),
      name(5, { kind: "extension", target: "1002" }),
    ];
    const groups = hoursGroups(names, new Set([1, 2, 3, 4]), [schedule]);
    expect(groups.map((g) => [g.key, g.names.map((n) => n.id)])).toEqual([
      ["extension:1001", [1, 3]],
      ["ring_group:600", [2, 4]],
    ]);
    expect(scheduleName("Office hours", groups[0]!, true)).toBe("Office hours — n1.acme, n3.acme");
    expect(scheduleName("Office hours", groups[0]!, false)).toBe("Office hours");
    const many = { key: "k", open: { kind: "hangup" as const }, names: [1, 2, 3, 4, 5].map((i) => name(i, { kind: "hangup" })) };
    expect(scheduleName("Office hours", many, true)).toBe("Office hours — n1.acme, n2.acme, n3.acme and 2 more");
  });
});
