import { describe, expect, it } from "vitest";
import type { ConferenceParticipant } from "../api/types";
import { byRoom, participantState, participantWords, peopleWords, suggestRoomNumber } from "./conference";

function p(id: number, room: string, joined_at: number, extra: Partial<ConferenceParticipant> = {}): ConferenceParticipant {
  return { id, room, number: `10${id}`, name: null, codec: "PCMU", muted: false, in_room: true, joined_at, ...extra };
}

describe("conference rooms", () => {
  it("groups participants by room in the order they joined", () => {
    const rooms = byRoom([p(3, "800", 30), p(1, "800", 10), p(2, "801", 20)]);
    expect([...rooms.keys()].sort()).toEqual(["800", "801"]);
    expect(rooms.get("800")!.map((x) => x.id)).toEqual([1, 3]);
  });

  it("says who a participant is and what they are doing", () => {
    expect(participantWords(p(1, "800", 0, { name: "Alice", number: "1001" }))).toBe("Alice (1001)");
    expect(participantWords(p(1, "800", 0, { number: "1001" }))).toBe("1001");
    expect(participantState(p(1, "800", 0, { in_room: false }))).toBe("Typing the PIN");
    expect(participantState(p(1, "800", 0, { muted: true }))).toBe("Muted");
    expect(participantState(p(1, "800", 0))).toBe("Talking");
    expect(peopleWords(0)).toBe("Nobody");
    expect(peopleWords(1)).toBe("1 person");
    expect(peopleWords(3)).toBe("3 people");
  });

  it("suggests a room number nobody has", () => {
    expect(suggestRoomNumber([], [])).toBe("800");
    expect(suggestRoomNumber([{ number: "800", name: "A", has_pin: false }], ["801"])).toBe("802");
  });
});
