// Transfer from the Phone page: the app's phone talks to one desk phone and sends it on to
// another with "Transfer now"; the other rings, answers, and the app's call ends while the
// two desk phones stay connected. Do not disturb makes the next call a missed one.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";
import { until } from "./harness/wait.mjs";

const T = 10_000;

test("the Phone page transfers a call to another desk phone and counts a call missed under do not disturb", { timeout: 120_000 }, async () => {
  process.env.SWITCHBOARD_PHONE_AUDIO = "file:660:";
  const env = await setUp("phone-transfer", { width: 1000, height: 1200 });
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      const me = await pbx.api("add_extension", { number: "201", name: "Front desk" });
      const bobExt = await pbx.api("add_extension", { number: "202", name: "Bob" });
      const carolExt = await pbx.api("add_extension", { number: "203", name: "Carol" });
      const bob = await env.phone("bob", 440);
      const carol = await env.phone("carol", 880);
      assert.equal(await bob.register(pbx.sipAddr, "202", bobExt.password), 200);
      assert.equal(await carol.register(pbx.sipAddr, "203", carolExt.password), 200);
      await pbx.api("save_phone_account", { server: pbx.sipAddr, transport: "udp", user: "201", password: me.password });

      await page.goto(`${pbx.url}/#/phone`);
      const reg = page.getByTestId("phone-registration");
      await until(async () => /^Registered/.test((await reg.textContent()) ?? ""), { timeoutMs: T, what: "Registered" });
      // The PBX's other extensions are offered as contacts.
      const contacts = page.getByTestId("phone-contacts");
      await until(async () => /Carol/.test((await contacts.textContent()) ?? ""), { timeoutMs: T, what: "contacts" });

      await page.getByLabel("Number").fill("202");
      await page.getByLabel("Number").press("Enter");
      await bob.waitIncoming();
      await bob.answer();
      await bob.waitState("confirmed");
      await page.getByTestId("call-timer").waitFor({ timeout: T });

      // An empty target is refused next to its field.
      await page.getByRole("button", { name: "Transfer", exact: true }).click();
      await page.getByRole("button", { name: "Transfer now" }).click();
      await page.getByText("Enter the number to transfer to.").waitFor({ timeout: T });
      await page.getByLabel("Transfer to").fill("203");
      await page.getByRole("button", { name: "Transfer now" }).click();
      await carol.waitIncoming();
      await carol.answer();
      await carol.waitState("confirmed");
      await until(async () => (await page.getByTestId("phone-call").count()) === 0, {
        timeoutMs: T,
        what: "the transferred call to leave Calls now",
      });
      // Bob was not dropped: he now talks to Carol.
      assert.ok(!bob.events.some((e) => e.type === "state" && e.state === "disconnected"), "Bob stays in the call");

      // Do not disturb: Bob's next call is refused and counted as missed.
      await page.getByTestId("phone-dnd").check();
      await until(async () => (await page.getByTestId("phone-dnd").isChecked()), { timeoutMs: T, what: "DND on" });
      await bob.hangup();
      await bob.waitState("disconnected");
      await bob.call(pbx.uri("201"));
      const missed = page.getByTestId("phone-missed");
      await missed.waitFor({ timeout: T });
      assert.match((await missed.textContent()) ?? "", /1 missed/);
      await page.getByRole("button", { name: "Mark missed calls as seen" }).click();
      await until(async () => (await missed.count()) === 0, { timeoutMs: T, what: "the missed count to clear" });
    });
  } finally {
    delete process.env.SWITCHBOARD_PHONE_AUDIO;
    await env.tearDown();
  }
});
