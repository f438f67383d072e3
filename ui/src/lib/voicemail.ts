// The voicemail inbox as the page shows it: messages grouped by mailbox (newest first,
// mailboxes with new messages first), the words for each line, and where its audio is.

import type { Mailbox, VoicemailMessage } from "../api/types";
import { clock } from "./format";

export interface MailboxGroup {
  /** The mailbox's number (an extension's or a ring group's). */
  number: string;
  /** "Alice (201)", or the number alone when no name is known. */
  title: string;
  /** Whether calls can leave messages now; a switched-off box may still hold old ones. */
  enabled: boolean;
  /** Newest first. */
  messages: VoicemailMessage[];
  unheard: number;
}

/**
 * Groups the messages by mailbox: mailboxes with unheard messages first, then by number.
 * Every mailbox holding a message appears, even one no longer in `mailboxes`.
 */
export function groupByMailbox(
  messages: readonly VoicemailMessage[],
  mailboxes: readonly Mailbox[],
  nameOf: (number: string) => string | null,
): MailboxGroup[] {
  const groups = new Map<string, MailboxGroup>();
  for (const m of messages) {
    let g = groups.get(m.mailbox);
    if (!g) {
      const box = mailboxes.find((b) => b.number === m.mailbox);
      g = {
        number: m.mailbox,
        title: mailboxTitle(m.mailbox, nameOf(m.mailbox)),
        enabled: box?.enabled ?? false,
        messages: [],
        unheard: 0,
      };
      groups.set(m.mailbox, g);
    }
    g.messages.push(m);
    if (!m.heard) g.unheard += 1;
  }
  for (const g of groups.values()) g.messages.sort(newestFirst);
  return [...groups.values()].sort(
    (a, b) => Number(b.unheard > 0) - Number(a.unheard > 0) || a.number.localeCompare(b.number, undefined, { numeric: true }),
  );
}

function newestFirst(a: VoicemailMessage, b: VoicemailMessage): number {
  return b.received_at - a.received_at || b.id - a.id;
}

export function mailboxTitle(number: string, name: string | null): string {
  const n = (name ?? "").trim();
  return n && n !== number ? `${n} (${number})` : number;
}

/** Unheard messages in all mailboxes, for the count in the navigation. */
export function newCount(mailboxes: readonly Mailbox[]): number {
  return mailboxes.reduce((sum, b) => sum + (Number(b.new_count) || 0), 0);
}

/** "Carol (5552000)", "5552000", or "Unknown caller" for a withheld number. */
export function callerWords(m: Pick<VoicemailMessage, "caller_number" | "caller_name">): string {
  const number = (m.caller_number ?? "").trim();
  const name = (m.caller_name ?? "").trim();
  const withheld = number === "" || number.toLowerCase() === "anonymous";
  if (withheld) return name || "Unknown caller";
  return name && name !== number ? `${name} (${number})` : number;
}

/**
 * A message's length as a clock, in whole seconds as the audio player counts them: "0:07",
 * "1:05"; a message shorter than a second still shows "0:01".
 */
export function lengthWords(durationMs: number): string {
  const ms = Math.max(0, Number(durationMs) || 0);
  return clock(ms > 0 ? Math.max(1, Math.floor(ms / 1000)) : 0);
}

/** The audio's full address: the API's base URL and the message's path. */
export function audioUrl(baseUrl: string, m: Pick<VoicemailMessage, "audio_path">, download = false): string {
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}${m.audio_path}${download ? "?download" : ""}`;
}

/** The list after one message was marked heard or not. */
export function withHeard(messages: readonly VoicemailMessage[], id: number, heard: boolean): VoicemailMessage[] {
  return messages.map((m) => (m.id === id ? { ...m, heard } : m));
}

/** The mailbox counts after marking (moves one message between new and saved). */
export function countsWithHeard(mailboxes: readonly Mailbox[], mailbox: string, heard: boolean): Mailbox[] {
  return mailboxes.map((b) =>
    b.number !== mailbox
      ? b
      : heard
        ? { ...b, new_count: Math.max(0, b.new_count - 1), saved_count: b.saved_count + 1 }
        : { ...b, new_count: b.new_count + 1, saved_count: Math.max(0, b.saved_count - 1) },
  );
}

/** What the Extensions page says about a mailbox. */
export function mailboxWords(box: Mailbox | undefined): string {
  if (!box || !box.enabled) return "Off";
  if (box.new_count > 0) return `On · ${box.new_count} new`;
  return "On";
}
