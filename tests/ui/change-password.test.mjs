// The user menu's "Change my password" on the office network: a wrong current password
// and a weak new one are shown next to their fields; a good change keeps this browser
// logged in, and the new password is the one that logs in afterwards.

import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";
import { HOST } from "./harness/net.mjs";

const T = 10_000;
const NEW_PASSWORD = "blue-river-stone-88";

function networkAddress() {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === "IPv4" && !a.internal) return a.address;
    }
  }
  throw new Error("this computer has no network address besides loopback to test from");
}

test("user menu: staff change their own web password", { timeout: 120_000 }, async () => {
  const env = await setUp("change-password");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await pbx.api("add_extension", { number: "201", name: "Ana" });
      await pbx.api("set_owner_login", { username: "boss", password: "tall-green-lamp-42" });
      const { password } = await pbx.api("set_staff_password", { number: "201" });
      const args = pbx.args.bind(pbx);
      pbx.args = () => args().map((a) => (a === `${HOST}:${pbx.httpPort}` ? `0.0.0.0:${pbx.httpPort}` : a));
      await pbx.restart();
      const lan = `http://${networkAddress()}:${pbx.httpPort}`;

      await page.goto(`${lan}/`);
      await page.getByLabel("User name or extension").fill("201");
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Log in" }).click();
      const menu = page.getByTestId("user-menu");
      await menu.getByRole("button", { name: "Change my password" }).click();
      const dialog = page.getByTestId("password-dialog");
      await dialog.getByLabel("Current password").fill("not-my-password-1");
      await dialog.getByLabel("New password").fill(NEW_PASSWORD);
      await dialog.getByRole("button", { name: "Change password" }).click();
      await dialog.locator("#pw-current-error").getByText("Is not your current password.").waitFor({ timeout: T });

      await dialog.getByLabel("Current password").fill(password);
      await dialog.getByLabel("New password").fill("short");
      await dialog.getByRole("button", { name: "Change password" }).click();
      await dialog.locator("#pw-new-error").getByText("Must be at least 10 characters.").waitFor({ timeout: T });
      assert.equal(await dialog.locator("#pw-current-error").count(), 0);

      await dialog.getByLabel("New password").fill(NEW_PASSWORD);
      await dialog.getByRole("button", { name: "Change password" }).click();
      await page.getByTestId("password-changed").waitFor({ timeout: T });
      // Still logged in here: a page of theirs still loads.
      await page.reload();
      await page.getByTestId("user-menu").waitFor({ timeout: T });

      await menu.getByRole("button", { name: "Log out" }).click();
      await page.getByRole("heading", { name: "Log in to Switchboard" }).waitFor({ timeout: T });
      await page.getByLabel("User name or extension").fill("201");
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByTestId("login-error").waitFor({ timeout: T });
      await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByTestId("user-menu").waitFor({ timeout: T });
    });
  } finally {
    await env.tearDown();
  }
});
