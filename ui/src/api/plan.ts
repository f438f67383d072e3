// The dial plan's commands: trunks, business names, ring groups, business hours, outbound
// routes, the setup state and click-to-call. Pages call these functions rather than the
// client directly, so the shape of each request and answer is read in this one place.

import type { ApiClient } from "./client";
import type {
  BusinessName,
  ClickToCallResponse,
  Destination,
  OutboundRoute,
  RingGroup,
  Schedule,
  Trunk,
  TrunkState,
} from "./types";

export type {
  BusinessName,
  Destination,
  DtmfMode,
  Holiday,
  OpenPeriod,
  OutboundRoute,
  RingGroup,
  RingMember,
  RingStrategy,
  Schedule,
  Trunk,
  TrunkAuth,
  TrunkState,
  TrunkStatus,
  TrunkTransport,
} from "./types";

export type TrunkId = number;
export type ClickToCall = ClickToCallResponse;

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

/** An import's refused lines, from its error fields: `text.3` is line 3 (from 1). */
export function lineErrorsFrom(fields: Readonly<Record<string, string>>): LineError[] {
  const out: LineError[] = [];
  for (const [k, message] of Object.entries(fields)) {
    const m = /^text[.[](\d+)\]?$/.exec(k);
    if (m) out.push({ line: Number(m[1]), message });
  }
  return out.sort((a, b) => a.line - b.line);
}

// ----- commands -----------------------------------------------------------------

export async function listTrunks(client: ApiClient): Promise<TrunkEntry[]> {
  const res = await client.call("list_trunks", {});
  return res.trunks.map((t) => ({ trunk: t.trunk, state: t.state }));
}

/** Saves a trunk (id 0 = new); answers with the trunk as saved (its id, contact user). */
export async function saveTrunk(client: ApiClient, trunk: Trunk): Promise<Trunk> {
  return (await client.call("save_trunk", trunk)).trunk;
}

export async function removeTrunk(client: ApiClient, id: TrunkId): Promise<void> {
  await client.call("remove_trunk", { id });
}

export async function listBusinessNames(client: ApiClient): Promise<BusinessName[]> {
  return (await client.call("list_business_names", {})).names;
}

export async function saveBusinessName(client: ApiClient, name: BusinessName): Promise<BusinessName> {
  return (await client.call("save_business_name", name)).name;
}

export async function removeBusinessName(client: ApiClient, id: number): Promise<void> {
  await client.call("remove_business_name", { id });
}

/**
 * Imports a pasted list, all or nothing. Resolves with the new names, or with the
 * per-line errors when the server refused lines (nothing was imported then).
 */
export async function importBusinessNames(
  client: ApiClient,
  text: string,
  trunk: TrunkId | null,
  destination: Destination,
): Promise<{ names: BusinessName[]; errors: LineError[] }> {
  const res = await client.call("import_business_names", { text, trunk: trunk ?? undefined, destination });
  return { names: res.names, errors: [] };
}

export async function listRingGroups(client: ApiClient): Promise<RingGroup[]> {
  return (await client.call("list_ring_groups", {})).groups;
}

/** `previous` is the group's number before this edit (null for a new group). */
export async function saveRingGroup(client: ApiClient, previous: string | null, group: RingGroup): Promise<void> {
  await client.call("save_ring_group", { ...group, previous_number: previous ?? undefined });
}

export async function removeRingGroup(client: ApiClient, number: string): Promise<void> {
  await client.call("remove_ring_group", { number });
}

export async function listSchedules(client: ApiClient): Promise<Schedule[]> {
  return (await client.call("list_schedules", {})).schedules;
}

export async function saveSchedule(client: ApiClient, schedule: Schedule): Promise<number> {
  return (await client.call("save_schedule", schedule)).schedule.id;
}

export async function removeSchedule(client: ApiClient, id: number): Promise<void> {
  await client.call("remove_schedule", { id });
}

export async function listOutboundRoutes(
  client: ApiClient,
): Promise<{ routes: OutboundRoute[]; emergency: string[] }> {
  const res = await client.call("list_outbound_routes", {});
  return { routes: res.routes, emergency: res.emergency_numbers };
}

/** Replaces every route (in this order) and, when given, the emergency numbers. */
export async function saveOutboundRoutes(client: ApiClient, routes: OutboundRoute[], emergency?: string[]): Promise<void> {
  await client.call("save_outbound_routes", { routes, emergency_numbers: emergency });
}

export async function setOutboundPermission(client: ApiClient, number: string, allowed: boolean): Promise<void> {
  await client.call("set_outbound_permission", { number, allowed });
}

export async function setupComplete(client: ApiClient): Promise<boolean> {
  return (await client.call("get_setup_state", {})).complete;
}

export async function completeSetup(client: ApiClient): Promise<void> {
  await client.call("complete_setup", {});
}

export async function clickToCall(client: ApiClient, id: number): Promise<ClickToCall> {
  return await client.call("click_to_call", { id });
}
