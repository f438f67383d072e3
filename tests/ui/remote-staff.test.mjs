// Staff outside the office: the owner saves the office's public address in Settings, then
// makes a one-time setup link with a QR code for an extension on the Extensions page; the
// link names the public address, never the password, and the PBX counts it as waiting.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("remote staff: public address saved, a setup link and QR code made and revoked", { timeout: 120_000 }, async () => {
  const env = await setUp("remote-staff");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      const added = await pbx.api("add_extension", { number: "1001", name: "Alice Martin" });

      await page.goto(`${pbx.url}/#/settings`);
      const card = page.getByTestId("remote-access");
      const address = card.getByLabel("Public address (for staff outside the office)");
      await address.waitFor({ timeout: T });

      // A port is refused next to the field, and nothing is saved.
      await address.fill("office.example.com:5060");
      await card.getByRole("button", { name: "Save public address" }).click();
      await card.locator("#public-address-error").getByText(/without a port/).waitFor({ timeout: T });
      assert.equal((await pbx.api("get_remote_access")).settings.public_address, null);

      await address.fill("203.0.113.7");
      await card.getByRole("button", { name: "Save public address" }).click();
      await card.getByText("Phones outside the office are given 203.0.113.7 from the next call on.").waitFor({ timeout: T });
      assert.equal((await pbx.api("get_remote_access")).settings.public_address, "203.0.113.7");

      await page.goto(`${pbx.url}/#/extensions`);
      await page.getByRole("button", { name: "Set up a remote phone for 1001" }).click();
      const dialog = page.getByRole("dialog", { name: "Set up a remote phone for 1001" });
      await dialog.getByText(/replaces the password of extension 1001/).waitFor({ timeout: T });
      await dialog.getByRole("button", { name: "Make setup link" }).click();
      const link = await dialog.getByTestId("setup-link").inputValue();
      assert.match(link, /^https:\/\/203\.0\.113\.7:\d+\/provision\/\w+#sha256=[0-9a-f]{64}$/);
      assert.ok(!link.includes(added.password), "the link carries no password");
      assert.equal(await dialog.getByTestId("setup-qr").locator("svg").count(), 1, "a QR code is shown");
      assert.deepEqual(
        (await pbx.api("list_setup_links")).links.map((l) => [l.extension, l.state]),
        [["1001", "waiting"]],
      );

      await dialog.getByRole("button", { name: "Revoke link" }).click();
      await dialog.getByText("The link was revoked; it no longer works.").waitFor({ timeout: T });
      assert.equal((await pbx.api("list_setup_links")).links[0].state, "revoked");
    });
  } finally {
    await env.tearDown();
  }
});
