// Uploading the office's own music on hold: the file goes as it is to POST
// /api/music-on-hold?name=<file name> (too large for a command); a refusal comes back
// with the reason for the file field, shown next to it.

import type { MusicOnHold } from "../api/types";

export type MusicUploadResult = { ok: true; music: MusicOnHold } | { ok: false; error: string };

/** Where music is uploaded to and served from. */
export function musicUrl(baseUrl: string, fileName?: string): string {
  const path = `${baseUrl.replace(/\/$/, "")}/api/music-on-hold`;
  return fileName ? `${path}?name=${encodeURIComponent(fileName)}` : path;
}

/** The sentence for an error body, preferring the file field's reason. */
export function musicUploadError(status: number, body: unknown): string {
  const error = (body as { error?: { message?: string; fields?: Record<string, string> } } | null)?.error;
  const field = error?.fields?.file;
  if (field) return `This file ${field}.`;
  if (status === 413) return "This file is too large for music on hold (at most 40 MB).";
  return error?.message ? `The music was not saved: ${error.message}.` : `The music was not saved (error ${status}).`;
}

export async function uploadMusic(
  baseUrl: string,
  file: Blob & { name?: string },
  fetcher: typeof fetch = fetch,
): Promise<MusicUploadResult> {
  let response: Response;
  try {
    response = await fetcher(musicUrl(baseUrl, file.name ?? "music"), { method: "POST", body: file });
  } catch {
    return { ok: false, error: "Switchboard did not answer; the music was not saved." };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) return { ok: false, error: musicUploadError(response.status, body) };
  return { ok: true, music: body as MusicOnHold };
}
