// The one error type every API call rejects with, whichever transport carried it.

import type { ErrorBody } from "./types";

export type ApiErrorKind =
  /** The API answered with an error (bad input, not found, …). */
  | "api"
  /** The API could not be reached or the connection dropped mid-request. */
  | "network"
  /** No answer in time. */
  | "timeout";

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  /** Field name → what is wrong with it, for messages shown next to the field. */
  readonly fields: Record<string, string>;
  /** HTTP status when the HTTP transport carried the request. */
  readonly status: number | undefined;

  constructor(kind: ApiErrorKind, message: string, fields: Record<string, string> = {}, status?: number) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.fields = fields;
    this.status = status;
  }

  /** From the `{"message", "fields"}` body the API sends for a failed command. */
  static fromBody(body: unknown, status?: number): ApiError {
    const b = (body ?? {}) as Partial<ErrorBody>;
    const message = typeof b.message === "string" && b.message ? b.message : "The request failed.";
    const fields: Record<string, string> = {};
    if (b.fields && typeof b.fields === "object") {
      for (const [k, v] of Object.entries(b.fields)) {
        if (typeof v === "string") fields[k] = v;
      }
    }
    return new ApiError("api", message, fields, status);
  }
}
