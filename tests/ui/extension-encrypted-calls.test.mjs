// An extension set to "Encrypted calls: Always" in its edit dialog is saved, shown in the
// list, kept after a reload, and set back to the office rule.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("an extension's encrypted calls are set to always and back from the page", { timeout: 120_000 }, async () => {
  const env = await setUp("extension-srtp");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await pbx.api("add_extension", { number: "1002", name: "Bob" });
      await page.goto(`${pbx.url}/#/extensions`);
      const row = page.getByTestId("ext-1002");
      await row.waitFor({ timeout: T });
      assert.equal(await page.getByTestId("ext-1002-srtp").count(), 0, "nothing shown by default");

      await row.getByRole("button", { name: /Edit name/ }).click();
      let edit = page.getByRole("dialog", { name: "Edit name" });
      const select = edit.getByLabel("Encrypted calls");
      assert.equal(await select.inputValue(), "office");
      await select.selectOption("always");
      await edit.getByRole("button", { name: "Save" }).click();
      await page.getByTestId("ext-1002-srtp").waitFor({ timeout: T });
      let stored = (await pbx.api("list_extensions")).extensions.find((x) => x.number === "1002");
      assert.equal(stored.srtp_required, true);

      await page.reload();
      await page.getByTestId("ext-1002-srtp").waitFor({ timeout: T });
      await page.getByTestId("ext-1002").getByRole("button", { name: /Edit name/ }).click();
      edit = page.getByRole("dialog", { name: "Edit name" });
      assert.equal(await edit.getByLabel("Encrypted calls").inputValue(), "always", "the dialog shows it saved");
      await edit.getByLabel("Encrypted calls").selectOption("office");
      await edit.getByRole("button", { name: "Save" }).click();
      await page.getByTestId("ext-1002-srtp").waitFor({ state: "detached", timeout: T });
      stored = (await pbx.api("list_extensions")).extensions.find((x) => x.number === "1002");
      assert.equal(stored.srtp_required, false);
    });
  } finally {
    await env.tearDown();
  }
});
