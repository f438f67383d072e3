// The setup wizard, from an empty database to a working inbound route: the owner enters the
// provider (and "Test connection" says in words that it is connected), pastes the business
// names (a bad line is reported by its number and nothing is imported), creates a staff
// extension (its password shown once), sends sales.acme to that person and finishes. Then a
// simulated provider calls sales.acme's number and the chosen extension's phone rings with
// "[Sales] Jane Doe".

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";
import { SimProvider } from "./harness/provider.mjs";

const T = 10_000;
const SALES_NUMBER = "+442071234567";

test("setup wizard: empty database to a working route, then a provider call rings the chosen extension", { timeout: 240_000 }, async () => {
  const env = await setUp("wizard");
  let provider = null;
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      provider = await SimProvider.start(env.workdir);
      const shots = screenshotDir(env.workdir);
      await assertServesCurrentUi(pbx);
      assert.equal((await pbx.api("get_setup_state")).complete, false, "a new database starts with setup to do");

      // First run: the wizard opens by itself.
      await page.goto(`${pbx.url}/`);
      await page.getByRole("heading", { name: "Set up Switchboard" }).waitFor({ timeout: T });
      const next = (name) => page.getByRole("button", { name, exact: true }).click();
      // The first-run question: this PC runs the phone system.
      await page.getByRole("button", { name: /^This PC runs the office phone system/ }).click();

      // 1. The provider, and a connection test that answers in words.
      await page.getByLabel("Server", { exact: true }).waitFor({ timeout: T });
      await page.getByLabel("Name", { exact: true }).fill("Provider");
      await page.getByLabel("Server", { exact: true }).fill(provider.host);
      await page.getByLabel("Port", { exact: true }).fill(String(provider.port));
      await page.getByLabel("User name", { exact: true }).fill(provider.username);
      await page.getByLabel("Password", { exact: true }).fill(provider.password);
      await page.getByLabel("Lines", { exact: true }).fill("2");
      await page.getByRole("button", { name: "Test connection" }).click();
      const answer = page.getByTestId("test-connection");
      await answer.getByText(`Connected to ${provider.host}`).waitFor({ timeout: 20_000 });
      const binding = await provider.waitBinding(5);
      const trunks = (await pbx.api("list_trunks")).trunks;
      assert.equal(trunks.length, 1, "the tested trunk is saved");
      assert.equal(binding.user, trunks[0].trunk.auth.contact_user, "the PBX registered the trunk's contact");
      await page.screenshot({ path: join(shots, "wizard-provider.png"), fullPage: true });
      await next("Save and continue");

      // 2. Business names: a bad line is named by its number and nothing is imported.
      const list = page.getByLabel("Business names and numbers", { exact: true });
      await list.waitFor({ timeout: T });
      await list.fill("sales.acme +44 20 7123 4567\nsupport.acme\n");
      await page.getByText(/^Line 2: /).waitFor({ timeout: T });
      await next("Next");
      await page.getByText(/nothing has been saved/).waitFor({ timeout: T });
      assert.equal((await pbx.api("list_business_names")).names.length, 0, "nothing is imported while a line is bad");
      await list.fill("sales.acme +44 20 7123 4567\n");
      await page.getByText("1 line ready.").waitFor({ timeout: T });
      await next("Next");
      await page.getByRole("heading", { name: "Add a person" }).waitFor({ timeout: T });
      const names = (await pbx.api("list_business_names")).names;
      assert.equal(names.length, 1, "the good list is imported");
      assert.equal(names[0].name, "sales.acme");
      assert.equal(names[0].label, "Sales", "the label comes from the name");

      // 3. Staff: an extension with a generated password, shown during setup.
      await page.getByLabel("Name", { exact: true }).fill("Alice");
      await page.getByRole("button", { name: "Add person" }).click();
      await waitUntil(async () => (await pbx.api("list_extensions")).extensions.length === 1, "the extension added");
      const number = (await pbx.api("list_extensions")).extensions[0].number;
      const password = (await page.getByTestId(`wz-password-${number}`).textContent()).trim();
      assert.ok(password.length >= 8, `a generated password is shown (got ${JSON.stringify(password)})`);
      await next("Next");

      // 4. Where sales.acme rings: Alice.
      await page.getByLabel("sales.acme rings: kind").selectOption("extension");
      await page.getByLabel("sales.acme rings: person").selectOption(number);
      await next("Next");

      // 5. Business hours: the same at all hours; finish.
      await page.getByLabel("The same at all hours").check();
      await next("Finish setup");
      await page.getByRole("heading", { name: "Try it" }).waitFor({ timeout: T });
      assert.equal((await pbx.api("get_setup_state")).complete, true, "setup is marked complete");
      const saved = (await pbx.api("list_business_names")).names[0];
      assert.deepEqual(saved.destination, { kind: "extension", target: number }, "sales.acme rings the chosen person");
      await page.screenshot({ path: join(shots, "wizard-done.png"), fullPage: true });

      // The route works: the provider calls sales.acme's number, the phone rings with the label.
      const phone = await env.phone("alice", 440);
      assert.equal(await phone.register(pbx.sipAddr, number, password), 200, "the phone signs in with the shown password");
      const call = await provider.call(SALES_NUMBER);
      const incoming = await phone.waitIncoming();
      assert.equal(incoming.display, "[Sales] Jane Doe", JSON.stringify(incoming));
      await provider.cmd("wait_ringing", { call, timeout: 10 });
      // The try-it screen shows the call arriving, live.
      await page.getByTestId("wz-try-calls").getByText(/sales\.acme/).waitFor({ timeout: T });
      await phone.answer();
      await provider.cmd("wait_answered", { call, timeout: 10 });
      await provider.cmd("hangup", { call, timeout: 8 });
      await phone.waitState("disconnected");
    });
  } catch (err) {
    if (provider && err instanceof Error) err.message += `\n${provider.logText()}`;
    throw err;
  } finally {
    await provider?.close();
    await env.tearDown();
  }
});

async function waitUntil(check, what, timeoutMs = T) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
