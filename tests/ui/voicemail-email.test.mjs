// Voicemail by e-mail in Settings: a bad sender address is refused next to its field, the
// settings are saved with the password kept out of the page, a mailbox gets its address,
// and "Send test e-mail" shows what a (plain-text, loopback) SMTP server answered.

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { screenshotDir } from "./harness/browser.mjs";
import { setUp } from "./harness/fixture.mjs";

const T = 10_000;

/** A minimal SMTP server (RFC 5321) on loopback; resolves to its port and received messages. */
async function smtpServer() {
  const received = [];
  const server = createServer((socket) => {
    let data = null;
    let buffer = "";
    socket.write("220 test ESMTP ready\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      let i;
      while ((i = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data !== null) {
          if (line === ".") {
            received.push(data);
            data = null;
            socket.write("250 2.0.0 Ok: queued as BROWSER1\r\n");
          } else data += line + "\n";
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === "EHLO") socket.write("250-test\r\n250 8BITMIME\r\n");
        else if (cmd === "DATA") {
          data = "";
          socket.write("354 go ahead\r\n");
        } else if (cmd === "QUIT") {
          socket.end("221 bye\r\n");
        } else socket.write("250 Ok\r\n");
      }
    });
    socket.on("error", () => {});
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: server.address().port, received, close: () => server.close() };
}

test("voicemail e-mail: settings saved, a mailbox address set, the test e-mail shows the server's answer", { timeout: 120_000 }, async () => {
  const smtp = await smtpServer();
  const env = await setUp("voicemail-email");
  try {
    await env.run(async () => {
      const { page, pbx } = env;
      await pbx.api("add_extension", { number: "201", name: "Ann Lee" });
      await page.goto(`${pbx.url}/#/settings`);
      const card = page.getByTestId("mail-settings");
      await card.getByLabel("Mail server").waitFor({ timeout: T });

      await card.getByLabel("E-mail voicemail messages").check();
      await card.getByLabel("Mail server").fill("127.0.0.1");
      await card.getByLabel("Security").selectOption("none");
      assert.equal(await card.getByLabel("Port").inputValue(), "25", "the port follows the security choice");
      await card.getByLabel("Port").fill(String(smtp.port));
      await card.getByLabel("User name").fill("");
      await card.getByLabel("Password").fill("not shown again");
      await card.getByLabel("Send from").fill("phones");
      await card.getByRole("button", { name: "Save e-mail settings" }).click();
      const fromError = card.locator("#mail-from-error");
      await fromError.waitFor({ timeout: T });
      assert.match(await fromError.textContent(), /e-mail address/);
      assert.equal((await pbx.api("get_mail_settings")).settings.enabled, false, "a refused save changes nothing");

      await card.getByLabel("Send from").fill("phones@example.com");
      await card.getByRole("button", { name: "Save e-mail settings" }).click();
      await card.getByText(/^Saved\./).waitFor({ timeout: T });
      const saved = (await pbx.api("get_mail_settings")).settings;
      assert.equal(saved.enabled, true);
      assert.equal(saved.port, smtp.port);
      assert.equal(saved.password_set, true);
      assert.equal(await card.getByLabel("Password").inputValue(), "", "the password is not put back in the page");

      await card.getByLabel("Ann Lee (201)").fill("ann@example.com");
      await card.getByTestId("save-mailbox-email-201").click();
      await card.getByText("Saved", { exact: true }).waitFor({ timeout: T });
      assert.deepEqual((await pbx.api("get_mail_settings")).mailboxes, [
        { mailbox: "201", address: "ann@example.com", delete_after_sending: false },
      ]);

      await card.getByLabel("Send a test e-mail to").fill("ann@example.com");
      await card.getByRole("button", { name: "Send test e-mail" }).click();
      const result = card.getByTestId("test-email-result");
      await result.getByText("queued as BROWSER1").waitFor({ timeout: T });
      assert.match(await result.textContent(), /accepted the test e-mail for ann@example\.com/);
      assert.equal(smtp.received.length, 1);
      assert.match(smtp.received[0], /Subject: Switchboard test e-mail/);
      await card.screenshot({ path: join(screenshotDir(env.workdir), "voicemail-email.png") });
    });
  } finally {
    await env.tearDown();
    smtp.close();
  }
});
