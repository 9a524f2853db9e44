// Checks one record form (from `spotcheck forms`) in Debian's headless
// Chromium, on screen and printed:
//
//   node check-forms.mjs FORM.html SCREENSHOT.png FIRM_NAME ITEMS PAGES
//
// The firm's name is shown; the form has ITEMS item tables, each with its
// rows to fill in; nothing is wider than A4's printable width (180 mm,
// 680 px at 96 dpi) when printed, nor than A4 (794 px) on screen; the text
// is not tiny; printed to A4 the form takes PAGES pages. Saves
// SCREENSHOT.png (the page on screen, 794 px wide), SCREENSHOT-print.png
// (as laid out for print) and SCREENSHOT.pdf. No network request is
// attempted and no script error happens. Exits 1 with the reason on any
// failure.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, inChromium } from './common.mjs';

const [form, screenshot, firmName, items, pages] = process.argv.slice(2);
if (!form || !screenshot || !firmName || !items || !pages) {
  console.error('usage: node check-forms.mjs FORM.html SCREENSHOT.png FIRM_NAME ITEMS PAGES');
  process.exit(2);
}
const url = pathToFileURL(resolve(form)).href;
const pdfPath = screenshot.replace(/(\.png)?$/, '.pdf');
const printShot = screenshot.replace(/(\.png)?$/, '-print.png');

/** A4 at 96 dpi, and its width inside 15 mm margins. */
const A4_WIDTH = 794;
const PRINT_WIDTH = Math.floor(((210 - 30) / 25.4) * 96) + 1;

/** The elements whose right edge is beyond `width`, by tag and class. */
async function overflowing(page, width) {
  return page.evaluate((w) => {
    const out = [];
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.right > w + 0.5) {
        out.push(`${e.tagName.toLowerCase()}.${e.className} (${Math.round(r.right)} px)`);
      }
    }
    return { scroll: document.documentElement.scrollWidth, out: out.slice(0, 5) };
  }, width);
}

/** Cells whose text is cut: more content than room, with no wrapping. */
async function clipped(page) {
  return page.evaluate(() => [...document.querySelectorAll('td, th, .opt')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1)
    .map((e) => e.textContent.trim().slice(0, 30))
    .slice(0, 5));
}

await inChromium(screenshot, async (page) => {
  // On screen, as an office opens it.
  await page.setViewportSize({ width: A4_WIDTH, height: 1123 });
  await page.goto(url, { waitUntil: 'load' });
  check((await page.getAttribute('html', 'lang')) === 'zh-CN', 'the page language is zh-CN');
  const name = page.locator('.form .firm-name').first();
  check(await name.isVisible(), 'the firm name cell is visible');
  check((await name.innerText()).trim() === firmName, `it reads ${firmName}`);
  const title = await page.locator('h1').first().innerText();
  check(title.replace(/\s/g, '').includes('随机抽查情况记录表'), `the form is headed 随机抽查情况记录表 (${title})`);
  const itemTables = page.locator('table.item');
  check((await itemTables.count()) === Number(items), `${items} item table(s) (${await itemTables.count()})`);
  for (let i = 0; i < (await itemTables.count()); i++) {
    const heads = (await itemTables.nth(i).locator('th').allInnerTexts()).join('|');
    check(['是否检查', '检查方式', '发现问题', '后续处置'].every((h) => heads.includes(h)),
      `item ${i + 1} has its rows to fill in (${heads})`);
  }
  const forms = await page.locator('section.form').count();
  const results = await page.locator('.results .opt').count();
  check(forms >= 1 && results === 13 * forms, `13 result check boxes a form (${results} in ${forms})`);
  const screen = await overflowing(page, A4_WIDTH);
  check(screen.scroll <= A4_WIDTH && screen.out.length === 0,
    `on screen nothing is wider than A4 (${screen.scroll} px; ${screen.out.join(', ')})`);
  const fonts = await page.evaluate(() => [...document.querySelectorAll('td, th, .opt, h2, .foot')]
    .map((e) => parseFloat(getComputedStyle(e).fontSize)));
  const smallest = Math.min(...fonts);
  check(smallest >= 11, `no text smaller than 11 px (smallest ${smallest} px)`);
  const family = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  check(/Noto (Serif|Sans) CJK SC/.test(family), `a CJK font stack (${family})`);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);

  // As printed: the printable width of A4.
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: PRINT_WIDTH, height: 1009 });
  const print = await overflowing(page, PRINT_WIDTH);
  check(print.scroll <= PRINT_WIDTH && print.out.length === 0,
    `printed, nothing is wider than A4 inside its margins, ${PRINT_WIDTH} px (${print.scroll} px; ${print.out.join(', ')})`);
  const height = await page.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));
  console.log(`printed, the form is ${height} px high; a page holds ${Math.floor((297 - 30) / 25.4 * 96)} px`);
  const cut = await clipped(page);
  check(cut.length === 0, `no text is cut off (${cut.join(' | ')})`);
  const background = await page.evaluate(() => [...document.querySelectorAll('*')]
    .filter((e) => { const c = getComputedStyle(e).backgroundColor; return c !== 'rgba(0, 0, 0, 0)' && c !== 'rgb(255, 255, 255)'; })
    .map((e) => e.tagName));
  check(background.length === 0, `no coloured background (${background.join(', ')})`);
  await page.screenshot({ path: printShot, fullPage: true });
  console.log(`screenshot: ${printShot}`);

  await page.pdf({ path: pdfPath, format: 'A4' });
  const pdf = readFileSync(pdfPath).toString('latin1');
  const count = (pdf.match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
  check(count === Number(pages), `printed to A4 it takes ${pages} page(s) (${count})`);
  console.log(`pdf: ${pdfPath}`);
});
