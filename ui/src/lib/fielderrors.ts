// Turns a failed command into messages for a form: each field error next to its field,
// everything else in one message at the top of the form.

import { ApiError } from "../api/errors";
import { sentence } from "./format";

export interface FormErrors {
  /** Form field → message shown next to it. */
  fields: Record<string, string>;
  /** What could not be attached to a field; null when every error has a field. */
  message: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, message: null };

/**
 * `formFields` are the names the form shows. An API field name matches a form field
 * directly, by its last dotted/bracketed segment ("settings.rtp_port_min" →
 * "rtp_port_min"), or through `aliases` (API name → form field).
 */
export function formErrors(
  err: unknown,
  formFields: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): FormErrors {
  if (!(err instanceof ApiError)) {
    const msg = err instanceof Error && err.message ? err.message : "Something went wrong.";
    return { fields: {}, message: sentence(msg) };
  }
  const known = new Set(formFields);
  const fields: Record<string, string> = {};
  const stray: string[] = [];
  for (const [apiName, msg] of Object.entries(err.fields)) {
    const target = resolveField(apiName, known, aliases);
    if (target && !fields[target]) fields[target] = sentence(msg);
    else if (!target) stray.push(sentence(`${apiName.replace(/_/g, " ")}: ${msg}`));
  }
  let message: string | null = null;
  if (stray.length) message = stray.join(" ");
  else if (Object.keys(fields).length === 0) message = sentence(err.message);
  return { fields, message };
}

function resolveField(
  apiName: string,
  known: ReadonlySet<string>,
  aliases: Readonly<Record<string, string>>,
): string | null {
  if (aliases[apiName]) return aliases[apiName]!;
  if (known.has(apiName)) return apiName;
  // "settings.sip_listen[0]" → "sip_listen": the last segment that is not an index.
  const last = apiName
    .split(/[.[\]]+/)
    .filter((seg) => seg && !/^\d+$/.test(seg))
    .pop();
  if (last && aliases[last]) return aliases[last]!;
  if (last && known.has(last)) return last;
  return null;
}

/**
 * Errors for rows of a list, by row: `routes.2.patterns.0` → row 2, field `patterns`
 * (with `prefix` "routes"). Keys without that prefix are left out.
 */
export function rowErrors(fields: Readonly<Record<string, string>>, prefix: string): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[.[](\\d+)\\]?(?:[.[]([a-z_]+))?`);
  for (const [k, msg] of Object.entries(fields)) {
    const m = re.exec(k);
    if (!m) continue;
    const row = Number(m[1]);
    const field = m[2] ?? "_row";
    const rec = out.get(row) ?? {};
    if (!rec[field]) rec[field] = sentence(msg);
    out.set(row, rec);
  }
  return out;
}

/**
 * The same error with its field names rewritten: the first rule whose pattern matches a
 * name gives the new name (`null` drops the field), so list entries such as
 * `periods.3.open` land on the form's `periods` rather than on an unrelated `open`.
 */
export function renameFields(err: unknown, rules: ReadonlyArray<readonly [RegExp, string | null]>): unknown {
  if (!(err instanceof ApiError)) return err;
  const fields: Record<string, string> = {};
  for (const [name, msg] of Object.entries(err.fields)) {
    const rule = rules.find(([re]) => re.test(name));
    const to = rule ? rule[1] : name;
    if (to !== null && !fields[to]) fields[to] = msg;
  }
  return new ApiError(err.kind, err.message, fields, err.status);
}

/** One sentence for an error shown away from its form: a field's message, else the error's. */
export function errorSentence(err: unknown): string {
  if (err instanceof ApiError) {
    const first = Object.values(err.fields)[0];
    return sentence(first ?? err.message);
  }
  return sentence(err instanceof Error && err.message ? err.message : "Something went wrong.");
}
