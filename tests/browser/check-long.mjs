// Checks a public bundle with a long list (100,000 targets and more) in
// Debian's headless Chromium:
//
//   node check-long.mjs PUBLIC_DIR SCREENSHOT.png
//
// The page loads; its own check hashes the tickets in a worker
// (data-verify-worker="yes"), shows its progress as it goes, and ends ok;
// the page answers while it checks (the longest wait for an answer is
// printed); the list shows its first rows and says so, and a search finds
// a firm far down the list. Prints the times; asserts none of them.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { args, check, inChromium, parseCsv } from './common.mjs';

const [publicDir, screenshot] = args('check-long.mjs');
const dir = resolve(publicDir);
const [header, ...targets] = parseCsv(readFileSync(join(dir, 'targets.csv'), 'utf8'));
const uscc = header.indexOf('uscc');

await inChromium(screenshot, async (page) => {
  const opened = Date.now();
  await page.goto(pathToFileURL(join(dir, 'index.html')).href, { waitUntil: 'load', timeout: 300000 });
  const loaded = Date.now() - opened;

  // While the page checks: its progress line, and how long it takes to
  // answer a script (the page's main thread is free but for reading the
  // list and sorting it).
  const progress = new Set();
  let slowest = 0;
  let status = 'running';
  while (status === 'running' || status === null) {
    const asked = Date.now();
    const [s, line] = await page.evaluate(() => [document.body.getAttribute('data-verify-status'),
      document.getElementById('verify-progress').textContent]);
    slowest = Math.max(slowest, Date.now() - asked);
    status = s;
    progress.add(line);
    if (Date.now() - opened > 300000) { break; }
    await new Promise((r) => setTimeout(r, 50));
  }
  const ms = Number(await page.evaluate(() => document.body.getAttribute('data-verify-ms')));
  console.log(`${targets.length} targets: loaded in ${loaded} ms; the page checked them in ${ms} ms ` +
    `(${Date.now() - opened} ms from opening it); its slowest answer while checking took ${slowest} ms`);
  check(status === 'ok', `the page's own check ends ok (${await page.locator('#verify-progress').innerText()})`);
  check((await page.evaluate(() => document.body.getAttribute('data-verify-worker'))) === 'yes', 'the tickets were hashed in a worker');
  const steps = [...progress].filter((l) => /已核验 \d+ \/ \d+/.test(l) && !l.includes('核验通过'));
  check(steps.length >= 2, `the progress line moved while checking (${steps.length} steps seen)`);
  check((await page.locator('#verify-tickets').getAttribute('data-outcome')) === 'ok', `all ${targets.length} tickets are T(seed, uscc)`);

  // The list: its first rows, and a search finds any firm.
  const limit = Number(await page.locator('#targets').getAttribute('data-limit'));
  check(limit > 0 && limit < targets.length, `the list shows its first ${limit} rows`);
  check((await page.locator('#targets tbody tr:not([hidden])').count()) === limit, 'that many rows are shown');
  check(await page.locator('#list-limit').isVisible(), 'the page says the list shows its first rows');
  const last = targets[targets.length - 1][uscc];
  await page.locator('#search').fill(last.toLowerCase());
  const shown = await page.locator('#targets tbody tr:not([hidden])').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-uscc')));
  check(shown.length === 1 && shown[0] === last, `a search finds the last firm listed, ${last}`);
  await page.locator('#verify').screenshot({ path: screenshot });
  console.log(`screenshot: ${screenshot}`);
});
