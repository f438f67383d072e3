// The business names list as the owner pastes it from the provider's portal, previewed
// line by line before anything is saved. The server checks it again on import (and its
// answer wins); this preview only lets the owner fix the list while typing.
//
// One per line: `sales.acme +44 20 7123 4567 [Sales]`, or CSV `name,number[,label]` with
// an optional header row. Blank lines and lines starting with `#` are skipped.

export interface PreviewRow {
  /** Counted from 1, as an editor shows it. */
  line: number;
  name: string;
  number: string;
  label: string;
  /** Why the line cannot be used; null when it can. */
  error: string | null;
}

/** Separators people type dropped; a leading `00` written as `+` (as the server compares them). */
export function normalizeNumber(s: string): string {
  const kept = s.trim().replace(/[\s\-.()/]/g, "");
  return kept.startsWith("00") ? "+" + kept.slice(2) : kept;
}

/** `Sales` from `sales.acme`. */
export function defaultLabel(name: string): string {
  const first = name.split(".")[0] ?? "";
  return first ? first[0]!.toUpperCase() + first.slice(1) : "";
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NUMBER_RE = /^\+?[0-9*#]+$/;

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === "," || c === ";" || c === "\t") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function looksLikeHeader(fields: string[]): boolean {
  return /name/i.test(fields[0] ?? "") && /number|phone|did/i.test(fields[1] ?? "");
}

function parseLine(raw: string): { name: string; number: string; label: string } {
  if (/[,;\t]/.test(raw)) {
    const [name = "", number = "", label = ""] = splitCsv(raw);
    return { name, number, label };
  }
  let rest = raw.trim();
  let label = "";
  const m = /\[([^\]]*)\]\s*$/.exec(rest);
  if (m) {
    label = m[1]!.trim();
    rest = rest.slice(0, m.index).trim();
  }
  const space = rest.search(/\s/);
  if (space < 0) return { name: rest, number: "", label };
  return { name: rest.slice(0, space), number: rest.slice(space).trim(), label };
}

/**
 * Every line that says something, with what is wrong with it. `existing` are names and
 * numbers already saved, which a new line may not repeat.
 */
export function previewNameList(
  text: string,
  existing: ReadonlyArray<{ name: string; number: string }> = [],
): PreviewRow[] {
  const rows: PreviewRow[] = [];
  // Where each name and number was first seen: a line number, or 0 for already saved.
  const names = new Map<string, number>(existing.map((e) => [e.name.toLowerCase(), 0]));
  const numbers = new Map<string, number>(existing.map((e) => [normalizeNumber(e.number), 0]));
  const twice = (what: string, seen: number) =>
    seen === 0 ? `${what} is already saved.` : `${what} is listed twice (also on line ${seen}).`;
  const lines = text.split(/\r\n|\r|\n/);
  let first = true;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (!t || t.startsWith("#")) return;
    if (first) {
      first = false;
      if (/[,;\t]/.test(t) && looksLikeHeader(splitCsv(t))) return;
    }
    const { name, number, label } = parseLine(t);
    const norm = normalizeNumber(number);
    let error: string | null = null;
    if (!name) error = "The name is missing.";
    else if (!NAME_RE.test(name)) error = `“${name}” is not a business name: use letters, digits, dots and dashes.`;
    else if (!number) error = `The number for ${name} is missing.`;
    else if (!NUMBER_RE.test(norm)) error = `“${number}” is not a phone number: use digits, and + at the start.`;
    else if (names.has(name.toLowerCase())) error = twice(name, names.get(name.toLowerCase())!);
    else if (numbers.has(norm)) error = twice(`The number ${number}`, numbers.get(norm)!);
    if (!error) {
      names.set(name.toLowerCase(), line);
      numbers.set(norm, line);
    }
    rows.push({ line, name, number, label: label || defaultLabel(name), error });
  });
  return rows;
}

/** Merges the server's line errors into the preview (the server's word wins). */
export function withServerErrors(
  rows: readonly PreviewRow[],
  errors: ReadonlyArray<{ line: number; message: string }>,
): PreviewRow[] {
  const byLine = new Map(errors.map((e) => [e.line, e.message]));
  const out = rows.map((r) => (byLine.has(r.line) ? { ...r, error: byLine.get(r.line)! } : r));
  // A line the preview skipped but the server refused still shows, by its number.
  for (const e of errors) {
    if (!out.some((r) => r.line === e.line)) out.push({ line: e.line, name: "", number: "", label: "", error: e.message });
  }
  return out.sort((a, b) => a.line - b.line);
}
