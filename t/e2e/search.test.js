// search.test.js — the storefront's search page in Debian's Chromium with
// JavaScript switched off: results for a word, a facet chosen and removed
// by following plain links, a sort, a misspelling, the pages — and every
// state is valid HTML.  Run by t/browser (the browser layer of `make check`).
'use strict';
const assert = require('node:assert/strict');
const { steps, launch } = require('./lib');
const { HtmlValidate } = require('html-validate');

const base = process.env.ECOM_TEST_BASE_URL;
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'long-title': 'off' },
});

const { step, failures } = steps({ independent: true });

async function validHtml(page, label) {
  const raw = await (await fetch(page.url())).text(); // the server's bytes, not the DOM
  const report = await validator.validateString(raw, label);
  if (!report.valid) {
    const msgs = report.results.flatMap(r => r.messages)
      .map(m => `${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    throw new Error(`${label} is not valid HTML:\n${msgs.slice(0, 15).join('\n')}`);
  }
}

async function count(page) {
  const text = await page.locator('main .count').first().innerText();
  return Number(text.replace(/[^0-9]/g, ''));
}

(async () => {
  const browser = await launch();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  let all = 0;

  await step('the header search box lands on results with facets', async () => {
    await page.goto(base + '/');
    await page.fill('input[name="q"]', 'shirt');
    await page.press('input[name="q"]', 'Enter');
    await page.waitForLoadState('load');
    assert.match(page.url(), /\/search\?q=shirt/);
    await validHtml(page, 'search');
    all = await count(page);
    assert.ok(all >= 1, 'finds shirts');
    assert.ok(await page.locator('main a[href^="/p/"]').count() >= 1, 'lists product cards');
    assert.ok(await page.locator('.facet h3', { hasText: 'Brand' }).count() === 1, 'has a brand facet');
  });

  await step('a facet link narrows the results and its link again removes it', async () => {
    const brand = page.locator('.facet', { has: page.locator('h3', { hasText: 'Brand' }) })
      .locator('a').first();
    await brand.click();
    await page.waitForLoadState('load');
    assert.match(page.url(), /brand_id=/);
    await validHtml(page, 'search with a brand');
    const narrowed = await count(page);
    assert.ok(narrowed >= 1 && narrowed <= all, `${narrowed} of ${all}`);
    const chosen = page.locator('.facet a[aria-current="true"]');
    assert.equal(await chosen.count(), 1, 'the chosen brand is marked');
    await chosen.click();
    await page.waitForLoadState('load');
    assert.doesNotMatch(page.url(), /brand_id=/);
    assert.equal(await count(page), all);
  });

  await step('sorting by price is a link too', async () => {
    await page.locator('.sorts a', { hasText: 'Price, low to high' }).click();
    await page.waitForLoadState('load');
    assert.match(page.url(), /sort=price_asc/);
    const prices = await page.locator('main [data-price]').evaluateAll(
      els => els.map(e => Number(e.getAttribute('data-price'))));
    for (let i = 1; i < prices.length; i++) assert.ok(prices[i - 1] <= prices[i], 'sorted by price');
  });

  await step('a misspelling is corrected and said so', async () => {
    await page.goto(base + '/search?q=jaket');
    await validHtml(page, 'corrected search');
    assert.match(await page.locator('main').innerText(), /showing results for “jacket”/);
    assert.ok(await page.locator('main a[href^="/p/"]').count() >= 1, 'finds jackets');
  });

  await step('browsing everything pages without JavaScript', async () => {
    await page.goto(base + '/search');
    const next = page.locator('a[rel="next"]');
    if (await next.count() > 0) {
      await next.first().click();
      await page.waitForLoadState('load');
      assert.match(page.url(), /page=2/);
      await validHtml(page, 'search page 2');
    }
  });

  await browser.close();
  console.log(failures() === 0 ? '# search: all passed' : `# search: ${failures()} failed`);
  process.exit(failures() === 0 ? 0 : 1);
})().catch(e => { console.error(e); process.exit(1); });
