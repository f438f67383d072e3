import { describe, expect, it } from "vitest";
import {
  fromScheduleDraft,
  holidayErrors,
  hoursSummary,
  isTime,
  newScheduleDraft,
  officeHours,
  periodErrors,
  samePeriods,
  scheduleDraftErrors,
  tidyTime,
} from "./hours";

describe("business hours", () => {
  it("checks times and says which period is wrong", () => {
    expect(isTime("09:00")).toBe(true);
    expect(isTime("24:00")).toBe(false);
    expect(isTime("9:00")).toBe(false);
    const errors = periodErrors([
      { day: 1, open: "09:00", close: "17:00" },
      { day: 1, open: "16:00", close: "18:00" },
      { day: 2, open: "17:00", close: "09:00" },
      { day: 3, open: "9am", close: "17:00" },
      { day: 1, open: "17:00", close: "18:00" },
    ]);
    expect([...errors.entries()]).toEqual([
      [2, "Closing time must be after opening time."],
      [3, "Opening time must be like 09:00."],
      [1, "Overlaps 09:00–17:00 on the same day."],
    ]);
  });

  it("tidies times as people type them", () => {
    expect(tidyTime("9")).toBe("09:00");
    expect(tidyTime("9:30")).toBe("09:30");
    expect(tidyTime("1730")).toBe("17:30");
    expect(tidyTime("17.30")).toBe("17:30");
    expect(tidyTime("noon")).toBe("noon");
  });

  it("checks holiday dates", () => {
    const errors = holidayErrors([
      { date: "2025-12-25", name: "Christmas" },
      { date: "2025-02-30", name: "No such day" },
      { date: "2025-12-25", name: "Again" },
      { date: "25/12/2025", name: "Wrong format" },
    ]);
    expect([...errors.entries()]).toEqual([
      [1, "Date must be like 2025-12-25."],
      [2, "This date is already listed."],
      [3, "Date must be like 2025-12-25."],
    ]);
  });

  it("sums up the week in one line", () => {
    expect(hoursSummary(officeHours())).toBe("Mon–Fri 09:00–17:00");
    expect(hoursSummary([...samePeriods([1, 2], "08:00", "12:00"), ...samePeriods([1, 2], "13:00", "17:00"), { day: 6, open: "10:00", close: "13:00" }])).toBe(
      "Mon–Tue 08:00–12:00, 13:00–17:00; Sat 10:00–13:00",
    );
    expect(hoursSummary([{ day: 1, open: "09:00", close: "17:00" }, { day: 3, open: "09:00", close: "17:00" }])).toBe(
      "Mon 09:00–17:00; Wed 09:00–17:00",
    );
    expect(hoursSummary([])).toBe("Closed all week");
  });
});

describe("schedule form", () => {
  it("says what is missing before saving, and saves sorted periods", () => {
    const d = newScheduleDraft();
    expect(d.periods).toHaveLength(5);
    expect(Object.keys(scheduleDraftErrors(d)).sort()).toEqual(["closed", "open"]);
    d.open = { kind: "extension", target: "1001" };
    d.closed = { kind: "hangup" };
    d.holidays = [{ date: "2025-13-01", name: " x " }];
    expect(scheduleDraftErrors(d)).toEqual({ holidays: "Fix the marked holidays." });
    d.holidays = [{ date: "2025-12-25", name: " Christmas " }];
    d.periods = [{ day: 6, open: "10:00", close: "12:00" }, { day: 1, open: "09:00", close: "17:00" }];
    const s = fromScheduleDraft(d);
    expect(s.periods.map((p) => p.day)).toEqual([1, 6]);
    expect(s.holidays).toEqual([{ date: "2025-12-25", name: "Christmas" }]);
  });
});
