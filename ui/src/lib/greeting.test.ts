import { describe, expect, it } from "vitest";
import { greetingUrl, uploadError, uploadGreeting } from "./greeting";

describe("greeting upload", () => {
  it("posts the file to the mailbox's greeting URL with its name as a hint", async () => {
    let seen: { url: string; method?: string } | null = null;
    const fetcher = (async (url: string, init?: RequestInit) => {
      seen = { url, method: init?.method };
      return new Response(JSON.stringify({ number: "201", custom: true, audio_path: "/api/greetings/201" }), { status: 200 });
    }) as unknown as typeof fetch;
    const file = Object.assign(new Blob(["x"]), { name: "my hello.mp3" });
    const result = await uploadGreeting("http://127.0.0.1:8080/", "201", file, fetcher);
    expect(seen).toEqual({ url: "http://127.0.0.1:8080/api/greetings/201?name=my%20hello.mp3", method: "POST" });
    expect(result).toEqual({ ok: true, greeting: { number: "201", custom: true, audio_path: "/api/greetings/201" } });
  });

  it("shows the file field's reason when the server refuses the file", async () => {
    const fetcher = (async () =>
      new Response(JSON.stringify({ error: { message: "invalid", fields: { file: "is not audio" } } }), {
        status: 422,
      })) as unknown as typeof fetch;
    const result = await uploadGreeting("", "201", new Blob(["x"]), fetcher);
    expect(result).toEqual({ ok: false, error: "This file is not audio." });
  });

  it("words other failures", () => {
    expect(uploadError(413, null)).toMatch(/too large/);
    expect(uploadError(500, { error: { message: "disk full" } })).toBe("The greeting was not saved: disk full.");
    expect(greetingUrl("", "2 01")).toBe("/api/greetings/2%2001");
  });
});
