// Checks a public bundle's index.html in Debian's headless Chromium:
//
//   node check.mjs PUBLIC_DIR SCREENSHOT.png
//
// The list has one row per line of targets.csv; typing a firm's code
// shows exactly that firm; part of a name shows the firms whose name has
// it; clearing shows all again; the language button switches to English;
// no network request is attempted (all are blocked and recorded); no
// script error. Saves SCREENSHOT.png (Chinese) and SCREENSHOT-en.png.
// The page's own check (verify.js) computes SPEC.md §2's vectors, ends
// with data-verify-status="ok" (its time is printed), and ends "failed",
// naming the failed check, on copies of index.html with one ticket
// changed, two ranks swapped, or one row dropped; its section is saved as
// verified.png and verify-failed.png beside SCREENSHOT.png.
// On a ceremony page it also derives the seed from the inlined evidence
// (SPEC.md §5.3) and checks the beacon's randomness, round and BLS
// signature; it fails, naming the check, on copies with the seed, the
// dice string or the beacon's signature changed. That section is saved
// as verified-ceremony.png. Then the files beside the page (files.mjs);
// and, with SPOTCHECK_PROOFS=DIR, each proof in DIR pasted into the page
// checks out and forged copies of it fail, naming the check (saved as
// proof-ok.png and proof-forged.png); one dropped as a file checks out.
// When the bundle publishes results (results.csv), the results
// announcement is checked too (results.mjs), and its section saved as
// results.png beside SCREENSHOT.png. Exits 1 with the reason on any
// failure.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { args, check, inChromium, parseCsv, settled } from './common.mjs';
import { besideTheFiles } from './files.mjs';
import { checkResults } from './results.mjs';

const [publicDir, screenshot] = args('check.mjs');

const dir = resolve(publicDir);
const [header, ...targets] = parseCsv(readFileSync(join(dir, 'targets.csv'), 'utf8'));
const col = (name) => header.indexOf(name);
const uscc = col('uscc');
const name = col('name');
const pageUrl = pathToFileURL(join(dir, 'index.html')).href;

const artifacts = dirname(resolve(screenshot));

/** Waits (60 s at most) for the page's own check to end; its status. */
const verdict = (page) => settled(page, 'data-verify-status', 60000);

await inChromium(screenshot, async (page) => {
  const opened = Date.now();
  await page.goto(pageUrl, { waitUntil: 'load' });

  // The page checks itself.
  const status = await verdict(page);
  const wall = Date.now() - opened;
  const ms = Number(await page.evaluate(() => document.body.getAttribute('data-verify-ms')));
  console.log(`the page checked its ${targets.length} targets in ${ms} ms (${wall} ms from opening it)`);
  const verifyText = await page.locator('#verify').innerText();
  check(status === 'ok', `the page's own check ends ok (${verifyText})`);
  check(ms < 2000, `the page's own check took under 2 s (${ms} ms)`);
  check(verifyText.includes(`已核验 ${targets.length} / ${targets.length}`), 'the page says how many it checked');
  check((await page.locator('#verify-checks > li[data-outcome="ok"]').count()) >= 3, 'tickets, ranks and counts passed');
  // k from N: checked where the ratios are public, said not checked where not.
  const outcome = (id) => page.locator(id).getAttribute('data-outcome');
  if ((await page.locator('#strata-table tr[data-ratio]').count()) > 0) {
    check((await outcome('#verify-sizes')) === 'ok' && (await page.locator('#verify-sizes-unknown').count()) === 0,
      'with public ratios, k follows from N in every stratum');
  } else {
    check((await outcome('#verify-sizes-unknown')) === 'skipped' && (await page.locator('#verify-sizes').count()) === 0,
      'with the ratios withheld, the page says it did not check k');
  }
  // SPEC.md §2's vectors, by the page's own function.
  const vectors = [
    ['01382438112797316654', 'AB-130', '0.26299714122838008416507544297546663599715395525154425586041245287750224561854'],
    ['20250301-QDN', '91640121750822310D', '0.37632197080225483250199307517330880493502141177248781684697061492577131568261'],
    ['20250301-QDN', '91640221MA75XXUL75', '0.14236155032877600162941296972668971134664346034673700328550125809805456923397'],
    ['20250301-QDN', '9164022122816188X8', '0.52235651166613383232178844699141865004696725110302340169391178035165016679367'],
    ['20250301-QDN', '91350100M000100Y43', '0.03564501221880607793665928530218228191322090203711250597641202119735074971869'],
  ];
  for (const [seed, id, want] of vectors) {
    const got = await page.evaluate(([s, i]) => window.spotcheckVerify.ticket(s, i), [seed, id]);
    check(got === want, `the page computes T(${seed}, ${id}) as SPEC.md §2 (${got})`);
  }
  await page.locator('#verify').screenshot({ path: join(artifacts, 'verified.png') });
  // SPEC.md §5.3's vector, by the page's own function.
  const S = await page.evaluate(() => window.spotcheckVerify.seed(
    'd1e731c005f932b97040a11aa41ee7070b6442d81cb5b2cf8ef8e19a66cba2ad', '0'.repeat(63) + '1',
    'fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587', '1.3.5./2.4.6./'));
  check(S === '7302305d82c831ff1923a7139768ba0e5276a3288b1c61d37bc4ffaf3723baa1',
    `the page derives SPEC.md §5.3's seed (${S})`);
  const ceremony = (await page.locator('script#evidence').count()) === 1;
  if (ceremony) {
    check((await outcome('#verify-seed')) === 'ok', 'the seed follows from the evidence (SPEC.md §5.3)');
    check((await outcome('#verify-beacon-randomness')) === 'ok', "the beacon's randomness is SHA-256 of its signature");
    check((await outcome('#verify-beacon-round')) === 'ok', 'the beacon round is the committed one');
    check((await outcome('#verify-beacon-signature')) === 'ok' &&
      (await page.locator('#verify-beacon-signature').innerText()).includes('BLS'),
    "the beacon's BLS signature is checked in the page (bls.js)");
    const dice = await page.evaluate(() => JSON.parse(document.getElementById('evidence').textContent).dice);
    console.log(`the ceremony's dice string: ${dice}`);
    await page.locator('#verify').screenshot({ path: join(artifacts, 'verified-ceremony.png') });
  } else {
    check((await outcome('#verify-seed')) === 'skipped' && (await page.locator('#operator-seed').count()) === 1,
      'a trial draw says its seed was not checked');
  }

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

  // Copies of index.html with the list edited: the page must fail its
  // own check and name what failed. (Editing index.html changes its
  // SHA-256 in public.json, so `spotcheck verify` would refuse these
  // copies anyway; here only the page's own check is tested, and the
  // copies hold index.html alone.)
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const lines = html.split('\n');
  const rowAt = lines.map((l, i) => (l.startsWith('<tr role="row" data-uscc=') ? i : -1)).filter((i) => i >= 0);
  const rank = /(<td role="cell" class="r">)(\d+)(<\/td>)/;
  const stratumOf = (i) => /<td role="cell">([^<]*)<\/td>/.exec(lines[i])[1];
  const tampered = [
    ['one ticket changed', (ls) => {
      const i = rowAt[11];
      ls[i] = ls[i].replace(/title="0\.(\d)/, (_, d) => `title="0.${(Number(d) + 1) % 10}`);
    }, ['第12行：随机号与 T(seed, uscc) 不符', '未通过：名单中全部']],
    ['two ranks swapped', (ls) => {
      const [a, b] = [rowAt[2], rowAt[4]];
      check(stratumOf(a) === stratumOf(b), 'the swapped rows are in one stratum');
      const [ra, rb] = [rank.exec(ls[a])[2], rank.exec(ls[b])[2]];
      ls[a] = ls[a].replace(rank, `$1${rb}$3`);
      ls[b] = ls[b].replace(rank, `$1${ra}$3`);
    }, ['第3行：分层', '第5行：分层', '未通过：每层的层内序号']],
    ['one row dropped', (ls) => {
      ls.splice(rowAt[7], 1);
    }, [`分层 ${stratumOf(rowAt[7])}：名单列出`, '未通过：每层名单恰好列出 k 家企业']],
  ];
  if (ceremony) {
    const seedCheck = '未通过：种子由承诺文件、秘密值、信标随机数与骰子串';
    tampered.push(['the seed changed', (ls) => {
      const i = ls.findIndex((l) => l.includes('id="seed">'));
      ls[i] = ls[i].replace(/id="seed">([0-9a-f])/, (_, d) => `id="seed">${d === '0' ? '1' : '0'}`);
    }, ['由证据算出的种子为', seedCheck]]);
    tampered.push(['the beacon signature changed in the evidence', (ls) => {
      const i = ls.findIndex((l) => l.startsWith('<script type="application/json" id="evidence">'));
      // The signature's last digit, inside the JSON text of beacon.json.
      ls[i] = ls[i].replace(/(signature\\":\s*\\"[0-9a-f]{95})([0-9a-f])/, (_, a, d) => a + (d === '0' ? '1' : '0'));
    }, ['未通过：drand quicknet 信标第']]);
    tampered.push(['the dice string changed in the evidence', (ls) => {
      const i = ls.findIndex((l) => l.startsWith('<script type="application/json" id="evidence">'));
      const before = ls[i];
      ls[i] = /"dice":"/.test(before)
        ? before.replace(/"dice":"(\d)/, (_, d) => `"dice":"${(Number(d) % 6) + 1}`)
        : before.replace('"dice":null', '"dice":"1.2.3./"');
      check(ls[i] !== before, 'the dice string was edited');
    }, ['由证据算出的种子为', seedCheck]]);
  }
  if (existsSync(join(dir, 'results.csv'))) {
    tampered.push(['a row of the results announcement dropped', (ls) => {
      const i = ls.findIndex((l) => l.startsWith('<tr data-uscc=') && l.includes(' hidden><td class="code">'));
      ls.splice(i, 1);
    }, ['结果公告中缺少', '未通过：结果公告恰好列出']]);
  }
  for (const [what, edit, named] of tampered) {
    const copy = mkdtempSync(join(tmpdir(), 'spotcheck-tampered-'));
    try {
      const ls = lines.slice();
      edit(ls);
      writeFileSync(join(copy, 'index.html'), ls.join('\n'));
      await page.goto(pathToFileURL(join(copy, 'index.html')).href, { waitUntil: 'load' });
      const got = await verdict(page);
      const text = await page.locator('#verify').innerText();
      check(got === 'failed', `with ${what}, the page's own check fails`);
      for (const n of named) { check(text.includes(n), `with ${what}, the page says "${n}"`); }
      if (what === 'two ranks swapped') {
        await page.locator('#verify').screenshot({ path: join(artifacts, 'verify-failed.png') });
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }

  await besideTheFiles(page, dir, pageUrl, artifacts);
  if (process.env.SPOTCHECK_PROOFS) { await proofs(page, process.env.SPOTCHECK_PROOFS); }
});

/**
 * A firm's proofs (every *.json in `proofDir`, made by spotcheck prove):
 * each checks out when pasted; forged copies (the ticket, the audit path,
 * drawn or not, the rank, the leaf's eligibility changed) do not, and the
 * page names the check that failed.
 */
async function proofs(page, proofDir) {
  await page.goto(pageUrl, { waitUntil: 'load' });
  await verdict(page);
  const run = async (text) => {
    await page.locator('#proof-text').fill(text);
    await page.locator('#proof-check').click();
    return [await settled(page, 'data-proof-status', 30000), await page.locator('#proof').innerText()];
  };
  const flip = (hexText) => (hexText[0] === '0' ? '1' : '0') + hexText.slice(1);
  const names = readdirSync(proofDir).filter((n) => n.endsWith('.json')).sort();
  check(names.length >= 2, `proofs to check (${names.join(', ')})`);
  for (const name of names) {
    const text = readFileSync(join(proofDir, name), 'utf8');
    const p = JSON.parse(text);
    const [status, said] = await run(text);
    check(status === 'ok', `${name} (drawn: ${p.drawn}, ${p.leaf.eligibility}) checks out in the page (${said.split('\n').slice(-2).join(' ')})`);
    if (name === names[0]) { await page.locator('#proof').screenshot({ path: join(artifacts, 'proof-ok.png') }); }
    const forged = [
      ['the ticket', (q) => { q.ticket = q.ticket.slice(0, -1) + (q.ticket.endsWith('1') ? '2' : '1'); }, '未通过：随机号等于 T(seed, uscc)'],
      ['the leaf index', (q) => { q.leaf_index = (q.leaf_index + 1) % q.tree_size; }, '未通过：叶子'],
      ['drawn', (q) => { q.drawn = !q.drawn; q.rank = q.drawn ? 1 : undefined; }, '未通过：'],
    ];
    if (p.audit_path.length) { forged.push(['the audit path', (q) => { q.audit_path[0] = flip(q.audit_path[0]); }, '未通过：叶子']); }
    if (p.drawn) { forged.push(['the rank', (q) => { q.rank += 1; }, '未通过：名单在分层']); }
    if (p.stratum) { forged.push(['k', (q) => { q.stratum.k += 1; }, '未通过：企业属于分层']); }
    for (const [what, edit, named] of forged) {
      const q = JSON.parse(text);
      edit(q);
      const [st, out] = await run(JSON.stringify(q, null, 2));
      check(st === 'failed' && out.includes(named), `${name} with ${what} forged fails, naming "${named}"`);
      if (what === 'the ticket' && name === names[0]) { await page.locator('#proof').screenshot({ path: join(artifacts, 'proof-forged.png') }); }
    }
  }
  const [st] = await run('{"not": "a proof"}');
  check(st === 'failed', 'a file that is not a proof is refused');

  // Dropped on the page as a file, as a firm would drop it.
  const dropped = readFileSync(join(proofDir, names[0]), 'utf8');
  await page.locator('#proof-text').fill('');
  await page.evaluate(() => document.body.removeAttribute('data-proof-status'));
  await page.locator('#proof-drop').evaluate((zone, text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'proof.json', { type: 'application/json' }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, dropped);
  check((await settled(page, 'data-proof-status', 30000)) === 'ok' &&
    (await page.locator('#proof-text').inputValue()) === dropped, `${names[0]} dropped on the page checks out`);
}
