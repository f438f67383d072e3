// Uploading a mailbox's own greeting: the file goes as it is to POST
// /api/greetings/<number>?name=<file name> (too large for a command), and a refusal comes
// back with the reason for the file field, shown next to it.

import type { GreetingState } from "../api/types";

export type UploadResult = { ok: true; greeting: GreetingState } | { ok: false; error: string };

/** The URL a greeting is uploaded to (and its audio served from). */
export function greetingUrl(baseUrl: string, number: string, fileName?: string): string {
  const path = `${baseUrl.replace(/\/$/, "")}/api/greetings/${encodeURIComponent(number)}`;
  return fileName ? `${path}?name=${encodeURIComponent(fileName)}` : path;
}

/** The sentence to show for an error body, preferring the file field's reason. */
export function uploadError(status: number, body: unknown): string {
  const error = (body as { error?: { message?: string; fields?: Record<string, string> } } | null)?.error;
  const field = error?.fields?.file;
  if (field) return `This file ${field}.`;
  if (status === 413) return "This file is too large for a greeting (at most 24 MB).";
  return error?.message ? `The greeting was not saved: ${error.message}.` : `The greeting was not saved (error ${status}).`;
}

export async function uploadGreeting(
  baseUrl: string,
  number: string,
  file: Blob & { name?: string },
  fetcher: typeof fetch = fetch,
): Promise<UploadResult> {
  let response: Response;
  try {
    response = await fetcher(greetingUrl(baseUrl, number, file.name ?? "greeting"), { method: "POST", body: file });
  } catch {
    return { ok: false, error: "Switchboard did not answer; the greeting was not saved." };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) return { ok: false, error: uploadError(response.status, body) };
  return { ok: true, greeting: body as GreetingState };
}
