// The Phone page's direct calls (no PBX): choosing "Direct calls with one phone" asks for
// the other phone's address and the port this PC takes calls on; a port out of range is
// refused next to its field with nothing saved, and a good one is saved and shown as
// "Direct calls: listening on port N for <peer>" in place of the registration state.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

/** A UDP port free right now. */
async function freePort() {
  const s = createSocket("udp4");
  await new Promise((resolve) => s.bind(0, "0.0.0.0", resolve));
  const port = s.address().port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

test("the direct-call form is checked, saved and shows where the phone listens", { timeout: 20_000 }, async () => {
  process.env.SWITCHBOARD_PHONE_AUDIO = "file:700:";
  const env = await setUp("phone-direct");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      const port = await freePort();
      await page.goto(`${pbx.url}/#/phone`);
      await page.getByLabel("Direct calls with one phone, no PBX").check();
      await page.getByLabel("The other phone's address").fill("127.0.0.1:5090");
      const portField = page.getByLabel("Port this PC takes calls on");
      assert.equal(await portField.inputValue(), "5060", "5060 offered");
      await portField.fill("70000");
      await page.getByRole("button", { name: "Save and connect" }).click();
      const error = page.locator("#ph-direct-port-error");
      await error.waitFor({ timeout: T });
      assert.match((await error.textContent()) ?? "", /1 to 65535/);
      assert.equal(await portField.getAttribute("aria-invalid"), "true");
      assert.equal((await pbx.api("get_phone", {})).account, null, "nothing saved");

      await portField.fill(String(port));
      await page.getByRole("button", { name: "Save and connect" }).click();
      const line = page.getByTestId("phone-registration");
      const expected = `Direct calls: listening on port ${port} for 127.0.0.1:5090`;
      await until(async () => ((await line.textContent()) ?? "").trim() === expected, { timeoutMs: T, what: expected });
      const saved = (await pbx.api("get_phone", {})).account;
      assert.equal(saved.direct_port, port);
      assert.equal(saved.server, "127.0.0.1:5090");
    });
  } finally {
    delete process.env.SWITCHBOARD_PHONE_AUDIO;
    await env.tearDown();
  }
});
