// What the browser checks of a plan's and of a batch's index.html share:
// the command line, reading CSV, the list of failed checks, a run of
// Debian's headless Chromium that blocks and records every network
// request (but to the local server below) and every script error, and a
// local web server of a public bundle, as a bureau's website serves it.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The command line's PUBLIC_DIR and SCREENSHOT.png; exits 2 without them. */
export function args(script) {
  const [publicDir, screenshot] = process.argv.slice(2);
  if (!publicDir || !screenshot) {
    console.error(`usage: node ${script} PUBLIC_DIR SCREENSHOT.png`);
    process.exit(2);
  }
  return [publicDir, screenshot];
}

/** Parses CSV text (RFC 4180 quoting) into rows of fields. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') { quoted = false; }
      else { field += c; }
    } else if (c === '"') { quoted = true; }
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') { i++; }
      row.push(field); rows.push(row); row = []; field = '';
    } else { field += c; }
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const failures = [];

// The origins of the servers that `serve` started: the only addresses
// besides file: that pages may load from.
const served = [];

/**
 * Serves the folder `dir` over HTTP on 127.0.0.1 (a free port), as a
 * website serves a public bundle; resolves to { url, close }.
 */
export function serve(dir) {
  const types = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.csv': 'text/csv; charset=utf-8' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = join(dir, path);
    if (!resolve(file).startsWith(resolve(dir)) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404);
      res.end();
      return;
    }
    const ext = path.slice(path.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': types[ext] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const url = `http://127.0.0.1:${server.address().port}/`;
    served.push(url);
    ok({ url, close: () => new Promise((done) => { server.close(done); server.closeAllConnections(); }) });
  }));
}

/**
 * Waits (`timeout` ms at most) until <body>'s attribute `attr`
 * (data-verify-status, data-proof-status) says ok or failed; its value.
 */
export async function settled(page, attr, timeout) {
  await page.waitForFunction(
    (a) => ['ok', 'failed'].includes(document.body.getAttribute(a)), attr, { timeout });
  return page.evaluate((a) => document.body.getAttribute(a), attr);
}

/** Records one check: prints it, and remembers it when it failed. */
export function check(ok, what) {
  if (ok) { console.log(`ok: ${what}`); } else { console.log(`FAILED: ${what}`); failures.push(what); }
}

/**
 * Opens a page in headless Chromium (no network: every request is
 * blocked and recorded) and runs `checks(page)` on it; then checks that
 * no request was attempted and no script or console error happened,
 * closes the browser, and exits 1 if any check failed.
 */
export async function inChromium(screenshot, checks) {
  mkdirSync(dirname(resolve(screenshot)), { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'spotcheck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
  });

  const attempted = [];
  const errors = [];
  const local = (url) => url.startsWith('file:') || url.startsWith('data:') || url.startsWith('about:') ||
    url.startsWith('blob:') || served.some((origin) => url.startsWith(origin));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (local(url)) { return route.continue(); }
    attempted.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (r) => { if (!local(r.url())) { attempted.push(r.url()); } });
  context.on('websocket', (w) => attempted.push(w.url()));

  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') { errors.push(`console error: ${m.text()}`); } });
    await checks(page);
    check(attempted.length === 0, `no network request was attempted (${attempted.join(', ')})`);
    check(errors.length === 0, `no script or console error (${errors.join('; ')})`);
  } catch (e) {
    failures.push(String(e && e.stack || e));
    console.log(`FAILED: ${e}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }

  if (failures.length) {
    console.log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log('all browser checks passed');
}
