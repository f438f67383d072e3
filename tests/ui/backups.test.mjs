// Settings → Backups: "Back up now" adds a backup to the list, "Restore…" says what is
// replaced and, once confirmed, prepares the restore for the next start (nothing changes
// before), and the restore can be cancelled; a bad schedule is refused next to its field.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setUp } from "./harness/fixture.mjs";

const T = 10_000;

test("backups: back up now, restore asks first and waits for the restart, cancel, schedule checked", { timeout: 120_000 }, async () => {
  const env = await setUp("backups");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await page.goto(`${pbx.url}/#/settings`);
      const card = page.getByTestId("backups");
      await card.getByTestId("backups-empty").waitFor({ timeout: T });

      await card.getByRole("button", { name: "Back up now" }).click();
      await card.getByTestId("backup-row").first().waitFor({ timeout: T });
      const listed = await pbx.api("list_backups");
      assert.equal(listed.backups.length, 1, "one backup made");
      assert.equal(await card.getByTestId("backup-row").count(), 1);

      await card.getByTestId("backup-restore").click();
      const dialog = page.getByTestId("backup-confirm");
      await dialog.getByText(/is replaced/).waitFor({ timeout: T });
      await dialog.getByRole("button", { name: "Cancel" }).click();
      assert.equal((await pbx.api("list_backups")).pending_restore, null, "cancelling the dialog prepares nothing");

      await card.getByTestId("backup-restore").click();
      await dialog.getByTestId("backup-confirm-restore").click();
      const pending = card.getByTestId("backups-pending");
      await pending.getByText(/Restart Switchboard/).waitFor({ timeout: T });
      assert.equal((await pbx.api("list_backups")).pending_restore.backup, listed.backups[0].name);

      await pending.getByRole("button", { name: "Cancel the restore" }).click();
      await pending.waitFor({ state: "detached", timeout: T });
      assert.equal((await pbx.api("list_backups")).pending_restore, null);

      await card.getByLabel("Keep the last").fill("0");
      await card.getByRole("button", { name: "Save schedule" }).click();
      await card.getByText(/must be 1 to 365/i).waitFor({ timeout: T });
      await card.getByLabel("Keep the last").fill("5");
      await card.getByRole("button", { name: "Save schedule" }).click();
      for (let i = 0; i < 50 && (await pbx.api("list_backups")).schedule.keep !== 5; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal((await pbx.api("list_backups")).schedule.keep, 5);
    });
  } finally {
    await env.tearDown();
  }
});
