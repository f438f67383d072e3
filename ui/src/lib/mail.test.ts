import { describe, expect, it } from "vitest";
import type { MailOutboxEntry } from "../api/types";
import { defaultPort, mailAlert, outboxDetail, outboxWords, portAfterSecurityChange } from "./mail";

function entry(over: Partial<MailOutboxEntry>): MailOutboxEntry {
  return {
    message_id: 1,
    mailbox: "201",
    caller_number: "0612345678",
    caller_name: null,
    received_at: 1000,
    address: "ann@example.com",
    state: "queued",
    attempts: 0,
    next_attempt_at: 0,
    error: null,
    server_reply: null,
    ...over,
  };
}

describe("security and port", () => {
  it("knows each kind's usual port", () => {
    expect(defaultPort("starttls")).toBe(587);
    expect(defaultPort("tls")).toBe(465);
    expect(defaultPort("none")).toBe(25);
  });

  it("follows the choice unless the owner typed a port of their own", () => {
    expect(portAfterSecurityChange("587", "starttls", "tls")).toBe("465");
    expect(portAfterSecurityChange("", "starttls", "tls")).toBe("465");
    expect(portAfterSecurityChange("2525", "starttls", "tls")).toBe("2525");
  });
});

describe("recent e-mails", () => {
  it("says sent with the server's answer", () => {
    const e = entry({ state: "sent", attempts: 1, server_reply: "250 2.0.0 Ok: queued as 42" });
    expect(outboxWords(e, 2000)).toEqual({ text: "Sent", tone: "ok" });
    expect(outboxDetail(e)).toBe("Server answered: 250 2.0.0 Ok: queued as 42");
  });

  it("says when a failed e-mail is tried again, and why it failed", () => {
    const e = entry({ attempts: 2, next_attempt_at: 2000 + 290, error: "Could not reach the mail server." });
    expect(outboxWords(e, 2000)).toEqual({ text: "Retrying in 5 minutes", tone: "attention" });
    expect(outboxDetail(e)).toBe("Could not reach the mail server.");
    expect(outboxWords(entry({ attempts: 1, next_attempt_at: 1990 }), 2000).text).toBe("Retrying now");
  });

  it("marks a given-up e-mail as failing", () => {
    const e = entry({ state: "failed", attempts: 3, error: "The mail server refused the user name or password." });
    expect(outboxWords(e, 2000)).toEqual({ text: "Not sent", tone: "failing" });
    expect(outboxWords(entry({}), 2000)).toEqual({ text: "Sending", tone: "neutral" });
    expect(outboxWords(entry({}), 2000, false).text).toBe("Waiting: e-mail is switched off");
  });
});

describe("the alert on every page", () => {
  it("shows the newest e-mail's failure with its reason", () => {
    const failed = entry({ message_id: 2, received_at: 2000, state: "failed", attempts: 1, error: "The server refused the password." });
    expect(mailAlert([failed], true)).toBe("A voicemail message could not be e-mailed. The server refused the password.");
    const retrying = entry({ message_id: 3, received_at: 3000, attempts: 1, error: "Could not reach it." });
    expect(mailAlert([failed, retrying], true)).toMatch(/^Voicemail e-mails are waiting .* Could not reach it\.$/);
  });

  it("is cleared by a later success, and silent while e-mail is off or untried", () => {
    const failed = entry({ message_id: 2, received_at: 2000, state: "failed", attempts: 1, error: "x" });
    const sent = entry({ message_id: 3, received_at: 3000, state: "sent", attempts: 1 });
    expect(mailAlert([sent, failed], true)).toBeNull();
    expect(mailAlert([failed], false)).toBeNull();
    expect(mailAlert([entry({})], true)).toBeNull();
    expect(mailAlert([], true)).toBeNull();
  });
});
