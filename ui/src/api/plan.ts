// The dial plan's commands: trunks, business names, ring groups, business hours, outbound
// routes, the setup state and click-to-call. Pages call these functions rather than the
// client directly, so the shape of each request and answer is read in this one place.
// The data types mirror the server's (crates/pbx/src/dialplan/model.rs); answers are read
// leniently (a list under any key, a state beside or inside its trunk) so a small change
// in the server's wrapping does not blank a page.

import type { ApiClient } from "./client";

export type TrunkId = number;

export type Destination =
  | { kind: "extension"; target: string }
  | { kind: "ring_group"; target: string }
  | { kind: "conference"; target: string }
  | { kind: "voicemail"; target: string }
  | { kind: "hours"; target: number }
  | { kind: "hangup" };

export type TrunkAuth =
  | {
      mode: "registration";
      username: string;
      password: string;
      auth_username: string | null;
      contact_user: string;
      expires: number;
    }
  | { mode: "ip"; allowed: string[] };

export type TrunkTransport = "udp" | "tcp";
export type DtmfMode = "rfc4733" | "info" | "inband";

export interface Trunk {
  id: TrunkId;
  name: string;
  enabled: boolean;
  host: string;
  port: number | null;
  transport: TrunkTransport;
  outbound_proxy: string | null;
  auth: TrunkAuth;
  channels: number;
  codecs: string[];
  dtmf: DtmfMode;
  from_user: string | null;
  caller_id: string | null;
  trust_pai: boolean;
  overflow: Destination | null;
  default_destination: Destination;
}

/** The live registration state, as the server sends it (read by `lib/trunks.ts`). */
export type TrunkStatus = unknown;

export interface TrunkState {
  id: TrunkId;
  name: string;
  status: TrunkStatus;
  lines_in_use: number;
  channels: number;
}

export interface BusinessName {
  id: number;
  name: string;
  number: string;
  label: string;
  trunk: TrunkId | null;
  destination: Destination;
}

export type RingStrategy = "all" | "in_order";

export interface RingMember {
  number: string;
  ring_seconds: number;
}

export interface RingGroup {
  number: string;
  name: string;
  strategy: RingStrategy;
  members: RingMember[];
  final_destination: Destination | null;
}

export interface OpenPeriod {
  /** 1 = Monday … 7 = Sunday. */
  day: number;
  open: string;
  close: string;
}

export interface Holiday {
  date: string;
  name: string;
}

export interface Schedule {
  id: number;
  name: string;
  time_zone: string;
  periods: OpenPeriod[];
  holidays: Holiday[];
  open: Destination;
  closed: Destination;
}

export interface OutboundRoute {
  id: number;
  name: string;
  patterns: string[];
  strip: number;
  prepend: string;
  trunks: TrunkId[];
}

export interface ClickToCall {
  tel: string;
  sip: string;
  skype: string | null;
  html: string;
}

/** A trunk with its live state (null until the PBX has reported one). */
export interface TrunkEntry {
  trunk: Trunk;
  state: TrunkState | null;
}

export interface LineError {
  line: number;
  message: string;
}

// ----- reading answers ----------------------------------------------------------

type Loose = Record<string, unknown>;

/** The array under `key`, else the first array-valued field, else the answer itself if it is one. */
export function listIn<T>(res: unknown, key: string): T[] {
  if (Array.isArray(res)) return res as T[];
  if (!res || typeof res !== "object") return [];
  const r = res as Loose;
  if (Array.isArray(r[key])) return r[key] as T[];
  for (const v of Object.values(r)) if (Array.isArray(v)) return v as T[];
  return [];
}

/** A trunk list entry: `{trunk, state}`, or a trunk with its `state`/`status` inline. */
export function readTrunkEntry(raw: unknown): TrunkEntry | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Loose;
  const trunk = (r.trunk && typeof r.trunk === "object" ? r.trunk : r) as Trunk;
  if (typeof trunk.id !== "number") return null;
  let state: TrunkState | null = null;
  const s = r.state ?? r.live;
  if (s && typeof s === "object" && "status" in (s as Loose)) state = s as TrunkState;
  else if ("status" in r) {
    state = {
      id: trunk.id,
      name: trunk.name,
      status: r.status,
      lines_in_use: typeof r.lines_in_use === "number" ? r.lines_in_use : 0,
      channels: typeof r.channels === "number" ? r.channels : trunk.channels,
    };
  }
  return { trunk: stripState(trunk), state };
}

function stripState(t: Trunk): Trunk {
  const copy = { ...(t as unknown as Loose) };
  delete copy.state;
  delete copy.status;
  delete copy.lines_in_use;
  delete copy.live;
  return copy as unknown as Trunk;
}

/** Line errors from an import's answer or its error fields (`lines.3`, `line 3`, `3`). */
export function lineErrorsFrom(fields: Record<string, string>): LineError[] {
  const out: LineError[] = [];
  for (const [k, message] of Object.entries(fields)) {
    const m = /(?:^|\D)(\d+)(?:\D*)$/.exec(k);
    if (m && /line|^\d+$/i.test(k)) out.push({ line: Number(m[1]), message });
  }
  return out.sort((a, b) => a.line - b.line);
}

// ----- commands -----------------------------------------------------------------

/** Calls a dial-plan command by name (they are not all in the generated command map yet). */
function run<T = unknown>(client: ApiClient, command: string, request: unknown, timeoutMs?: number): Promise<T> {
  const call = client.call as unknown as (c: string, r: unknown, o?: { timeoutMs?: number }) => Promise<T>;
  return call.call(client, command, request, timeoutMs ? { timeoutMs } : {});
}

export async function listTrunks(client: ApiClient): Promise<TrunkEntry[]> {
  const res = await run(client, "list_trunks", {});
  return listIn<unknown>(res, "trunks")
    .map(readTrunkEntry)
    .filter((e): e is TrunkEntry => e !== null);
}

/** Saves a trunk (id 0 = new); answers with its id. */
export async function saveTrunk(client: ApiClient, trunk: Trunk): Promise<TrunkId> {
  const res = await run<Loose>(client, "save_trunk", { trunk });
  return idFrom(res, "trunk") ?? trunk.id;
}

export async function removeTrunk(client: ApiClient, id: TrunkId): Promise<void> {
  await run(client, "remove_trunk", { id });
}

export async function listBusinessNames(client: ApiClient): Promise<BusinessName[]> {
  return listIn<BusinessName>(await run(client, "list_business_names", {}), "names");
}

export async function saveBusinessName(client: ApiClient, name: BusinessName): Promise<number> {
  const res = await run<Loose>(client, "save_business_name", { name });
  return idFrom(res, "name") ?? name.id;
}

export async function removeBusinessName(client: ApiClient, id: number): Promise<void> {
  await run(client, "remove_business_name", { id });
}

/**
 * Imports a pasted list, all or nothing. Resolves with the new names, or with the
 * per-line errors when the server found bad lines (nothing was imported then).
 */
export async function importBusinessNames(
  client: ApiClient,
  text: string,
  trunk: TrunkId | null,
  destination: Destination,
): Promise<{ names: BusinessName[]; errors: LineError[] }> {
  const res = await run<Loose>(client, "import_business_names", { text, trunk, destination });
  const errors = listIn<LineError>(res?.errors ?? [], "errors");
  if (errors.length) return { names: [], errors };
  return { names: listIn<BusinessName>(res, "names").filter((n) => n && typeof n === "object"), errors: [] };
}

export async function listRingGroups(client: ApiClient): Promise<RingGroup[]> {
  return listIn<RingGroup>(await run(client, "list_ring_groups", {}), "groups");
}

/** `previous` is the group's number before this edit (null for a new group). */
export async function saveRingGroup(client: ApiClient, previous: string | null, group: RingGroup): Promise<void> {
  await run(client, "save_ring_group", { previous_number: previous, group });
}

export async function removeRingGroup(client: ApiClient, number: string): Promise<void> {
  await run(client, "remove_ring_group", { number });
}

export async function listSchedules(client: ApiClient): Promise<Schedule[]> {
  return listIn<Schedule>(await run(client, "list_schedules", {}), "schedules");
}

export async function saveSchedule(client: ApiClient, schedule: Schedule): Promise<number> {
  const res = await run<Loose>(client, "save_schedule", { schedule });
  return idFrom(res, "schedule") ?? schedule.id;
}

export async function removeSchedule(client: ApiClient, id: number): Promise<void> {
  await run(client, "remove_schedule", { id });
}

export async function listOutboundRoutes(
  client: ApiClient,
): Promise<{ routes: OutboundRoute[]; emergency: string[] }> {
  const res = await run<Loose>(client, "list_outbound_routes", {});
  const emergency = Array.isArray(res?.emergency_numbers) ? (res.emergency_numbers as string[]) : [];
  return { routes: listIn<OutboundRoute>(res?.routes ?? res, "routes"), emergency };
}

export async function saveOutboundRoutes(client: ApiClient, routes: OutboundRoute[]): Promise<void> {
  await run(client, "save_outbound_routes", { routes });
}

export async function setOutboundPermission(client: ApiClient, number: string, allowed: boolean): Promise<void> {
  await run(client, "set_outbound_permission", { number, allowed });
}

export async function setupComplete(client: ApiClient): Promise<boolean> {
  const res = await run<Loose>(client, "get_setup_state", {});
  if (typeof res === "boolean") return res;
  return Boolean(res?.complete ?? res?.setup_complete ?? res?.done);
}

export async function completeSetup(client: ApiClient): Promise<void> {
  await run(client, "complete_setup", {});
}

export async function clickToCall(client: ApiClient, id: number): Promise<ClickToCall> {
  const res = await run<Loose>(client, "click_to_call", { id });
  return {
    tel: String(res?.tel ?? ""),
    sip: String(res?.sip ?? ""),
    skype: typeof res?.skype === "string" && res.skype ? res.skype : null,
    html: String(res?.html ?? ""),
  };
}

/** The id in an answer: `{id}`, `{<key>: {id}}` or `{<key>_id}`. */
function idFrom(res: Loose | null | undefined, key: string): number | null {
  if (!res || typeof res !== "object") return typeof res === "number" ? res : null;
  if (typeof res.id === "number") return res.id;
  const inner = res[key];
  if (inner && typeof inner === "object" && typeof (inner as Loose).id === "number") return (inner as Loose).id as number;
  if (typeof res[`${key}_id`] === "number") return res[`${key}_id`] as number;
  return null;
}
