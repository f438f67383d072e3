// The dial plan's lists that several pages show or pick from: business names, ring
// groups, business hours and outbound routes. Each page re-reads what it shows when it
// opens and after a change; pickers on other pages use what was read last.

import { app } from "./state.svelte";
import {
  listBusinessNames,
  listOutboundRoutes,
  listRingGroups,
  listSchedules,
  type BusinessName,
  type OutboundRoute,
  type RingGroup,
  type Schedule,
} from "./api/plan";
import type { Directory } from "./lib/destinations";

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class PlanState {
  names = $state<BusinessName[]>([]);
  namesLoaded = $state(false);
  groups = $state<RingGroup[]>([]);
  groupsLoaded = $state(false);
  schedules = $state<Schedule[]>([]);
  schedulesLoaded = $state(false);
  routes = $state<OutboundRoute[]>([]);
  emergency = $state<string[]>([]);
  routesLoaded = $state(false);
  /** Why the last read failed, by list; shown on the page that needed it. */
  errors = $state<Record<string, string | null>>({});

  /** Extensions, groups and schedules, for naming and picking destinations. */
  get directory(): Directory {
    return { extensions: app.extensions, groups: this.groups, schedules: this.schedules };
  }

  async refreshNames(): Promise<void> {
    try {
      this.names = await listBusinessNames(app.client);
      this.namesLoaded = true;
      this.errors.names = null;
    } catch (err) {
      this.errors.names = message(err);
    }
  }

  async refreshGroups(): Promise<void> {
    try {
      this.groups = await listRingGroups(app.client);
      this.groupsLoaded = true;
      this.errors.groups = null;
    } catch (err) {
      this.errors.groups = message(err);
    }
  }

  async refreshSchedules(): Promise<void> {
    try {
      this.schedules = await listSchedules(app.client);
      this.schedulesLoaded = true;
      this.errors.schedules = null;
    } catch (err) {
      this.errors.schedules = message(err);
    }
  }

  async refreshRoutes(): Promise<void> {
    try {
      const r = await listOutboundRoutes(app.client);
      this.routes = r.routes;
      this.emergency = r.emergency;
      this.routesLoaded = true;
      this.errors.routes = null;
    } catch (err) {
      this.errors.routes = message(err);
    }
  }

  /** Everything a destination picker may name. */
  async refreshDirectory(): Promise<void> {
    await Promise.all([this.refreshGroups(), this.refreshSchedules()]);
  }
}

export const plan = new PlanState();

// Another window (or the wizard) saved a list: re-read it if this window shows it.
app.onPlanChanged((what) => {
  if (what === "business_names" && plan.namesLoaded) void plan.refreshNames();
  if (what === "ring_groups" && plan.groupsLoaded) void plan.refreshGroups();
  if (what === "schedules" && plan.schedulesLoaded) void plan.refreshSchedules();
  if (what === "outbound_routes" && plan.routesLoaded) void plan.refreshRoutes();
});
