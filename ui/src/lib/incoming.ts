// The incoming-call window's pure pieces: which call the address names, and the caller's
// display name split into the business name they called and their own name (the PBX puts
// "[Sales] Jane Doe" in the display name of a call from a trunk).

/** The call id in `#/incoming?call=N`, or null when the address names none. */
export function incomingCallId(hash: string): number | null {
  const query = hash.split("?")[1] ?? "";
  const raw = new URLSearchParams(query).get("call");
  if (raw === null || !/^\d+$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

export interface Caller {
  /** The business name the caller dialled ("Sales"), when the call came through a trunk. */
  business: string | null;
  /** The caller's own name, when known. */
  name: string | null;
  number: string;
}

/** Splits "[Sales] Jane Doe" into its business name and the caller's name. */
export function splitCaller(c: { name: string | null; number: string }): Caller {
  const display = (c.name ?? "").trim();
  const m = /^\[([^\]]+)\]\s*(.*)$/.exec(display);
  if (!m) return { business: null, name: display || null, number: c.number };
  const business = m[1]!.trim() || null;
  const name = m[2]!.trim() || null;
  return { business, name, number: c.number };
}

/** The largest line of the window: the caller's name, else their number. */
export function callerHeadline(c: Caller): string {
  return c.name ?? c.number;
}
