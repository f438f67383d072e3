// The trunk form's values as typed (text boxes hold strings), to and from the plan's Trunk,
// with the checks that only the page can make (a port that is not a number never reaches
// the server, which would answer about the request rather than the field).

import type { Destination, DtmfMode, Trunk, TrunkTransport } from "../api/plan";

export interface TrunkDraft {
  id: number;
  name: string;
  enabled: boolean;
  host: string;
  port: string;
  transport: TrunkTransport;
  outbound_proxy: string;
  mode: "registration" | "ip";
  username: string;
  password: string;
  auth_username: string;
  contact_user: string;
  expires: string;
  /** IP mode: one address, range or host name per line. */
  allowed: string;
  channels: string;
  /** Comma-separated, in preference order. */
  codecs: string;
  dtmf: DtmfMode;
  from_user: string;
  caller_id: string;
  trust_pai: boolean;
  overflow: Destination | null;
  /** Never null in a saved trunk; the picker's type allows it. */
  default_destination: Destination | null;
}

/** The fields the form shows, for attaching the server's errors. */
export const TRUNK_FIELDS = [
  "name",
  "host",
  "port",
  "transport",
  "outbound_proxy",
  "username",
  "password",
  "auth_username",
  "expires",
  "allowed",
  "channels",
  "codecs",
  "dtmf",
  "from_user",
  "caller_id",
  "overflow",
  "default_destination",
] as const;

export function toDraft(t: Trunk): TrunkDraft {
  const reg = t.auth.mode === "registration" ? t.auth : null;
  return {
    id: t.id,
    name: t.name,
    enabled: t.enabled,
    host: t.host,
    port: t.port === null ? "" : String(t.port),
    transport: t.transport,
    outbound_proxy: t.outbound_proxy ?? "",
    mode: t.auth.mode,
    username: reg?.username ?? "",
    // Never sent back by the server: empty keeps the saved one.
    password: reg?.password ?? "",
    auth_username: reg?.auth_username ?? "",
    contact_user: reg?.contact_user ?? "",
    expires: String(reg?.expires ?? 3600),
    allowed: t.auth.mode === "ip" ? t.auth.allowed.join("\n") : "",
    channels: String(t.channels),
    codecs: t.codecs.join(", "),
    dtmf: t.dtmf,
    from_user: t.from_user ?? "",
    caller_id: t.caller_id ?? "",
    trust_pai: t.trust_pai,
    overflow: t.overflow,
    default_destination: t.default_destination,
  };
}

function opt(s: string): string | null {
  const t = s.trim();
  return t === "" ? null : t;
}

function whole(s: string): number | null {
  const t = s.trim();
  return /^\d{1,9}$/.test(t) ? Number(t) : null;
}

/** What the page can tell before asking the server: numbers that are not numbers. */
export function draftErrors(d: TrunkDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (d.port.trim() !== "") {
    const p = whole(d.port);
    if (p === null || p < 1 || p > 65535) errors.port = "Must be a port number from 1 to 65535, or empty for 5060.";
  }
  const c = whole(d.channels);
  if (c === null || c < 1) errors.channels = "Must be a whole number, at least 1.";
  if (d.mode === "registration") {
    const e = whole(d.expires);
    if (e === null || e < 30) errors.expires = "Must be a number of seconds, at least 30.";
  }
  return errors;
}

/** The Trunk to save; call only when `draftErrors` is empty. */
export function fromDraft(d: TrunkDraft): Trunk {
  return {
    id: d.id,
    name: d.name.trim(),
    enabled: d.enabled,
    host: d.host.trim(),
    port: d.port.trim() === "" ? null : (whole(d.port) ?? 0),
    transport: d.transport,
    outbound_proxy: opt(d.outbound_proxy),
    auth:
      d.mode === "registration"
        ? {
            mode: "registration",
            username: d.username.trim(),
            // Empty on a saved trunk: keep the saved password.
            password: d.password === "" && d.id !== 0 ? null : d.password,
            auth_username: opt(d.auth_username),
            contact_user: opt(d.contact_user),
            expires: whole(d.expires) ?? 3600,
          }
        : {
            mode: "ip",
            allowed: d.allowed
              .split(/[\s,]+/)
              .map((s) => s.trim())
              .filter(Boolean),
          },
    channels: whole(d.channels) ?? 0,
    codecs: d.codecs
      .split(/[\s,]+/)
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean),
    dtmf: d.dtmf,
    from_user: opt(d.from_user),
    caller_id: opt(d.caller_id),
    trust_pai: d.trust_pai,
    overflow: d.overflow,
    default_destination: d.default_destination ?? { kind: "hangup" },
  };
}
