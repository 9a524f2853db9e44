// What the browser checks of the results announcement (抽查结果公告) of a
// plan's or a batch's page, against the bundle's results.csv:
//
// the section is headed 抽查结果公告; the counts by result and by county
// add up to the rows of results.csv, the pending under 待录入; nothing of
// the lookup shows before two characters are typed; a recorded firm's code
// shows exactly its row(s), with its result, date, follow-up and log line;
// a pending firm's code shows 待录入; part of a name shows the firms whose
// name has it (at most 200 rows); the result reads in English after the
// language toggle. Saves the section, searched, as `shot`, and in
// English as `shot` with `-en` before `.png`.

import { check } from './common.mjs';

const PENDING = '待录入';

/** Checks the results section of `page` against results.csv's `rows` (header first). */
export async function checkResults(page, [header, ...rows], shot) {
  const col = (name) => header.indexOf(name);
  const [task, uscc, name, result, date, measures, line] =
    ['task', 'uscc', 'name', 'result', 'inspected_on', 'measures', 'line'].map(col);
  const section = page.locator('#results');
  check(await section.isVisible(), 'the results announcement is shown');
  check((await section.locator('h2').innerText()).includes('抽查结果公告'), 'it is headed 抽查结果公告');

  // The counts.
  const pending = rows.filter((r) => r[result] === PENDING).length;
  const values = async (sel) => page.locator(sel).evaluateAll(
    (trs) => trs.map((tr) => [tr.getAttribute('data-result'), Number(tr.getAttribute('data-value'))]));
  const byResult = await values('#results-by-result tbody tr');
  check(byResult.reduce((a, [, n]) => a + n, 0) === rows.length,
    `the counts by result add up to the ${rows.length} rows of results.csv`);
  for (const [what, n] of byResult) {
    const want = rows.filter((r) => r[result] === what).length;
    check(n === want, `${what}: ${n} shown, ${want} in results.csv`);
  }
  check(pending === 0 || byResult.some(([what, n]) => what === PENDING && n === pending),
    `the ${pending} pending are counted under ${PENDING}`);
  const counties = await page.locator('#results-by-county tbody tr').evaluateAll(
    (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  check(counties.reduce((a, c) => a + Number(c[1]), 0) === rows.length, 'the counts by county add up to every row');
  check(counties.every((c) => Number(c[1]) === Number(c[2]) + Number(c[3])),
    'in each county, drawn = recorded + pending');
  check(Number(await page.locator('#n-pending .num').innerText()) === pending, `the card says ${pending} pending`);

  // The lookup.
  const box = page.locator('#result-search');
  const shown = page.locator('#results-table tbody tr:not([hidden])');
  const count = async () => Number(await page.locator('#result-count').getAttribute('data-count'));
  check((await page.locator('#results-table tbody tr').count()) === rows.length, 'the lookup holds every row of results.csv');
  check((await shown.count()) === 0, 'nothing is shown before a search');
  await box.fill('9');
  check((await shown.count()) === 0 && (await count()) === 0, 'one character shows nothing');

  const cells = async () => shown.evaluateAll((trs) => trs.map((tr) => ({
    uscc: tr.getAttribute('data-uscc'),
    task: tr.getAttribute('data-task'),
    result: tr.querySelector('td.result').innerText,
    date: tr.querySelector('td.when').innerText,
    measures: tr.querySelector('td.measures').innerText,
    line: tr.querySelector('td.line').innerText,
  })));
  const recorded = rows.filter((r) => r[result] !== PENDING);
  const firm = recorded[Math.floor(recorded.length / 2)];
  await box.fill('');
  await box.pressSequentially(firm[uscc].toLowerCase(), { delay: 5 });
  const found = await cells();
  const theirs = rows.filter((r) => r[uscc] === firm[uscc]);
  check(found.length === theirs.length && found.every((f) => f.uscc === firm[uscc]),
    `typing ${firm[uscc]} shows its ${theirs.length} row(s) (${found.map((f) => f.uscc)})`);
  const mine = found.find((f) => f.task === firm[task]);
  check(mine && mine.result === firm[result], `it shows the result ${firm[result]} (${mine && mine.result})`);
  check(mine && mine.date === firm[date] && mine.line === firm[line],
    `it shows the date ${firm[date]} and log line ${firm[line]}`);
  check(mine && mine.measures === firm[measures].replaceAll(';', '；'), `it shows the follow-up ${firm[measures]}`);
  check((await count()) === theirs.length, 'the count says so');
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);

  const waiting = rows.find((r) => r[result] === PENDING);
  if (waiting) {
    await box.fill(waiting[uscc]);
    const w = (await cells()).find((f) => f.task === waiting[task]);
    check(w && w.result === PENDING && w.line === '—', `a pending firm shows ${PENDING} (${w && w.result})`);
  }

  // Part of a name.
  const part = [...firm[name]].slice(0, 3).join('');
  const matching = rows.filter(
    (r) => `${r[uscc].toLowerCase()} ${r[name].toLowerCase()}`.includes(part.toLowerCase())).length;
  await box.fill(part);
  check((await count()) === matching && (await shown.count()) === Math.min(matching, 200),
    `typing "${part}" finds the ${matching} rows with it (${await shown.count()} shown)`);
  await box.fill('no such firm ZZZ');
  check((await shown.count()) === 0 && (await page.locator('#no-result').isVisible()), 'a text found nowhere shows a note');

  // English.
  await box.fill(firm[uscc]);
  await page.locator('#lang-toggle').click();
  const en = await shown.first().locator('td.result').innerText();
  check(en !== '' && !/[\u4e00-\u9fff]/.test(en), `the result reads in English (${en})`);
  check((await section.locator('h2').innerText()) === 'Results announcement', 'the heading reads in English');
  const enShot = shot.replace(/(\.png)?$/, '-en.png');
  await section.screenshot({ path: enShot });
  console.log(`screenshot: ${enShot}`);
  await page.locator('#lang-toggle').click();
  await box.fill('');
}
