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
      const next = () => page.getByRole("button", { name: /^(Next|Continue)\b/ }).click();

      // 1. The provider, and a connection test in words.
      await page.getByLabel("Server", { exact: true }).waitFor({ timeout: T });
      await page.getByLabel("Name", { exact: true }).fill("Provider");
      await page.getByLabel("Server", { exact: true }).fill(provider.host);
      await page.getByLabel("Port", { exact: true }).fill(String(provider.port));
      await page.getByLabel("User name", { exact: true }).fill(provider.username);
      await page.getByLabel("Password", { exact: true }).fill(provider.password);
      await page.getByLabel("Lines", { exact: true }).fill("2");
      await page.getByRole("button", { name: /Test connection/ }).click();
      await page.getByText(new RegExp(`Connected to ${provider.host.replace(/\./g, "\\.")}`)).waitFor({ timeout: 20_000 });
      const binding = await provider.waitBinding(5);
      const trunks = (await pbx.api("list_trunks")).trunks;
      assert.equal(trunks.length, 1, "the tested trunk is saved");
      assert.equal(binding.user, trunks[0].trunk.auth.contact_user, "the PBX registered the trunk's contact");
      await page.screenshot({ path: join(shots, "wizard-provider.png"), fullPage: true });
      await next();

      // 2. Business names: a bad line is named by its number and nothing is imported.
      const list = page.getByRole("textbox", { name: /business names|names and numbers|name list/i });
      await list.waitFor({ timeout: T });
      await list.fill("sales.acme +44 20 7123 4567\nsupport.acme\n");
      await page.getByText(/line 2/i).first().waitFor({ timeout: T });
      assert.equal((await pbx.api("list_business_names")).names.length, 0, "nothing is imported while a line is bad");
      await list.fill("sales.acme +44 20 7123 4567\n");
      await page.getByRole("cell", { name: "sales.acme" }).waitFor({ timeout: T });
      await next();
      await waitUntil(async () => (await pbx.api("list_business_names")).names.length === 1, "sales.acme imported");
      const [sales] = (await pbx.api("list_business_names")).names;
      assert.equal(sales.name, "sales.acme");
      assert.equal(sales.label, "Sales", "the label comes from the name");

      // 3. Staff: an extension with a generated password, shown once.
      await page.getByRole("button", { name: /Add (a person|someone|an extension|staff)/i }).click();
      await page.getByLabel("Name", { exact: true }).last().fill("Alice");
      await page.getByRole("button", { name: /^Add( extension| person)?$/ }).click();
      const password = (await page.getByTestId("new-password").first().textContent()).trim();
      assert.ok(password.length >= 8, `a generated password is shown (got ${JSON.stringify(password)})`);
      const exts = (await pbx.api("list_extensions")).extensions;
      assert.equal(exts.length, 1);
      const number = exts[0].number;
      await next();

      // 4. Where sales.acme rings: Alice.
      const row = page.getByRole("row", { name: /sales\.acme/ });
      await row.waitFor({ timeout: T });
      await row.getByRole("combobox").first().selectOption("extension");
      await row.getByRole("combobox").nth(1).selectOption(number);
      await next();

      // 5. Business hours (none needed: always open), then finish.
      await page.getByRole("button", { name: /^(Finish|Done|Finish setup)\b/ }).click();
      await waitUntil(async () => (await pbx.api("get_setup_state")).complete === true, "setup marked complete");
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
