// The app's own phone: the owner enters an extension's account on the Phone page, sees it
// registered, calls a desk phone from the dial pad, sees the call's clock run and its
// quality figures, and hangs up;
// a call from the desk phone shows a banner on another page and is answered from it.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

test("the Phone page registers, dials a desk phone, times the call and hangs up", { timeout: 120_000 }, async () => {
  // A tone instead of a sound card, so the call has audio on any machine.
  const rec = join(mkdtempSync(join(tmpdir(), "switchboard-phone-audio-")), "heard.wav");
  process.env.SWITCHBOARD_PHONE_AUDIO = `file:660:${rec}`;
  const env = await setUp("phone", { width: 360, height: 900 });
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      const me = await pbx.api("add_extension", { number: "201", name: "Front desk" });
      const desk = await pbx.api("add_extension", { number: "202", name: "Bob" });
      const bob = await env.phone("bob", 440);
      assert.equal(await bob.register(pbx.sipAddr, "202", desk.password), 200);

      await page.goto(`${pbx.url}/#/phone`);
      await page.getByText(/Not set up/).waitFor({ timeout: T });

      // A server without a port is refused next to its field.
      await page.getByLabel("Server").fill("localhost");
      await page.getByLabel("User (extension or number)").fill("201");
      await page.getByLabel("Password").fill(me.password);
      await page.getByRole("button", { name: "Save and connect" }).click();
      await page.locator("#ph-server-error").waitFor({ timeout: T });
      assert.equal(await page.getByLabel("Server").getAttribute("aria-invalid"), "true");

      await page.getByLabel("Server").fill(pbx.sipAddr);
      await page.getByRole("button", { name: "Save and connect" }).click();
      const reg = page.getByTestId("phone-registration");
      await until(async () => /^Registered/.test((await reg.textContent()) ?? ""), { timeoutMs: T, what: "Registered" });

      // Dial with the pad's keys and Enter.
      for (const k of ["2", "0", "2"]) await page.getByRole("group", { name: "Dial pad" }).getByRole("button", { name: k, exact: true }).click();
      assert.equal(await page.getByLabel("Number").inputValue(), "202");
      await page.getByLabel("Number").press("Enter");
      await bob.waitIncoming();
      await bob.answer();
      await bob.waitState("confirmed");

      const timer = page.getByTestId("call-timer");
      await timer.waitFor({ timeout: T });
      const first = await timer.textContent();
      assert.match(first ?? "", /^\d\d:\d\d$/);
      await until(async () => (await timer.textContent()) !== first, { timeoutMs: T, what: "the clock to move" });
      assert.match(await page.getByTestId("phone-call").textContent(), /202.*Talking/);
      // The call's quality from its RTCP reports shows under the clock within seconds: the
      // far end's report may come before the phone's own first one, so "in" can show "?"
      // for a moment before its figure.
      const quality = page.getByTestId("call-quality");
      await quality.waitFor({ timeout: 15_000 });
      await until(async () => /Loss \d+ % in/.test((await quality.textContent()) ?? ""), {
        timeoutMs: 15_000,
        what: "the call's own loss figure",
      });

      await page.getByRole("button", { name: "Hang up" }).click();
      await bob.waitState("disconnected");
      await page.getByRole("heading", { name: "Recent calls" }).waitFor();
      await until(async () => (await page.getByTestId("phone-call").count()) === 0, { timeoutMs: T, what: "the call to leave Calls now" });
      assert.match(await page.locator(".recent").textContent(), /202/);

      // A call coming in shows a banner on whichever page is open; Answer takes it.
      await page.goto(`${pbx.url}/#/extensions`);
      await bob.call(pbx.uri("201"));
      const banner = page.getByTestId("incoming-call");
      await banner.waitFor({ timeout: T });
      assert.match(await banner.textContent(), /202/);
      await banner.getByRole("button", { name: "Answer" }).click();
      await bob.waitState("confirmed");
      await page.getByTestId("call-timer").waitFor({ timeout: T });
      assert.equal(await banner.count(), 0);
      await page.getByRole("button", { name: "Hang up" }).click();
      await bob.waitState("disconnected");
    });
  } finally {
    delete process.env.SWITCHBOARD_PHONE_AUDIO;
    await env.tearDown();
  }
});
