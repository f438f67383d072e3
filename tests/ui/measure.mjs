// Measures how fast the page is, against a real `switchboard serve` and pjsua2 phones:
//   - first page: from navigation to the extensions list drawn (API answers included);
//   - live call events: from the moment a phone is told to answer / hang up to the page
//     showing the change. That includes the phone's own work before its SIP message
//     leaves, so it is an upper bound on "SIP message → page".
// Prints a small table; run with `node tests/ui/measure.mjs [calls]` after building.

import { setUp } from "./harness/fixture.mjs";

const CALLS = Number(process.argv[2] ?? 10);
const LOADS = 5;

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

const env = await setUp("measure");
try {
  const { page, pbx } = env;
  const exts = [];
  for (let i = 0; i < 20; i++) {
    exts.push(await pbx.api("add_extension", { number: String(1001 + i), name: `Person ${i + 1}` }));
  }

  const loads = [];
  for (let i = 0; i < LOADS; i++) {
    await page.goto("about:blank");
    await page.goto(`${pbx.url}/#/extensions`);
    await page.getByTestId("ext-1020").waitFor();
    loads.push(
      await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        return performance.now() - (nav ? nav.startTime : 0);
      }),
    );
  }

  const a = await env.phone("a", 440);
  const b = await env.phone("b", 1000);
  await a.register(pbx.sipAddr, "1001", exts[0].password);
  await b.register(pbx.sipAddr, "1002", exts[1].password);
  await page.goto(`${pbx.url}/#/calls`);
  await page.getByRole("heading", { name: "No calls right now" }).waitFor();
  // Records (wall clock) when each call first shows each state.
  await page.evaluate(() => {
    window.__seen = {};
    const look = () => {
      for (const el of document.querySelectorAll('[data-testid="live-call"]')) {
        const key = `${el.dataset.state}#${window.__callNo}`;
        if (!(key in window.__seen)) window.__seen[key] = Date.now();
      }
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  });

  const answered = [];
  const ended = [];
  for (let i = 0; i < CALLS; i++) {
    await page.evaluate((n) => {
      window.__callNo = n;
    }, i);
    await a.call(pbx.uri("1002"));
    await b.waitIncoming();
    await page.locator('[data-state="ringing"]').waitFor();
    const t1 = Date.now();
    await b.answer();
    await page.locator('[data-state="answered"]').waitFor();
    const t2 = Date.now();
    await a.hangup();
    await page.locator('[data-state="ended"]').waitFor();
    const seen = await page.evaluate(() => window.__seen);
    answered.push(seen[`answered#${i}`] - t1);
    ended.push(seen[`ended#${i}`] - t2);
    await page.getByRole("heading", { name: "No calls right now" }).waitFor();
  }

  const row = (name, s) =>
    `| ${name} | ${s.n} | ${s.median.toFixed(0)} ms | ${s.p95.toFixed(0)} ms | ${s.max.toFixed(0)} ms |`;
  console.log("| what | n | median | p95 | max |");
  console.log("| --- | --- | --- | --- | --- |");
  console.log(row("first page: navigation → 20 extensions drawn", stats(loads)));
  console.log(row("phone answers → page shows 'In call'", stats(answered)));
  console.log(row("phone hangs up → page shows 'Ended'", stats(ended)));
} finally {
  await env.tearDown();
}
