// Do-not-disturb and call forwarding of one extension, in words for its row on the
// Extensions page, and the dialog's form fields to and from the API's shape.

import type { CallForwarding } from "../api/types";

/** The dialog's fields: targets as typed (blank = off), the ring time as text. */
export interface ForwardingForm {
  dnd: boolean;
  forward_always: string;
  forward_busy: string;
  forward_no_answer: string;
  no_answer_seconds: string;
}

export const FORM_FIELDS = ["forward_always", "forward_busy", "forward_no_answer", "no_answer_seconds"] as const;

export function toForm(f: CallForwarding): ForwardingForm {
  return {
    dnd: f.dnd,
    forward_always: f.forward_always ?? "",
    forward_busy: f.forward_busy ?? "",
    forward_no_answer: f.forward_no_answer ?? "",
    no_answer_seconds: String(f.no_answer_seconds),
  };
}

/** The request; a ring time that is not a whole number is sent as 0 so the server names the field. */
export function fromForm(number: string, form: ForwardingForm): CallForwarding {
  const target = (s: string) => (s.trim() === "" ? null : s.trim());
  const seconds = /^\d+$/.test(form.no_answer_seconds.trim()) ? Number(form.no_answer_seconds.trim()) : 0;
  return {
    number,
    dnd: form.dnd,
    forward_always: target(form.forward_always),
    forward_busy: target(form.forward_busy),
    forward_no_answer: target(form.forward_no_answer),
    no_answer_seconds: seconds,
  };
}

/** Whether anything differs from ringing as usual. */
export function isActive(f: CallForwarding | undefined): boolean {
  return !!f && (f.dnd || !!f.forward_always || !!f.forward_busy || !!f.forward_no_answer);
}

/** One short line: what happens to this extension's calls. */
export function forwardingWords(f: CallForwarding | undefined): string {
  if (!f || !isActive(f)) return "Rings as usual";
  if (f.dnd) return "Do not disturb";
  if (f.forward_always) return `All calls to ${f.forward_always}`;
  const parts: string[] = [];
  if (f.forward_busy) parts.push(`busy → ${f.forward_busy}`);
  if (f.forward_no_answer) parts.push(`no answer after ${f.no_answer_seconds} s → ${f.forward_no_answer}`);
  const text = parts.join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
