// Conference rooms in words: who is in each room, and what each participant is doing.

import type { ConferenceParticipant, ConferenceRoom } from "../api/types";

/** The participants of each room, by room number, in the order they joined. */
export function byRoom(participants: readonly ConferenceParticipant[]): Map<string, ConferenceParticipant[]> {
  const rooms = new Map<string, ConferenceParticipant[]>();
  for (const p of [...participants].sort((a, b) => a.joined_at - b.joined_at || a.id - b.id)) {
    const list = rooms.get(p.room) ?? [];
    list.push(p);
    rooms.set(p.room, list);
  }
  return rooms;
}

/** "Alice (1001)", or the number alone when the caller gave no name. */
export function participantWords(p: ConferenceParticipant): string {
  return p.name && p.name !== p.number ? `${p.name} (${p.number})` : p.number;
}

/** What the participant is doing now, as the page's state column says it. */
export function participantState(p: ConferenceParticipant): string {
  if (!p.in_room) return "Typing the PIN";
  return p.muted ? "Muted" : "Talking";
}

/** "1 person", "3 people", "Nobody". */
export function peopleWords(n: number): string {
  if (n === 0) return "Nobody";
  return n === 1 ? "1 person" : `${n} people`;
}

/** A free number for a new room: 800 if nobody has it, else the next free after the rooms. */
export function suggestRoomNumber(rooms: readonly ConferenceRoom[], taken: readonly string[]): string {
  const used = new Set([...rooms.map((r) => r.number), ...taken]);
  for (let n = 800; n < 10_000; n++) {
    if (!used.has(String(n))) return String(n);
  }
  return "";
}
