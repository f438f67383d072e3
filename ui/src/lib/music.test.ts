import { describe, expect, it } from "vitest";
import { musicUploadError, musicUrl, uploadMusic } from "./music";

describe("music on hold upload", () => {
  it("names the file in the query", () => {
    expect(musicUrl("http://x/", "My song.mp3")).toBe("http://x/api/music-on-hold?name=My%20song.mp3");
    expect(musicUrl("http://x")).toBe("http://x/api/music-on-hold");
  });

  it("shows the file field's reason", () => {
    const body = { error: { message: "file: is too short", fields: { file: "is too short" } } };
    expect(musicUploadError(422, body)).toBe("This file is too short.");
    expect(musicUploadError(413, null)).toContain("too large");
    expect(musicUploadError(500, null)).toBe("The music was not saved (error 500).");
  });

  it("returns the new state or the refusal", async () => {
    const ok = (async () => new Response(JSON.stringify({ custom: true, audio_path: "/api/music-on-hold" }))) as typeof fetch;
    expect(await uploadMusic("http://x", new Blob(["a"]), ok)).toEqual({
      ok: true,
      music: { custom: true, audio_path: "/api/music-on-hold" },
    });
    const refused = (async () =>
      new Response(JSON.stringify({ error: { message: "m", fields: { file: "cannot be used as music: bad" } } }), {
        status: 422,
      })) as typeof fetch;
    expect(await uploadMusic("http://x", new Blob(["a"]), refused)).toEqual({
      ok: false,
      error: "This file cannot be used as music: bad.",
    });
  });
});
