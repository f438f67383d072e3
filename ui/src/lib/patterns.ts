// Outbound dial patterns, so the routes page can say which route a number would take and
// what would be sent, before anything is saved. Syntax (as the PBX reads it): digits and
// `+ * #` literally; `X` any digit, `Z` 1–9, `N` 2–9, `[1-5]`/`[135]` a set; a trailing `.`
// one or more further characters, a trailing `!` zero or more.

import type { OutboundRoute } from "../api/plan";

type Token = { set: (c: string) => boolean } | { rest: "one" | "any" };

/** The pattern's tokens, or an error message. */
export function parsePattern(pattern: string): Token[] | string {
  const p = pattern.trim();
  if (!p) return "A pattern cannot be empty.";
  const tokens: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!.toUpperCase();
    if (c === "." || c === "!") {
      if (i !== p.length - 1) return `“${c}” may only end a pattern.`;
      tokens.push({ rest: c === "." ? "one" : "any" });
    } else if (/[0-9+*#]/.test(c)) {
      tokens.push({ set: (x) => x === c });
    } else if (c === "X") tokens.push({ set: (x) => /[0-9]/.test(x) });
    else if (c === "Z") tokens.push({ set: (x) => /[1-9]/.test(x) });
    else if (c === "N") tokens.push({ set: (x) => /[2-9]/.test(x) });
    else if (c === "[") {
      const end = p.indexOf("]", i);
      if (end < 0) return "A “[” has no closing “]”.";
      const body = p.slice(i + 1, end);
      if (!/^([0-9](-[0-9])?)+$/.test(body)) return `“[${body}]” must list digits or ranges like [1-5].`;
      const allowed = new Set<string>();
      for (const m of body.matchAll(/([0-9])(?:-([0-9]))?/g)) {
        const a = Number(m[1]);
        const b = m[2] !== undefined ? Number(m[2]) : a;
        for (let d = Math.min(a, b); d <= Math.max(a, b); d++) allowed.add(String(d));
      }
      tokens.push({ set: (x) => allowed.has(x) });
      i = end;
    } else return `“${p[i]}” cannot be used in a pattern.`;
  }
  return tokens;
}

export function patternError(pattern: string): string | null {
  const t = parsePattern(pattern);
  return typeof t === "string" ? t : null;
}

export function patternMatches(pattern: string, number: string): boolean {
  const tokens = parsePattern(pattern);
  if (typeof tokens === "string") return false;
  let i = 0;
  for (const t of tokens) {
    if ("rest" in t) return t.rest === "any" ? true : i < number.length;
    if (i >= number.length || !t.set(number[i]!)) return false;
    i++;
  }
  return i === number.length;
}

/** What is sent for `dialled` through `route`: `strip` leading characters removed, then `prepend`. */
export function numberToSend(route: Pick<OutboundRoute, "strip" | "prepend">, dialled: string): string {
  return route.prepend + dialled.slice(Math.min(route.strip, dialled.length));
}

/** The first route with a matching pattern, and what it would send. */
export function routeFor(
  routes: readonly OutboundRoute[],
  dialled: string,
): { route: OutboundRoute; index: number; send: string } | null {
  const d = dialled.trim().replace(/[\s\-.()/]/g, "");
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index]!;
    if (route.patterns.some((p) => patternMatches(p, d))) return { route, index, send: numberToSend(route, d) };
  }
  return null;
}

/** Patterns typed one per line or separated by commas/spaces. */
export function splitPatterns(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
