// Calls between two real phones appear on the Calls page as they ring, are answered and
// end, without a reload; the page's hang-up button ends a call on both phones.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { sleep } from "./harness/wait.mjs";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("live calls on the Calls page, and hanging up from the page", { timeout: 180_000 }, async () => {
  const env = await setUp("calls");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      const alice = await pbx.api("add_extension", { number: "1001", name: "Alice Martin" });
      const bob = await pbx.api("add_extension", { number: "1002", name: "Bob Chen" });
      await pbx.api("add_extension", { number: "1003", name: "Reception" });
      const a = await env.phone("alice", 440);
      const b = await env.phone("bob", 1000);
      assert.equal(await a.register(pbx.sipAddr, "1001", alice.password), 200);
      assert.equal(await b.register(pbx.sipAddr, "1002", bob.password), 200);

      await page.goto(`${pbx.url}/#/calls`);
      await page.getByRole("heading", { name: "No calls right now" }).waitFor({ timeout: T });
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      const live = page.getByTestId("live-call");

      // 1. Alice calls Bob: ringing, answered, then Alice hangs up on her phone.
      await a.call(pbx.uri("1002"));
      await b.waitIncoming();
      await live.and(page.locator('[data-state="ringing"]')).waitFor({ timeout: T });
      const ringing = await live.textContent();
      assert.match(ringing, /1001/);
      assert.match(ringing, /1002/);
      assert.match(ringing, /Ringing/);
      await page.getByTestId("call-announcer").getByText(/ringing/).waitFor({ state: "attached", timeout: T });

      await b.answer();
      await a.waitState("confirmed");
      await live.and(page.locator('[data-state="answered"]')).waitFor({ timeout: T });
      assert.match(await live.textContent(), /In call/);

      await sleep(1500); // a talk time the history can show in words
      await a.hangup();
      await b.waitState("disconnected");
      await live.and(page.locator('[data-state="ended"]')).waitFor({ timeout: T });
      await page.getByRole("heading", { name: "No calls right now" }).waitFor({ timeout: T });
      const history = page.getByTestId("history");
      await history.getByText("Answered").first().waitFor({ timeout: T });

      // 2. Bob calls Alice; she answers; the page's hang-up button ends it on both phones.
      await b.call(pbx.uri("1001"));
      await a.waitIncoming();
      await a.answer();
      await b.waitState("confirmed");
      await live.and(page.locator('[data-state="answered"]')).waitFor({ timeout: T });
      await live.getByText("Bob Chen (1002)").waitFor({ timeout: T });
      await page.screenshot({ path: join(screenshotDir(env.workdir), "calls.png") });

      await page.getByRole("button", { name: "Hang up the call from Bob Chen (1002) to Alice Martin (1001)" }).click();
      await a.waitState("disconnected");
      await b.waitState("disconnected");
      await page.getByRole("heading", { name: "No calls right now" }).waitFor({ timeout: T });
      await history.locator("tbody tr").nth(1).waitFor({ timeout: T });
      assert.equal(await history.locator("tbody tr").count(), 2, "both calls are in the history");
      assert.equal((await pbx.api("list_live_calls")).calls.length, 0);
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload happened");

      // History filters: by outcome (none busy) and by number.
      await page.getByLabel("Outcome").selectOption("busy");
      await page.getByRole("heading", { name: "No calls match these filters" }).waitFor({ timeout: T });
      await page.getByRole("button", { name: "Clear filters" }).first().click();
      await history.locator("tbody tr").nth(1).waitFor({ timeout: T });
      await page.getByLabel("Number").fill("1003");
      await page.getByRole("heading", { name: "No calls match these filters" }).waitFor({ timeout: T });
      await page.getByLabel("Number").fill("1002");
      await history.locator("tbody tr").nth(1).waitFor({ timeout: T });

      // The other pages, as a newcomer would first see them.
      await page.goto(`${pbx.url}/#/extensions`);
      await page.getByTestId("ext-1001-state").getByText("Phone online").waitFor({ timeout: T });
      await page.getByTestId("ext-1003-state").getByText("No phone connected").waitFor({ timeout: T });
      await page.screenshot({ path: join(screenshotDir(env.workdir), "extensions.png") });

      // A phone-sized window: every page fits 360 px without sideways scrolling.
      await page.setViewportSize({ width: 360, height: 740 });
      for (const p of ["extensions", "calls", "settings"]) {
        await page.goto(`${pbx.url}/#/${p}`);
        await page.locator("main h1").waitFor({ timeout: T });
        await page.locator("main .card").first().waitFor({ timeout: T });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 360, `${p} fits 360 px (content is ${width} px wide)`);
        await page.screenshot({ path: join(env.workdir, `${p}-360.png`), fullPage: true });
      }
    });
  } finally {
    await env.tearDown();
  }
});
