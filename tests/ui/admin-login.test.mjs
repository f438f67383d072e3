// The admin pages opened to the office network: a browser on another computer logs in; a
// staff member sees only their own pages and the server refuses them the owner's commands;
// five wrong passwords lock the login with a message saying so.

import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";
import { HOST } from "./harness/net.mjs";

const T = 10_000;
const OWNER_PASSWORD = "tall-green-lamp-42";

/** This computer's address on its network: what a browser on another desk would use. */
function networkAddress() {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === "IPv4" && !a.internal) return a.address;
    }
  }
  throw new Error("this computer has no network address besides loopback to test from");
}

test("admin login: staff see only their pages and are refused owner commands; lockout after five failures", { timeout: 180_000 }, async () => {
  const env = await setUp("admin-login");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await pbx.api("add_extension", { number: "201", name: "Ana" });
      await pbx.api("set_owner_login", { username: "boss", password: OWNER_PASSWORD });
      const { password } = await pbx.api("set_staff_password", { number: "201" });
      // Serve on every address, as the owner does by setting the admin address to 0.0.0.0.
      const args = pbx.args.bind(pbx);
      pbx.args = () => args().map((a) => (a === `${HOST}:${pbx.httpPort}` ? `0.0.0.0:${pbx.httpPort}` : a));
      await pbx.restart();
      const lan = `http://${networkAddress()}:${pbx.httpPort}`;

      await page.goto(`${lan}/`);
      await page.getByRole("heading", { name: "Log in to Switchboard" }).waitFor({ timeout: T });
      await page.getByLabel("User name or extension").fill("201");
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByTestId("user-menu").waitFor({ timeout: T });
      assert.match(await page.getByTestId("user-menu").textContent(), /Extension 201/);
      const nav = page.getByRole("navigation", { name: "Pages" });
      await nav.getByRole("link", { name: /Voicemail/ }).waitFor({ timeout: T });
      const links = (await nav.getByRole("link").allTextContents()).map((t) => t.trim().replace(/\s+\d+.*$/, ""));
      assert.deepEqual(links.sort(), ["Calls", "Recordings", "Voicemail"], `staff navigation: ${links}`);

      await page.goto(`${lan}/#/extensions`);
      await page.getByTestId("owner-only").waitFor({ timeout: T });
      // Not just hidden: the server refuses the owner's command to this session.
      const refused = await page.evaluate(async () => {
        const s = await (await fetch("/api/auth/session")).json();
        const res = await fetch("/api/list_extensions", {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": s.csrf_token },
          body: "{}",
        });
        return res.status;
      });
      assert.equal(refused, 403);

      await page.getByRole("button", { name: "Log out" }).click();
      await page.getByRole("heading", { name: "Log in to Switchboard" }).waitFor({ timeout: T });

      for (let i = 0; i < 5; i++) {
        await page.getByLabel("User name or extension").fill("boss");
        await page.getByLabel("Password", { exact: true }).fill(`wrong-guess-${i}-xyz`);
        await page.getByRole("button", { name: "Log in" }).click();
        // A refused login empties the password field once the answer is in.
        await page.waitForFunction(() => document.getElementById("login-password").value === "", null, { timeout: T });
        assert.equal((await page.getByTestId("login-error").textContent()).trim(), "Wrong user name or password.");
      }
      await page.getByLabel("Password", { exact: true }).fill(OWNER_PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByTestId("login-error").getByText(/Too many failed logins: try again in 15 minutes/).waitFor({ timeout: T });
    });
  } finally {
    await env.tearDown();
  }
});
