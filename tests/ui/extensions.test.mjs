// The owner adds an extension in the page, a phone logs in with the password the page
// showed, and the page shows the phone online without a reload.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { assertServesCurrentUi, setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("an extension added in the page registers a phone, shown live", { timeout: 120_000 }, async () => {
  const env = await setUp("extensions");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await assertServesCurrentUi(pbx);
      // The Extensions page itself: a bare address would open the setup wizard on a new database.
      await page.goto(`${pbx.url}/#/extensions`);

      // A fresh PBX says what goes here and offers the next step.
      await page.getByRole("heading", { name: "No extensions yet" }).waitFor({ timeout: T });
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      await page.getByRole("button", { name: "Add the first extension" }).click();

      const dialog = page.getByRole("dialog", { name: "Add an extension" });
      const number = dialog.getByLabel("Number", { exact: true });
      assert.equal(await number.inputValue(), "1001", "the first number is suggested");

      // Bad input: the API's complaint appears next to the field and nothing is added.
      await number.fill("1");
      await dialog.getByLabel("Name", { exact: true }).fill("Alice");
      await dialog.getByRole("button", { name: "Add extension" }).click();
      const numberError = dialog.locator("#add-number-error");
      await numberError.waitFor({ timeout: T });
      assert.notEqual((await numberError.textContent()).trim(), "", "the number's error is in words");
      assert.equal(await number.getAttribute("aria-invalid"), "true");
      assert.equal((await pbx.api("list_extensions")).extensions.length, 0, "a refused extension is not stored");

      await number.fill("1001");
      await dialog.getByRole("button", { name: "Add extension" }).click();

      // The password is shown once, with a copy button and a warning to copy it now.
      const shown = page.getByRole("dialog", { name: "Extension 1001 is ready" });
      await shown.waitFor({ timeout: T });
      const password = (await shown.getByTestId("new-password").textContent()).trim();
      assert.ok(password.length >= 8, `a generated password is shown (got ${JSON.stringify(password)})`);
      assert.ok(await shown.getByText("Copy it now.").isVisible());
      await env.browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: pbx.url });
      await shown.getByRole("button", { name: "Copy password" }).click();
      await shown.getByText("Password copied to the clipboard.").waitFor({ timeout: T });
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password, "the copy button copies the password");
      await shown.getByRole("button", { name: /Done/ }).click();
      await shown.waitFor({ state: "hidden", timeout: T });
      assert.equal(await page.getByTestId("new-password").count(), 0, "the password is gone once the dialog closes");

      const state = page.getByTestId("ext-1001-state");
      await state.getByText("No phone connected").waitFor({ timeout: T });

      // A real phone logs in with what the page showed; the page updates by itself.
      const phone = await env.phone("alice", 440);
      const code = await phone.register(pbx.sipAddr, "1001", password);
      assert.equal(code, 200, "the phone registers with the password the page showed");
      await state.getByText("Phone online").waitFor({ timeout: T });
      const detail = await state.textContent();
      assert.match(detail, new RegExp(`127\\.0\\.0\\.1:${phone.port}`), "the device's address is shown");
      await page.getByTestId("status-phones").getByText("1 phone online").waitFor({ timeout: T });
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload happened");

      // A wrong password is refused: the password shown was the real one, not any string.
      const impostor = await env.phone("impostor", 1000);
      assert.notEqual(await impostor.register(pbx.sipAddr, "1001", password + "x"), 200);

      await page.screenshot({ path: join(env.workdir, "extensions-registered.png") });
    });
  } finally {
    await env.tearDown();
  }
});

test("the keyboard alone adds an extension; every field has a label", { timeout: 120_000 }, async () => {
  const env = await setUp("extension-keyboard");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await page.goto(`${pbx.url}/#/extensions`);
      const add = page.getByRole("button", { name: "Add the first extension" });
      await add.waitFor({ timeout: T });
      // Tab from the top of the page until the button has focus (skip link, pages, …).
      for (let i = 0; i < 20 && !(await add.evaluate((el) => el === document.activeElement)); i++) {
        await page.keyboard.press("Tab");
      }
      assert.ok(await add.evaluate((el) => el === document.activeElement), "Tab reaches the add button");
      const ring = await add.evaluate((el) => getComputedStyle(el).outlineStyle);
      assert.notEqual(ring, "none", "the focused button shows a focus ring");
      await page.keyboard.press("Enter");

      const dialog = page.getByRole("dialog", { name: "Add an extension" });
      await dialog.waitFor({ timeout: T });
      const name = dialog.getByLabel("Name", { exact: true });
      assert.ok(await name.evaluate((el) => el === document.activeElement), "the name field has focus");
      assert.equal(await unlabelled(page), 0, "every field in the dialog has a label");
      await page.keyboard.type("Carol");
      await page.keyboard.press("Enter");

      const shown = page.getByRole("dialog", { name: "Extension 1001 is ready" });
      await shown.waitFor({ timeout: T });
      await page.keyboard.press("Escape");
      await shown.waitFor({ state: "hidden", timeout: T });
      await page.getByTestId("ext-1001").getByText("Carol").waitFor({ timeout: T });

      for (const p of ["calls", "settings"]) {
        await page.goto(`${pbx.url}/#/${p}`);
        await page.locator("h1").waitFor({ timeout: T });
        await page.locator("main input, main select").first().waitFor({ timeout: T });
        assert.equal(await unlabelled(page), 0, `every field on ${p} has a label`);
      }
    });
  } finally {
    await env.tearDown();
  }
});

/** How many visible form fields have no accessible label. */
function unlabelled(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")].filter(
      (el) =>
        el.offsetParent !== null &&
        !(el.labels && el.labels.length) &&
        !el.getAttribute("aria-label") &&
        !el.getAttribute("aria-labelledby"),
    ).length,
  );
}

test("renaming, resetting the password and removing an extension from the page", { timeout: 120_000 }, async () => {
  const env = await setUp("extension-edit");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      const added = await pbx.api("add_extension", { number: "1002", name: "Bob" });
      await page.goto(`${pbx.url}/#/extensions`);
      const row = page.getByTestId("ext-1002");
      await row.waitFor({ timeout: T });

      await row.getByRole("button", { name: /Edit name/ }).click();
      const edit = page.getByRole("dialog", { name: "Edit name" });
      await edit.getByLabel("Name", { exact: true }).fill("Robert");
      await edit.getByRole("button", { name: "Save" }).click();
      await row.getByText("Robert").waitFor({ timeout: T });
      const stored = (await pbx.api("list_extensions")).extensions.find((x) => x.number === "1002");
      assert.equal(stored.name, "Robert");

      await row.getByRole("button", { name: /Reset password/ }).click();
      const confirm = page.getByRole("dialog", { name: "Reset the password?" });
      await confirm.getByRole("button", { name: "Reset password" }).click();
      const shown = page.getByRole("dialog", { name: "New password" });
      await shown.waitFor({ timeout: T });
      const fresh = (await shown.getByTestId("new-password").textContent()).trim();
      assert.notEqual(fresh, added.password, "a new password is made");
      await shown.getByRole("button", { name: /Done/ }).click();

      const oldPhone = await env.phone("old", 440);
      assert.notEqual(await oldPhone.register(pbx.sipAddr, "1002", added.password), 200, "the old password stops working");
      const newPhone = await env.phone("new", 880);
      assert.equal(await newPhone.register(pbx.sipAddr, "1002", fresh), 200, "the new password works");

      // Removing asks first; cancelling keeps it.
      await row.getByRole("button", { name: /Remove/ }).click();
      let ask = page.getByRole("dialog", { name: "Remove this extension?" });
      await ask.getByRole("button", { name: "Cancel" }).click();
      await ask.waitFor({ state: "hidden", timeout: T });
      assert.equal((await pbx.api("list_extensions")).extensions.length, 1);
      await row.getByRole("button", { name: /Remove/ }).click();
      ask = page.getByRole("dialog", { name: "Remove this extension?" });
      await ask.getByRole("button", { name: "Remove extension" }).click();
      await page.getByRole("heading", { name: "No extensions yet" }).waitFor({ timeout: T });
      assert.equal((await pbx.api("list_extensions")).extensions.length, 0);
    });
  } finally {
    await env.tearDown();
  }
});
