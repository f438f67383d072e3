// Voicemail e-mail as the settings show it: the usual port of each kind of security, and
// each recent e-mail's state in words (sent with the server's answer, retrying with the
// reason, or given up).

import type { MailOutboxEntry, MailSecurity } from "../api/types";
import { durationWords, type Words } from "./format";

export const SECURITY_CHOICES: ReadonlyArray<{ value: MailSecurity; label: string; port: number }> = [
  { value: "starttls", label: "STARTTLS (usually port 587)", port: 587 },
  { value: "tls", label: "TLS (usually port 465)", port: 465 },
  { value: "none", label: "None — only for a relay on this network", port: 25 },
];

/** The port servers usually take `security` on. */
export function defaultPort(security: MailSecurity): number {
  return SECURITY_CHOICES.find((c) => c.value === security)?.port ?? 587;
}

/**
 * The port to show after the security choice changed: the new usual port when the old
 * one was the old choice's usual port (the owner had not typed their own), else unchanged.
 */
export function portAfterSecurityChange(port: string, from: MailSecurity, to: MailSecurity): string {
  return port.trim() === "" || Number(port) === defaultPort(from) ? String(defaultPort(to)) : port;
}

/**
 * A recent e-mail's state: "Sent", "Retrying in 5 minutes", "Not sent". `mailOn` is the
 * saved switch: while it is off, queued e-mails wait.
 */
export function outboxWords(e: MailOutboxEntry, nowUnix: number, mailOn = true): Words {
  if (e.state === "queued" && !mailOn) return { text: "Waiting: e-mail is switched off", tone: "attention" };
  switch (e.state) {
    case "sent":
      return { text: "Sent", tone: "ok" };
    case "failed":
      return { text: "Not sent", tone: "failing" };
    case "queued": {
      if (e.attempts === 0) return { text: "Sending", tone: "neutral" };
      const wait = Math.max(0, (e.next_attempt_at ?? nowUnix) - nowUnix);
      return {
        text: wait < 60 ? "Retrying now" : `Retrying in ${durationWords(Math.ceil(wait / 60) * 60)}`,
        tone: "attention",
      };
    }
  }
}

/** The line under a recent e-mail: the server's answer, or why it failed. */
export function outboxDetail(e: MailOutboxEntry): string {
  if (e.state === "sent") return e.server_reply ? `Server answered: ${e.server_reply}` : "";
  return e.error ?? "";
}

/**
 * The banner every page shows while voicemail e-mails are not going out, or null when all
 * is well: judged by the newest e-mail (a later success clears an older failure).
 */
export function mailAlert(outbox: readonly MailOutboxEntry[], mailOn: boolean): string | null {
  if (!mailOn) return null;
  const newest = outbox.reduce<MailOutboxEntry | null>(
    (a, e) => (!a || e.received_at > a.received_at || (e.received_at === a.received_at && e.message_id > a.message_id) ? e : a),
    null,
  );
  if (!newest) return null;
  const reason = newest.error ? ` ${newest.error}` : "";
  if (newest.state === "failed") return `A voicemail message could not be e-mailed.${reason}`;
  if (newest.state === "queued" && newest.attempts > 0)
    return `Voicemail e-mails are waiting to be sent and will be tried again.${reason}`;
  return null;
}
