// The incoming-call window's page (#/incoming?call=N, what the desktop app opens in a
// small window on top) answers a call from a desk phone, which then shows on the Phone
// page and is hung up there. And the first-run question: "Connect to my office" leaves only
// the Phone page (and Settings to switch back).

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

test("the incoming-call page answers a call, which is then hung up on the Phone page", { timeout: 90_000 }, async () => {
  const rec = join(mkdtempSync(join(tmpdir(), "switchboard-incoming-audio-")), "heard.wav");
  process.env.SWITCHBOARD_PHONE_AUDIO = `file:660:${rec}`;
  const env = await setUp("incoming", { width: 380, height: 300 });
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      const me = await pbx.api("add_extension", { number: "201", name: "Front desk" });
      const desk = await pbx.api("add_extension", { number: "202", name: "Bob" });
      await pbx.api("save_phone_account", { server: pbx.sipAddr, transport: "udp", user: "201", password: me.password });
      await until(async () => (await pbx.api("get_phone")).registration.state === "registered", { timeoutMs: T, what: "the app's phone registered" });
      const bob = await env.phone("bob", 440);
      assert.equal(await bob.register(pbx.sipAddr, "202", desk.password), 200);

      await bob.call(pbx.uri("201"));
      let ringing;
      await until(async () => {
        ringing = (await pbx.api("get_phone")).calls.find((c) => c.direction === "in" && c.state === "ringing");
        return ringing !== undefined;
      }, { timeoutMs: T, what: "the call ringing on the app's phone" });

      await page.goto(`${pbx.url}/#/incoming?call=${ringing.id}`);
      const win = page.getByTestId("incoming-window");
      await page.getByTestId("incoming-name").waitFor({ timeout: T });
      assert.match(await win.textContent(), /202/, "the caller's number shows");
      assert.equal(await page.getByRole("navigation").count(), 0, "the window shows the call alone");
      await page.getByRole("button", { name: /^Answer/ }).click();
      await bob.waitState("confirmed");

      // A browser moves on to the Phone page, where the call runs and is hung up.
      await page.getByTestId("call-timer").waitFor({ timeout: T });
      assert.equal(new URL(page.url()).hash, "#/phone");
      await page.getByRole("button", { name: "Hang up" }).click();
      await bob.waitState("disconnected");

      // Opened again, the page says the call no longer rings instead of offering Answer.
      await page.goto(`${pbx.url}/#/incoming?call=${ringing.id}`);
      await page.getByTestId("incoming-after").waitFor({ timeout: T });
      assert.equal(await page.getByRole("button", { name: /^Answer/ }).count(), 0);
    });
  } finally {
    delete process.env.SWITCHBOARD_PHONE_AUDIO;
    await env.tearDown();
  }
});

test("choosing \"Connect to my office\" on the first-run screen leaves only the Phone page", { timeout: 60_000 }, async () => {
  const env = await setUp("phone-only", { width: 900, height: 800 });
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await page.goto(`${pbx.url}/`);
      await page.getByRole("heading", { name: "Set up Switchboard" }).waitFor({ timeout: T });
      await page.getByRole("button", { name: /^Connect to my office/ }).click();

      // The phone's account form is the next step.
      await page.getByLabel("Server").waitFor({ timeout: T });
      const links = await page.getByRole("navigation", { name: "Pages" }).getByRole("link").allTextContents();
      assert.deepEqual(links.map((l) => l.trim()), ["Phone", "Settings"]);
      assert.equal(await page.getByTestId("setup-banner").count(), 0, "no office setup is asked for");
      assert.deepEqual(await pbx.api("get_app_mode"), { chosen: true, phone_only: true, pbx_running: true });

      // Any other page shows the phone; Settings offers the way back.
      await page.goto(`${pbx.url}/#/extensions`);
      await page.getByLabel("Server").waitFor({ timeout: T });
      await page.goto(`${pbx.url}/#/settings`);
      await page.getByRole("button", { name: /^This PC runs the office phone system/ }).click();
      await until(async () => (await page.getByRole("navigation", { name: "Pages" }).getByRole("link").count()) > 2, { timeoutMs: T, what: "every page back" });
      assert.equal((await pbx.api("get_app_mode")).phone_only, false);
    });
  } finally {
    await env.tearDown();
  }
});
