// Reads the app's tray menu the way a desktop panel does: the AppIndicator publishes it on
// the session bus (StatusNotifierItem + com.canonical.dbusmenu), and gdbus asks for it.

import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const ITEM = "/org/ayatana/NotificationItem/tray_icon_tray_app_main";

async function gdbus(args) {
  const { stdout } = await run("gdbus", args, { timeout: 5_000 });
  return stdout;
}

/** The bus name of the connection that publishes the tray item, or null. */
export async function findTray() {
  const names = await gdbus([
    "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
    "--method", "org.freedesktop.DBus.ListNames",
  ]);
  for (const name of names.match(/':1\.\d+'/g) ?? []) {
    const dest = name.slice(1, -1);
    const xml = await gdbus(["introspect", "--session", "--dest", dest, "--object-path", ITEM]).catch(() => "");
    if (xml.includes("org.kde.StatusNotifierItem")) return dest;
  }
  return null;
}

/** The menu's entries: `[{id, label, enabled}]`, in order. */
export async function trayMenu(dest) {
  const layout = await gdbus([
    "call", "--session", "--dest", dest, "--object-path", `${ITEM}/Menu`,
    "--method", "com.canonical.dbusmenu.GetLayout", "--", "0", "-1", "[]",
  ]);
  const items = [];
  for (const m of layout.matchAll(/<\((\d+), \{([^}]*)\}/g)) {
    const label = /'label': <'([^']*)'>/.exec(m[2])?.[1];
    if (label === undefined) continue;
    items.push({ id: Number(m[1]), label, enabled: !/'enabled': <false>/.test(m[2]) });
  }
  return items;
}

/** Clicks a menu entry, as a panel does when the user picks it. */
export async function clickTrayItem(dest, id) {
  await gdbus([
    "call", "--session", "--dest", dest, "--object-path", `${ITEM}/Menu`,
    "--method", "com.canonical.dbusmenu.Event", "--", String(id), "clicked", "<0>", "0",
  ]);
}
