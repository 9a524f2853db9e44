// The page beside its files (verify.js): opened from disk, it says it
// cannot read them and checks the folder chosen; served from a website,
// it reads them itself; and it fails, naming the file (and the results
// log's line), on a served copy with a list or results.jsonl edited.

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, serve, settled } from './common.mjs';

/** Waits (120 s at most) for the page's own check to end; its status. */
const verdict = (page) => settled(page, 'data-verify-status', 120000);

/** The outcome of check `id` (`#verify-…`), once it is on the page. */
async function outcomeOf(page, id) {
  await page.waitForSelector(id, { timeout: 60000 });
  return page.locator(id).getAttribute('data-outcome');
}

/**
 * The files beside the page: opened from disk, the page says it cannot
 * read them, then checks the folder chosen; served from a website, it
 * reads them itself; and it fails, naming the file (and the log's
 * line), on a served copy with targets.csv or results.jsonl edited.
 * Saves PREFIXverified-files.png and PREFIXverify-files-failed.png in
 * `artifacts`.
 */
export async function besideTheFiles(page, dir, pageUrl, artifacts, prefix = '') {
  const results = existsSync(join(dir, 'results.jsonl'));
  await page.goto(pageUrl, { waitUntil: 'load' });
  check((await verdict(page)) === 'ok', 'opened from disk, the page checks out');
  check((await outcomeOf(page, '#verify-files-unread')) === 'skipped' && (await page.locator('#verify-chooser').isVisible()),
    'opened from disk, the page says it cannot read the files beside it and offers a folder chooser');
  await page.setInputFiles('#verify-folder', dir);
  check((await outcomeOf(page, '#verify-files')) === 'ok', 'with the folder chosen, every file has the SHA-256 public.json records');
  check((await outcomeOf(page, '#verify-public-json')) === 'ok', "the chosen public.json is this page's");
  if (results) {
    check((await outcomeOf(page, '#verify-results-log')) === 'ok', "the results log's chain leads to the head shown");
  }
  check((await verdict(page)) === 'ok', 'with the folder chosen, the page still checks out');
  await page.locator('#verify').screenshot({ path: join(artifacts, `${prefix}verified-files.png`) });

  const site = await serve(dir);
  try {
    await page.goto(`${site.url}index.html`, { waitUntil: 'load' });
    check((await outcomeOf(page, '#verify-files')) === 'ok' && (await verdict(page)) === 'ok',
      'served from a website, the page reads the files beside it and every SHA-256 matches');
    const n = await page.locator('#verify-files').innerText();
    console.log(`served: ${n}`);
  } finally {
    await site.close();
  }

  // A plan's list, or a batch's first task's.
  const list = existsSync(join(dir, 'targets.csv')) ? 'targets.csv'
    : `tasks/${JSON.parse(readFileSync(join(dir, 'public.json'), 'utf8')).tasks[0].id}/targets.csv`;
  const edits = [[list, (t) => t.replace(/\n(\S)/, (_, c) => `\n${c === 'S' ? 'T' : 'S'}`), [`${list}：SHA-256 与 public.json 所记不符`]]];
  if (results) {
    edits.push(['results.jsonl', (t) => t.replace(/("line":2,[^\n]*"recorded_at":"\d{4}-\d\d-)(\d)/, (_, a, d) => a + (d === '0' ? '1' : '0')),
      ['results.jsonl：SHA-256 与 public.json 所记不符', '第3行的 prev 不是上一行的 SHA-256']]);
  }
  for (const [file, edit, named] of edits) {
    const copy = mkdtempSync(join(tmpdir(), 'spotcheck-served-'));
    try {
      cpSync(dir, copy, { recursive: true });
      const before = readFileSync(join(copy, file), 'utf8');
      const after = edit(before);
      check(after !== before, `${file} was edited`);
      writeFileSync(join(copy, file), after);
      const site = await serve(copy);
      try {
        await page.goto(`${site.url}index.html`, { waitUntil: 'load' });
        await outcomeOf(page, '#verify-files');
        const text = await page.locator('#verify').innerText();
        check((await verdict(page)) === 'failed', `served with ${file} edited, the page's check fails`);
        for (const n of named) { check(text.includes(n), `served with ${file} edited, the page says "${n}"`); }
        if (file === list) { await page.locator('#verify').screenshot({ path: join(artifacts, `${prefix}verify-files-failed.png`) }); }
      } finally {
        await site.close();
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
}
