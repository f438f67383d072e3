// Settings → Never block: a bad entry is refused with its message next to the field and
// nothing is saved; a network is added, listed and saved for the PBX; this computer's own
// addresses are shown as always allowed; an entry is removed again.

import assert from "node:assert/strict";
import { test } from "node:test";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("settings page: the never-block list with its errors by the field", { timeout: 120_000 }, async () => {
  const env = await setUp("allow-list");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      await page.goto(`${pbx.url}/#/settings`);
      const card = page.getByTestId("allow-list");
      await card.getByRole("heading", { name: "Never block" }).waitFor({ timeout: T });
      await card.getByTestId("allow-own").filter({ hasText: "127.0.0.1" }).waitFor({ timeout: T });

      const field = card.getByLabel("Address or network");
      await field.fill("pbx.example.com");
      await card.getByRole("button", { name: "Add" }).click();
      await card.getByTestId("allow-entry-error").getByText("Not an address or network").waitFor({ timeout: T });
      assert.equal(await field.getAttribute("aria-invalid"), "true");
      assert.deepEqual((await pbx.api("get_allow_list", {})).entries, [], "nothing was saved");

      await field.fill("192.168.1.0/24");
      await card.getByRole("button", { name: "Add" }).click();
      await card.getByTestId("allow-entry").filter({ hasText: "192.168.1.0/24" }).waitFor({ timeout: T });
      assert.equal(await card.getByTestId("allow-entry-error").count(), 0);
      assert.deepEqual((await pbx.api("get_allow_list", {})).entries, ["192.168.1.0/24"]);

      await card.getByRole("button", { name: "Remove 192.168.1.0/24" }).click();
      await card.getByText("192.168.1.0/24 is guarded like any other address again.").waitFor({ timeout: T });
      assert.deepEqual((await pbx.api("get_allow_list", {})).entries, []);
    });
  } finally {
    await env.tearDown();
  }
});
