// When Switchboard stops, the page says so in words; when it is back, the page reconnects
// by itself and live updates flow again, without a reload.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("the page notices Switchboard stopping and reconnects when it is back", { timeout: 120_000 }, async () => {
  const env = await setUp("reconnect");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      const ext = await pbx.api("add_extension", { number: "1001", name: "Alice" });
      await page.goto(`${pbx.url}/#/extensions`);
      await page.getByTestId("status-pbx").getByText("Phone system running").waitFor({ timeout: T });
      await page.evaluate(() => {
        window.__sameDocument = true;
      });

      await pbx.stop();
      await page.getByTestId("status-pbx").getByText("Can't reach Switchboard").waitFor({ timeout: T });
      await page.getByTestId("status-live").getByText(/reconnecting/).waitFor({ timeout: T });

      await pbx.restart();
      // The reconnect delay grows while it is down; allow for the longest step.
      await page.getByTestId("status-pbx").getByText("Phone system running").waitFor({ timeout: 3 * T });
      await page.getByTestId("status-live").waitFor({ state: "detached", timeout: 3 * T });

      // Events flow over the new connection.
      const phone = await env.phone("alice", 440);
      assert.equal(await phone.register(pbx.sipAddr, "1001", ext.password), 200);
      await page.getByTestId("ext-1001-state").getByText("Phone online").waitFor({ timeout: T });
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload happened");
    });
  } finally {
    await env.tearDown();
  }
});
