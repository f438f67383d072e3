// The feature-code list in words: how each code is used and what may follow it.

import type { FeatureCode } from "../api/types";

/** How to use the code, e.g. "Dial *72 and the number". */
export function howWords(c: FeatureCode): string {
  const when = c.usage === "in_call" ? "During a call, press" : "Dial";
  switch (c.argument) {
    case "number":
      return `${when} ${c.code} and the number`;
    case "optional_extension":
      return `${when} ${c.code}, or ${c.code} and an extension`;
    default:
      return `${when} ${c.code}`;
  }
}

/** Dialled codes first, then those pressed during a call; the table's order within each. */
export function grouped(codes: readonly FeatureCode[]): { title: string; codes: FeatureCode[] }[] {
  return [
    { title: "Dial from a phone", codes: codes.filter((c) => c.usage === "dial") },
    { title: "Press during a call", codes: codes.filter((c) => c.usage === "in_call") },
  ].filter((g) => g.codes.length > 0);
}
