// Checks a batch's public index.html in Debian's headless Chromium:
//
//   node check-batch.mjs PUBLIC_DIR SCREENSHOT.png
//
// The plan announcement lists every task of public.json; filtering the
// tasks narrows the table; a task's announcement opens from its link and
// lists its targets.csv; typing a code there shows exactly that firm; the
// firm lookup finds that firm's visits and names its tasks; the language
// button switches to English; no network request is attempted and no
// script error happens. Saves SCREENSHOT.png (Chinese, the task opened
// and searched) and SCREENSHOT-en.png. When the bundle publishes results
// (results.csv), the results announcement is checked too (results.mjs),
// and its section saved as SCREENSHOT-results.png.
// The page's own check (verify.js over every task: S_t, T(S_t, uscc),
// ranks, k) ends with data-verify-status="ok" (its time is printed), and
// ends "failed", naming the task and the row, on a copy of index.html
// with one task's ticket changed; the failed section is saved as
// SCREENSHOT-verify-failed.png. A ceremony's seed and beacon are checked
// too, and the files beside the page (files.mjs). Exits 1 with the
// reason on any failure.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { args, check, inChromium, parseCsv, settled } from './common.mjs';
import { besideTheFiles } from './files.mjs';
import { checkResults } from './results.mjs';

const [publicDir, screenshot] = args('check-batch.mjs');

const dir = resolve(publicDir);
const manifest = JSON.parse(readFileSync(join(dir, 'public.json'), 'utf8'));
const tasks = manifest.tasks;
// The task to open: the one with the most targets.
const task = tasks.reduce((a, b) => (b.totals.targets > a.totals.targets ? b : a));
const [header, ...targets] = parseCsv(readFileSync(join(dir, 'tasks', task.id, 'targets.csv'), 'utf8'));
const uscc = header.indexOf('uscc');
const [vheader, ...visits] = parseCsv(readFileSync(join(dir, 'visits.csv'), 'utf8'));
const pageUrl = pathToFileURL(join(dir, 'index.html')).href;

/** Waits (120 s at most) for the page's own check to end; its status. */
const verdict = (page) => settled(page, 'data-verify-status', 120000);

await inChromium(screenshot, async (page) => {
  const started = Date.now();
  await page.goto(pageUrl, { waitUntil: 'load' });
  const loaded = Date.now() - started;
  check(loaded < 5000, `the page loads in ${loaded} ms`);

  // The page checks every task itself.
  const all = tasks.reduce((n, t) => n + t.totals.targets, 0);
  const status = await verdict(page);
  const wall = Date.now() - started;
  const ms = Number(await page.evaluate(() => document.body.getAttribute('data-verify-ms')));
  console.log(`the page checked the ${all} targets of its ${tasks.length} tasks in ${ms} ms (${wall} ms from opening it)`);
  const verifyText = await page.locator('#verify').innerText();
  check(status === 'ok', `the page's own check ends ok (${verifyText})`);
  for (const id of ['task-seeds', 'tickets', 'ranks', 'counts']) {
    check((await page.locator(`#verify-${id}`).getAttribute('data-outcome')) === 'ok', `its check ${id} passed`);
  }
  // k from N: checked where the ratios are public (the joint plan
  // publishes no classes).
  if ((await page.locator('.task-strata tr[data-ratio]').count()) > 0) {
    check((await page.locator('#verify-sizes').getAttribute('data-outcome')) === 'ok', 'k follows from N where the ratio is public');
  } else {
    check((await page.locator('#verify-sizes-unknown').getAttribute('data-outcome')) === 'skipped', 'the page says it did not check k');
  }
  // The seed: from the evidence of a ceremony, with the beacon's BLS
  // signature; a trial seed is said not to be checked.
  if ((await page.locator('script#evidence').count()) === 1) {
    for (const id of ['seed', 'beacon-randomness', 'beacon-round', 'beacon-signature']) {
      check((await page.locator(`#verify-${id}`).getAttribute('data-outcome')) === 'ok', `the ceremony's check ${id} passed`);
    }
  } else {
    check((await page.locator('#verify-seed').getAttribute('data-outcome')) === 'skipped', 'a trial seed is said not to be checked');
  }

  const planShot = screenshot.replace(/(\.png)?$/, '-plan.png');
  await page.screenshot({ path: planShot, fullPage: false });
  console.log(`screenshot: ${planShot}`);

  // The plan announcement.
  const plan = page.locator('#plan-announcement');
  check(await plan.isVisible(), 'the plan announcement is shown');
  check((await plan.locator('h2').innerText()).includes('抽查计划公告'), 'it is headed 抽查计划公告');
  const taskRows = page.locator('#task-table tbody tr');
  check((await taskRows.count()) === tasks.length, `the task table has ${tasks.length} rows, as public.json`);
  check((await page.locator('#items-table tbody tr').count()) === manifest.items.length,
    `the item table has the ${manifest.items.length} items of public.json`);
  const headings = async () => (await page.locator('h2').allInnerTexts()).join(' | ');
  const zhHeadings = await headings();
  check(zhHeadings.includes('抽查任务公告') && zhHeadings.includes('企业查询'), `Chinese headings first (${zhHeadings})`);

  // Filtering the tasks.
  const filter = page.locator('#task-filter');
  await filter.fill(task.id);
  const shownTasks = await page.locator('#task-table tbody tr:not([hidden])').evaluateAll(
    (trs) => trs.map((tr) => tr.getAttribute('data-task')));
  check(shownTasks.includes(task.id) && shownTasks.length < tasks.length,
    `filtering by ${task.id} keeps it (${shownTasks.length} shown)`);
  await filter.fill('');
  check((await page.locator('#task-table tbody tr:not([hidden])').count()) === tasks.length, 'clearing shows every task');

  // The task's announcement, from its link in the table.
  await page.locator(`#task-table tbody tr[data-task="${task.id}"] a`).click();
  const ann = page.locator(`details.task-ann[data-task="${task.id}"]`);
  check(await ann.evaluate((d) => d.open), `the link opens the announcement of ${task.id}`);
  check((await ann.locator('.task-seed').innerText()) === task.seed, 'it shows the task seed S_t');
  const rows = ann.locator('.task-targets tbody tr');
  check((await rows.count()) === targets.length, `it lists the ${targets.length} targets of its targets.csv`);
  check((await ann.textContent()).includes('sampler(ids, seed=S_t'), 'it says how to check it with consistent_sampler');

  // Searching a code in the task.
  const firm = targets[Math.floor(targets.length / 2)];
  const box = ann.locator('.task-search');
  await box.pressSequentially(firm[uscc].toLowerCase(), { delay: 5 });
  const visible = ann.locator('.task-targets tbody tr:not([hidden])');
  const shown = await visible.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-uscc')));
  check(shown.length === 1 && shown[0] === firm[uscc], `typing ${firm[uscc]} shows exactly that firm (${shown})`);
  check(Number(await ann.locator('.task-count').getAttribute('data-count')) === 1, 'the task count says 1');
  await ann.scrollIntoViewIfNeeded();
  await ann.screenshot({ path: screenshot });
  console.log(`screenshot: ${screenshot}`);

  // The firm lookup across the batch.
  const vuscc = vheader.indexOf('uscc');
  const vtasks = vheader.indexOf('tasks');
  const theirs = visits.filter((v) => v[vuscc] === firm[uscc]);
  const lookup = page.locator('#firm-search');
  await lookup.fill(firm[uscc]);
  const found = page.locator('#visits tbody tr:not([hidden])');
  check((await found.count()) === theirs.length && theirs.length >= 1,
    `the lookup finds the firm's ${theirs.length} visit(s)`);
  const named = (await found.first().locator('td.tasks').innerText());
  check(theirs[0][vtasks].split(';').every((id) => named.includes(id)), `the visit names its tasks (${named})`);
  check(Number(await page.locator('#visit-count').getAttribute('data-count')) === theirs.length, 'the visit count matches');
  await page.locator('#lookup').scrollIntoViewIfNeeded();
  const lookupShot = screenshot.replace(/(\.png)?$/, '-lookup.png');
  await page.screenshot({ path: lookupShot, fullPage: false });
  console.log(`screenshot: ${lookupShot}`);
  await lookup.fill('no such firm ZZZ');
  check((await found.count()) === 0 && (await page.locator('#no-visit').isVisible()), 'a text found nowhere shows a note');

  const results = join(dir, 'results.csv');
  if (existsSync(results)) {
    await checkResults(page, parseCsv(readFileSync(results, 'utf8')), screenshot.replace(/(\.png)?$/, '-results.png'));
  } else {
    check((await page.locator('#results').count()) === 0, 'no results announcement without results.csv');
  }

  // English.
  await page.locator('#lang-toggle').click();
  const enHeadings = await headings();
  check(enHeadings.includes('Plan announcement') && !/[\u4e00-\u9fff]/.test(enHeadings),
    `the toggle shows English headings (${enHeadings})`);
  check((await filter.getAttribute('placeholder')).startsWith('Type a task'), 'the task filter speaks English');
  const enShot = screenshot.replace(/(\.png)?$/, '-en.png');
  await page.screenshot({ path: enShot, fullPage: false });
  console.log(`screenshot: ${enShot}`);

  // A copy of index.html with one ticket of the task changed (its third
  // row): the page's own check fails and names the task and the row.
  const lines = readFileSync(join(dir, 'index.html'), 'utf8').split('\n');
  const from = lines.findIndex((l) => l.startsWith('<details') && l.includes(`data-task="${task.id}"`));
  check(from >= 0, `index.html has the announcement of ${task.id}`);
  const rowAt = [];
  for (let i = from + 1; i < lines.length && !(rowAt.length && lines[i].startsWith('</tbody>')); i++) {
    if (/^<tr[^>]* data-uscc=/.test(lines[i]) && /title="0\.\d/.test(lines[i])) { rowAt.push(i); }
  }
  check(rowAt.length === targets.length, `its ${targets.length} rows are found in index.html (${rowAt.length})`);
  const copy = mkdtempSync(join(tmpdir(), 'spotcheck-tampered-'));
  try {
    const ls = lines.slice();
    ls[rowAt[2]] = ls[rowAt[2]].replace(/title="0\.(\d)/, (_, d) => `title="0.${(Number(d) + 1) % 10}`);
    writeFileSync(join(copy, 'index.html'), ls.join('\n'));
    await page.goto(pathToFileURL(join(copy, 'index.html')).href, { waitUntil: 'load' });
    const got = await verdict(page);
    const text = await page.locator('#verify').textContent();
    check(got === 'failed', 'with one ticket changed, the page\'s own check fails');
    for (const n of [`task ${task.id} row 3: ticket is not T(S_t, uscc)`, 'FAILED: every ticket']) {
      check(text.includes(n), `with one ticket changed, the page says "${n}"`);
    }
    const failShot = screenshot.replace(/(\.png)?$/, '-verify-failed.png');
    await page.locator('#verify').screenshot({ path: failShot });
    console.log(`screenshot: ${failShot}`);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }

  await besideTheFiles(page, dir, pageUrl, dirname(resolve(screenshot)), 'batch-');
});
