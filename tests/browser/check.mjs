// Checks a public bundle's index.html in Debian's headless Chromium:
//
//   node check.mjs PUBLIC_DIR SCREENSHOT.png
//
// The list has one row per line of targets.csv; typing a firm's code
// shows exactly that firm; part of a name shows the firms whose name has
// it; clearing shows all again; the language button switches to English;
// no network request is attempted (all are blocked and recorded); no
// script error. Saves SCREENSHOT.png (Chinese) and SCREENSHOT-en.png.
// When the bundle publishes results (results.csv), the results
// announcement is checked too (results.mjs), and its section saved as
// results.png beside SCREENSHOT.png. Exits 1 with the reason on any
// failure.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { args, check, inChromium, parseCsv } from './common.mjs';
import { checkResults } from './results.mjs';

const [publicDir, screenshot] = args('check.mjs');

const dir = resolve(publicDir);
const [header, ...targets] = parseCsv(readFileSync(join(dir, 'targets.csv'), 'utf8'));
const col = (name) => header.indexOf(name);
const uscc = col('uscc');
const name = col('name');
const pageUrl = pathToFileURL(join(dir, 'index.html')).href;

await inChromium(screenshot, async (page) => {
  await page.goto(pageUrl, { waitUntil: 'load' });

  const rows = page.locator('#targets tbody tr');
  const visible = page.locator('#targets tbody tr:not([hidden])');
  const count = async () => Number(await page.locator('#match-count').getAttribute('data-count'));
  check((await rows.count()) === targets.length, `the list has ${targets.length} rows, as targets.csv`);
  check((await count()) === targets.length, 'the match count starts at every row');
  check((await page.locator('#seed').count()) === 1, 'the seed is shown');
  for (const id of ['#chart-strata', '#chart-county']) {
    const values = await page.locator(`${id} .bar-row`).evaluateAll(
      (gs) => gs.map((g) => Number(g.getAttribute('data-value'))));
    const sum = values.reduce((a, b) => a + b, 0);
    check(values.length > 0 && sum === targets.length, `${id} has bars adding up to ${targets.length}`);
  }
  const headings = async () => (await page.locator('h2').allInnerTexts()).join(' | ');
  const zhHeadings = await headings();
  check(zhHeadings.includes('如何核验本次抽取'), `Chinese headings first (${zhHeadings})`);

  // A firm's code shows exactly that firm.
  const firm = targets[Math.floor(targets.length / 2)];
  const search = page.locator('#search');
  await search.fill('');
  await search.pressSequentially(firm[uscc].toLowerCase(), { delay: 5 });
  const shown = await visible.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-uscc')));
  check(shown.length === 1 && shown[0] === firm[uscc], `typing ${firm[uscc]} shows exactly that firm (${shown})`);
  check((await count()) === 1, 'the match count says 1');
  check(await visible.first().isVisible(), 'that row is shown');

  // Part of a name.
  const part = [...firm[name]].slice(0, 3).join('');
  const expected = targets.filter(
    (t) => `${t[uscc].toLowerCase()} ${t[name].toLowerCase()}`.includes(part.toLowerCase())).length;
  await search.fill(part);
  const n = await visible.count();
  check(n === expected && n >= 1 && (await count()) === n, `typing "${part}" shows the ${expected} firms with it (${n})`);
  const texts = await visible.evaluateAll(
    (trs) => trs.map((tr) => `${tr.querySelector('td.code').textContent} ${tr.querySelector('td.name').textContent}`));
  check(texts.every((x) => x.toLowerCase().includes(part.toLowerCase())), 'every row shown has that text');

  // Nothing found, then clear.
  await search.fill('no such firm ZZZ');
  check((await visible.count()) === 0 && (await page.locator('#no-match').isVisible()), 'a text found nowhere shows no row and a note');
  await search.fill('');
  check((await visible.count()) === targets.length && (await count()) === targets.length, 'clearing the search shows every row');

  // A rehearsal's banner is shown, in the page's language.
  const rehearsal = page.locator('#rehearsal');
  const isRehearsal = (await rehearsal.count()) > 0;
  if (isRehearsal) {
    check(await rehearsal.isVisible(), 'the rehearsal banner is visible');
    check((await rehearsal.innerText()).includes('演练'), 'the rehearsal banner says 演练 in Chinese');
  }
  const notChecked = page.locator('#not-checked-publication');
  check(await notChecked.isVisible(), 'the page says what no software can check of the commitment');

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);

  const results = join(dir, 'results.csv');
  if (existsSync(results)) {
    await checkResults(page, parseCsv(readFileSync(results, 'utf8')), join(dirname(resolve(screenshot)), 'results.png'));
  } else {
    check((await page.locator('#results').count()) === 0, 'no results announcement without results.csv');
  }

  // English.
  await page.locator('#lang-toggle').click();
  const enHeadings = await headings();
  check(enHeadings.includes('How to check this draw') && !/[\u4e00-\u9fff]/.test(enHeadings),
    `the toggle shows English headings (${enHeadings})`);
  check((await page.evaluate(() => document.documentElement.lang)) === 'en', 'the page language is en');
  check((await search.getAttribute('placeholder')).startsWith('Type a credit code'), 'the search box speaks English');
  check((await page.locator('#lang-toggle').innerText()) === '中文', 'the button offers Chinese back');
  if (isRehearsal) {
    const text = await rehearsal.innerText();
    check(text.includes('Rehearsal') && !text.includes('演练'), `the rehearsal banner speaks English (${text})`);
  }
  const enShot = screenshot.replace(/(\.png)?$/, '-en.png');
  await page.screenshot({ path: enShot, fullPage: true });
  console.log(`screenshot: ${enShot}`);
  await page.locator('#lang-toggle').click();
  check((await headings()) === zhHeadings, 'toggling again shows Chinese');
});
