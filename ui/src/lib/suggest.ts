// The extension number offered when adding one, so the owner rarely has to think of one.

/** First free number after the highest taken (same length), or "1001" for the first. */
export function suggestNumber(taken: readonly string[]): string {
  const used = new Set(taken);
  const numeric = taken.filter((n) => /^\d{2,10}$/.test(n));
  if (numeric.length === 0) return "1001";
  const highest = numeric.reduce((a, b) => (Number(b) > Number(a) ? b : a));
  let n = Number(highest) + 1;
  const width = highest.length;
  for (let tries = 0; tries < 1000; tries++, n++) {
    const candidate = String(n).padStart(width, "0");
    if (candidate.length > 10) break;
    if (!used.has(candidate)) return candidate;
  }
  // Everything above is taken (or too long): look for a gap from the lowest.
  for (let m = 10; m < 10_000; m++) {
    const candidate = String(m);
    if (!used.has(candidate)) return candidate;
  }
  return "";
}
