import { describe, expect, it } from "vitest";
import { destinationKey, destinationWords, isAvailable, KIND_CHOICES, makeDestination, targetKnown, type Directory } from "./destinations";

const dir: Directory = {
  extensions: [{ number: "1001", name: "Alice" }],
  groups: [{ number: "600", name: "Sales" }],
  schedules: [{ id: 4, name: "Office hours" }],
};

describe("destinations", () => {
  it("names each destination in words", () => {
    expect(destinationWords({ kind: "extension", target: "1001" }, dir)).toBe("Alice (1001)");
    expect(destinationWords({ kind: "ring_group", target: "600" }, dir)).toBe("Ring group Sales (600)");
    expect(destinationWords({ kind: "hours", target: 4 }, dir)).toBe("Business hours: Office hours");
    const withDest: Directory = {
      ...dir,
      schedules: [{ id: 4, name: "Office hours", open: { kind: "ring_group", target: "600" }, closed: { kind: "hangup" } }],
    };
    expect(destinationWords({ kind: "hours", target: 4 }, withDest)).toBe("Ring group Sales (600) during Office hours, otherwise hang up");
    expect(destinationWords({ kind: "hangup" }, dir)).toBe("Hang up");
    expect(destinationWords({ kind: "extension", target: "1999" }, dir)).toBe("1999");
  });

  it("names conference rooms and whose voicemail, all available", () => {
    expect(destinationWords({ kind: "voicemail", target: "1001" }, dir)).toBe("Voicemail of Alice (1001)");
    expect(destinationWords({ kind: "voicemail", target: "600" }, dir)).toBe("Voicemail of Sales (600)");
    expect(destinationWords({ kind: "conference", target: "800" }, dir)).toBe("Conference room 800");
    expect(isAvailable({ kind: "conference", target: "800" })).toBe(true);
    expect(isAvailable({ kind: "voicemail", target: "1001" })).toBe(true);
    expect(isAvailable({ kind: "extension", target: "1001" })).toBe(true);
    expect(KIND_CHOICES.filter((c) => !c.available).map((c) => c.kind)).toEqual([]);
  });

  it("picks a sensible target when the kind changes", () => {
    expect(makeDestination("extension", "", dir)).toEqual({ kind: "extension", target: "1001" });
    expect(makeDestination("ring_group", "", dir)).toEqual({ kind: "ring_group", target: "600" });
    expect(makeDestination("hours", "", dir)).toEqual({ kind: "hours", target: 4 });
    expect(makeDestination("hours", "7", dir)).toEqual({ kind: "hours", target: 7 });
    expect(makeDestination("hangup", "1001", dir)).toEqual({ kind: "hangup" });
    // Rooms are not in the directory: a room is never taken from the extensions.
    expect(makeDestination("conference", "", dir)).toEqual({ kind: "conference", target: "" });
    expect(makeDestination("conference", "800", dir)).toEqual({ kind: "conference", target: "800" });
  });

  it("keys and checks targets", () => {
    expect(destinationKey({ kind: "extension", target: "1001" })).toBe("extension:1001");
    expect(destinationKey({ kind: "hangup" })).toBe("hangup");
    expect(targetKnown({ kind: "extension", target: "1002" }, dir)).toBe(false);
    expect(targetKnown({ kind: "hours", target: 4 }, dir)).toBe(true);
  });
});
