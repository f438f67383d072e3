// Which live calls this screen is recording. The list of live calls does not say whether a
// call is being recorded, so the page keeps what its own start/stop answers said, and
// forgets a call once it has ended (the PBX finishes its recording then).

import type { CallView } from "./live";

/** Call-ID → where its recording will be once stopped. */
export type Recordings = Readonly<Record<string, string>>;

/** Only an answered call that is still going has audio to record. */
export function canRecord(c: Pick<CallView, "state" | "ended_at">): boolean {
  return c.state === "answered" && c.ended_at === null;
}

export function recordingStarted(rec: Recordings, callId: string, path: string): Recordings {
  return { ...rec, [callId]: path };
}

export function recordingStopped(rec: Recordings, callId: string): Recordings {
  if (!(callId in rec)) return rec;
  const { [callId]: _gone, ...rest } = rec;
  return rest;
}

/** Keeps only the calls still live and not ended; the same object when nothing changed. */
export function pruneRecordings(rec: Recordings, calls: readonly CallView[]): Recordings {
  const live = new Set(calls.filter((c) => c.ended_at === null).map((c) => c.call_id));
  const kept = Object.entries(rec).filter(([id]) => live.has(id));
  return kept.length === Object.keys(rec).length ? rec : Object.fromEntries(kept);
}

/** The file name alone, for a short "Saved as …" note. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
