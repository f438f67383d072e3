// The Outbound routes page's Toll-fraud limits: a bad pattern and a count that is not a
// number are shown next to their fields and nothing is saved; good limits are saved and
// are what the PBX then lists.

import assert from "node:assert/strict";
import { test } from "node:test";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("outbound routes page: toll-fraud limits with errors by the fields", { timeout: 120_000 }, async () => {
  const env = await setUp("toll-limits");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      await page.goto(`${pbx.url}/#/routes`);
      await page.getByRole("heading", { name: "Toll-fraud limits" }).waitFor({ timeout: T });

      const destinations = page.getByLabel("Allowed destinations");
      const perExtension = page.getByLabel("Calls out at once, per extension");
      await destinations.fill("+44., 0[9-");
      await perExtension.fill("two");
      await page.getByRole("button", { name: "Save limits" }).click();
      await page.locator("#toll-destinations-error").getByText("0[9-").waitFor({ timeout: T });
      await page.locator("#toll-extension-error").waitFor({ timeout: T });
      assert.equal(await destinations.getAttribute("aria-invalid"), "true");
      let listed = await pbx.api("list_outbound_routes", {});
      assert.deepEqual(listed.toll_limits.allowed_destinations, [], "nothing was saved");

      await destinations.fill("+44., 0[1-9].");
      await perExtension.fill("1");
      await page.getByLabel("Calls out at once, whole office").fill("4");
      await page.getByRole("button", { name: "Save limits" }).click();
      await page.getByText("Saved. Calls out are held to these limits now.").waitFor({ timeout: T });
      listed = await pbx.api("list_outbound_routes", {});
      assert.deepEqual(listed.toll_limits.allowed_destinations, ["+44.", "0[1-9]."]);
      assert.equal(listed.toll_limits.max_outbound_per_extension, 1);
      assert.equal(listed.toll_limits.max_outbound_calls, 4);
      assert.equal(await page.locator("#toll-extension-error").count(), 0);
    });
  } finally {
    await env.tearDown();
  }
});
