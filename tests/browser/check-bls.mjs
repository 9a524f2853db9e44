// Checks src/public/page/vendor/bls.js, the vendored BLS12-381 signature
// check, in Debian's headless Chromium (no network), inlined in a page
// under the same Content-Security-Policy as the published index.html:
// real quicknet rounds verify, and a wrong round, a changed signature and
// malformed input are rejected without throwing.
//
// Usage: node tests/browser/check-bls.mjs

import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inChromium, check } from './common.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bls = readFileSync(join(root, 'src/public/page/vendor/bls.js'), 'utf8');
const fixture = JSON.parse(readFileSync(join(root, 'tests/data/beacon-657413.json'), 'utf8'));

// Real quicknet rounds: the fixture file, and round 123 from drand-verify's
// documentation (also checked by the tests in src/seed/beacon.rs).
const rounds = [
  { round: fixture.round, signature: fixture.signature },
  {
    round: 123,
    signature:
      'b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92',
  },
];

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; " +
  "img-src data:; base-uri 'none'; form-action 'none'";

check(!/<\/script|<!--/i.test(bls), 'bls.js can be inlined in a <script> element');
check(!/\beval\(|new Function|WebAssembly/.test(bls), 'bls.js uses no eval, new Function or WebAssembly');

const html = `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>bls check</title>
<script>
var cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
var globalsBefore = Object.getOwnPropertyNames(window);
</script>
<script>${bls}</script>
</head><body><p>bls check</p></body></html>`;

/** The signature with the hex digit at index i changed. */
function flip(sig, i) {
  const d = parseInt(sig[i], 16);
  return sig.slice(0, i) + ((d + 1) % 16).toString(16) + sig.slice(i + 1);
}

const work = mkdtempSync(join(tmpdir(), 'spotcheck-bls-'));
try {
  await inChromium(join(work, 'bls.png'), async (page) => {
    await page.setContent(html);

    const globals = await page.evaluate(() => {
      const before = new Set(globalsBefore);
      return Object.getOwnPropertyNames(window).filter((n) => !before.has(n));
    });
    check(
      globals.length === 1 && globals[0] === 'spotcheckBls',
      `bls.js defines exactly one global, spotcheckBls (${globals.join(', ')})`,
    );

    // Runs verifyQuicknet(round, signature) in the page; reports what it
    // returned (or threw) and how long it took.
    const verify = (round, signature) =>
      page.evaluate(async ([round, signature]) => {
        const t0 = performance.now();
        try {
          const ok = await window.spotcheckBls.verifyQuicknet(round, signature);
          return { ok, ms: performance.now() - t0 };
        } catch (e) {
          return { threw: String(e), ms: performance.now() - t0 };
        }
      }, [round, signature]);
    const is = (r, want) => r.threw === undefined && r.ok === want;

    const first = await verify(rounds[0].round, rounds[0].signature);
    check(is(first, true), `round ${rounds[0].round} (tests/data/beacon-657413.json) verifies`);
    for (const { round, signature } of rounds.slice(1)) {
      check(is(await verify(round, signature), true), `round ${round} verifies`);
    }

    const { round, signature } = rounds[0];
    check(is(await verify(round + 1, signature), false), `the round ${round} signature is rejected for round ${round + 1}`);
    check(is(await verify(rounds[1].round, signature), false), `the round ${round} signature is rejected for round ${rounds[1].round}`);
    check(is(await verify(round, rounds[1].signature), false), `the round ${rounds[1].round} signature is rejected for round ${round}`);
    for (const i of [0, 1, 40, 95]) {
      check(is(await verify(round, flip(signature, i)), false), `a signature with hex digit ${i} changed is rejected`);
    }
    check(is(await verify(round, signature.toUpperCase()), true), 'an upper-case signature verifies');
    check(is(await verify(String(round), signature), true), 'a decimal-string round verifies');

    const bad = [
      ['an empty signature', round, ''],
      ['a non-hex signature', round, 'zz' + signature.slice(2)],
      ['a signature with a space', round, ' ' + signature.slice(1)],
      ['a signature one byte short', round, signature.slice(0, 94)],
      ['a signature one byte long', round, signature + '00'],
      ['an odd-length signature', round, signature.slice(0, 95)],
      ['a 0x-prefixed signature', round, '0x' + signature],
      ['the point at infinity', round, 'c0' + '0'.repeat(94)],
      ['an x coordinate off the curve', round, 'a' + '0'.repeat(95)],
      ['an uncompressed-flag signature', round, '3' + signature.slice(1)],
      ['a signature that is not a string', round, null],
      ['a negative round', -1, signature],
      ['a fractional round', round + 0.5, signature],
      ['a round that is not a number', 'abc', signature],
      ['a missing round', undefined, signature],
    ];
    for (const [what, r, s] of bad) {
      check(is(await verify(r, s), false), `${what} gives false (no exception)`);
    }

    // Timing: the first call also decodes the pinned public key.
    const times = [];
    for (let i = 0; i < 5; i++) { times.push((await verify(round, signature)).ms); }
    times.sort((a, b) => a - b);
    console.log(
      `time for one verification in the page: first ${first.ms.toFixed(0)} ms, ` +
        `then median ${times[2].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)})`,
    );

    const violations = await page.evaluate(() => cspViolations);
    check(violations.length === 0, `no Content-Security-Policy violation (${violations.join('; ')})`);
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
