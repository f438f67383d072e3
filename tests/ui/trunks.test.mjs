// The Trunks page shows each trunk's live state in words: a provider that refused the
// account is an alert with what to do (and the PBX stopped asking), a connected trunk
// counts its lines busy live while a simulated provider's call is up, and the call
// history names the business name and the trunk.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";
import { SimProvider } from "./harness/provider.mjs";

const T = 10_000;
const SALES_NUMBER = "+442071234567";

function trunk(provider, name, channels) {
  return {
    id: 0, name, enabled: true, host: provider.host, port: provider.port, transport: "udp", outbound_proxy: null,
    auth: {
      mode: "registration", username: provider.username, password: provider.password,
      auth_username: null, contact_user: "", expires: 300,
    },
    channels, codecs: ["PCMU", "PCMA"], dtmf: "rfc4733", from_user: null, caller_id: null, trust_pai: false,
    overflow: null, default_destination: { kind: "hangup" },
  };
}

test("trunks page: a refused account is an alert in words, lines busy follow a provider call live", { timeout: 180_000 }, async () => {
  const env = await setUp("trunks");
  const providers = [];
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      const locked = await SimProvider.start(env.workdir, { name: "locked" });
      providers.push(locked);
      await locked.cmd("reject_register", { code: 403 });
      const main = await SimProvider.start(env.workdir, { name: "main" });
      providers.push(main);

      const alice = await pbx.api("add_extension", { number: "1001", name: "Alice" });
      const lockedId = (await pbx.api("save_trunk", trunk(locked, "Old account", 2))).trunk.id;
      const mainId = (await pbx.api("save_trunk", trunk(main, "Main line", 2))).trunk.id;
      await pbx.api("save_business_name", {
        id: 0, name: "sales.acme", number: "+44 20 7123 4567", label: "", trunk: mainId,
        destination: { kind: "extension", target: "1001" },
      });
      await pbx.api("complete_setup", {});

      await page.goto(`${pbx.url}/#/trunks`);
      await page.getByRole("heading", { name: "Trunks", level: 1 }).waitFor({ timeout: T });
      await page.evaluate(() => {
        window.__sameDocument = true;
      });

      // The refused account: what happened and what to do, and that the PBX stopped.
      const lockedStatus = page.getByTestId(`trunk-${lockedId}-status`);
      await lockedStatus.getByText("The provider refused the user name or password").waitFor({ timeout: 20_000 });
      await lockedStatus.getByText(/stopped trying/).waitFor({ timeout: T });
      const registers = await locked.cmd("registers");
      assert.equal(registers.length, 1, `one REGISTER, answered 403, and no more: ${JSON.stringify(registers)}`);

      // The connected trunk, with its lines.
      const mainStatus = page.getByTestId(`trunk-${mainId}-status`);
      await mainStatus.getByText(`Connected to ${main.host} — 2 lines`).waitFor({ timeout: 20_000 });
      const lines = page.getByTestId(`trunk-${mainId}-lines`);
      await lines.getByText("No lines busy (2 lines)").waitFor({ timeout: T });
      await main.waitBinding(5);

      // A provider call to sales.acme: one line busy while it is up, free again after.
      const phone = await env.phone("alice", 440);
      assert.equal(await phone.register(pbx.sipAddr, "1001", alice.password), 200);
      const call = await main.call(SALES_NUMBER);
      const incoming = await phone.waitIncoming();
      assert.equal(incoming.display, "[Sales] Jane Doe", JSON.stringify(incoming));
      await phone.answer();
      await main.cmd("wait_answered", { call, timeout: 10 });
      await lines.getByText("1 of 2 lines busy").waitFor({ timeout: T });
      await page.screenshot({ path: join(screenshotDir(env.workdir), "trunks.png"), fullPage: true });
      await main.cmd("hangup", { call, timeout: 8 });
      await phone.waitState("disconnected");
      await lines.getByText("No lines busy (2 lines)").waitFor({ timeout: T });
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload happened");

      // The history names the business name and the trunk.
      await page.goto(`${pbx.url}/#/calls`);
      const row = page.getByRole("row", { name: /sales\.acme/ });
      await row.waitFor({ timeout: T });
      assert.match(await row.textContent(), /Main line/, "the trunk is named in the call's row");
    });
  } catch (err) {
    if (err instanceof Error) for (const p of providers) err.message += `\n${p.logText()}`;
    throw err;
  } finally {
    for (const p of providers) await p.close();
    await env.tearDown();
  }
});
