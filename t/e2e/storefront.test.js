// storefront.test.js — what a shopper sees, in Debian's Chromium with
// JavaScript switched off: home → category (filter, sort, paginate) →
// product → a sold-out option's back-in-stock form → search → a missing
// page.  Every page type is also checked with
// html-validate.  Run by t/browser (the browser layer of `make check`).
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { steps, launch } = require('./lib');
const { HtmlValidate } = require('html-validate');

const base = process.env.ECOM_TEST_BASE_URL;
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Long product names wrap; the rule is about source formatting only.
    'long-title': 'off',
  },
});

const { step, failures } = steps({ independent: true });

async function validHtml(page, label) {
  const html = await page.content();
  const raw = await (await fetch(page.url())).text(); // the server's bytes, not the DOM
  const report = await validator.validateString(raw, label);
  if (!report.valid) {
    const msgs = report.results.flatMap(r => r.messages)
      .map(m => `${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    throw new Error(`${label} is not valid HTML:\n${msgs.slice(0, 15).join('\n')}`);
  }
  return html;
}

async function seo(page) {
  assert.ok((await page.title()).length > 0, 'has a <title>');
  assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
  const desc = await page.locator('meta[name="description"]').getAttribute('content');
  assert.ok(desc && desc.length > 10, 'has a meta description');
  const canon = await page.locator('link[rel="canonical"]').getAttribute('href');
  assert.ok(canon && canon.startsWith('http'), 'has a canonical link');
}

(async () => {
  const browser = await launch();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const badResponses = [];
  page.on('response', r => { if (r.status() >= 400 && !r.url().includes('does-not-exist')) badResponses.push(`${r.status()} ${r.url()}`); });

  let categoryUrl, productUrl;

  await step('home page shows categories, new products and banners', async () => {
    const res = await page.goto(base + '/');
    assert.equal(res.status(), 200);
    await seo(page);
    await validHtml(page, 'home');
    assert.ok(await page.locator('header').count() >= 1, 'has a header');
    assert.ok(await page.locator('footer').count() >= 1, 'has a footer');
    assert.ok(await page.locator('main a[href^="/p/"]').count() >= 4, 'shows products');
    assert.ok(await page.locator('nav a[href^="/c/"]').count() >= 4, 'navigation lists categories');
    assert.ok(await page.locator('input[name="q"]').count() >= 1, 'has a search box');
    const img = page.locator('main img').first();
    assert.ok(await img.getAttribute('width'), 'images carry width');
    assert.ok(await img.getAttribute('height'), 'images carry height');
    // the first category with products: other suites sharing this
    // database may have added empty ones ahead of the demo's
    for (const href of await page.locator('nav a[href^="/c/"]').evaluateAll(
      as => as.map(a => a.getAttribute('href')))) {
      const r = await fetch(new URL(href, base));
      if (r.status === 200 && /href="\/p\//.test(await r.text())) { categoryUrl = href; break; }
    }
    assert.ok(categoryUrl, 'some category lists products');
  });

  await step('stylesheet and images load', async () => {
    const css = await page.locator('link[rel="stylesheet"]').first().getAttribute('href');
    const r = await fetch(new URL(css, base));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/css/);
    const natural = await page.locator('main img').first().evaluate(i => i.naturalWidth);
    assert.ok(natural > 0, 'the first image decoded');
  });

  await step('category page lists products, filters by brand and sorts', async () => {
    const res = await page.goto(base + categoryUrl);
    assert.equal(res.status(), 200);
    await seo(page);
    await validHtml(page, 'category');
    const cards = page.locator('main a[href^="/p/"]');
    assert.ok(await cards.count() >= 1, 'lists products');
    // brand filter: a GET form or links; follow the first brand choice
    const brandInput = page.locator('input[name="brand"], select[name="brand"], a[href*="brand="]').first();
    assert.ok(await brandInput.count() === 1, 'has a brand filter');
    const sort = page.locator('select[name="sort"], a[href*="sort="]').first();
    assert.ok(await sort.count() === 1, 'has a sort control');
    await page.goto(base + categoryUrl + '?sort=price_asc');
    const prices = await page.locator('main [data-price]').evaluateAll(
      els => els.map(e => Number(e.getAttribute('data-price'))));
    assert.ok(prices.length >= 1, 'prices are marked with data-price');
    for (let i = 1; i < prices.length; i++) assert.ok(prices[i - 1] <= prices[i], 'sorted by price');
    productUrl = await cards.first().getAttribute('href');
  });

  await step('pagination links work without JavaScript', async () => {
    await page.goto(base + '/search?q=');
    const next = page.locator('a[rel="next"]');
    if (await next.count() > 0) {
      await next.first().click();
      assert.match(page.url(), /page=2/);
      assert.ok(await page.locator('a[rel="prev"]').count() >= 1, 'page 2 links back');
    }
  });

  await step('product page shows gallery, price, variants and reviews', async () => {
    const res = await page.goto(base + productUrl);
    assert.equal(res.status(), 200);
    await seo(page);
    await validHtml(page, 'product');
    const h1 = await page.locator('h1').innerText();
    assert.ok(h1.length > 2, 'product name in h1');
    assert.ok(await page.locator('main img').count() >= 1, 'has a gallery');
    const body = await page.locator('main').innerText();
    assert.match(body, /€\s?\d/, 'shows a price in euros');
    assert.ok(await page.locator('input[type="radio"], select[name="variant"], [data-variant]').count() >= 1,
      'offers a variant choice');
    assert.ok(await page.locator('#reviews, section.reviews, [data-reviews]').count() >= 1, 'has a reviews section');
  });

  await step('a sold-out option offers "E-mail me when it is back"', async () => {
    // a published product's active variant with nothing available (the
    // demo data sells out about one variant in ten)
    const psql = process.env.ECOM_TEST_PSQL;
    assert.ok(psql, 'ECOM_TEST_PSQL is set');
    const q = "SELECT p.slug || ' ' || v.id FROM catalog.variants v"
      + " JOIN catalog.products p ON p.id = v.product_id"
      + " JOIN inventory.stock s ON s.variant_id = v.id"
      + " JOIN inventory.warehouses w ON w.id = s.warehouse_id AND w.is_active"
      + " WHERE p.status = 'published' AND v.is_active GROUP BY p.slug, v.id"
      + " HAVING sum(greatest(s.on_hand - s.reserved, 0)) = 0 ORDER BY 1 LIMIT 1";
    const row = execFileSync('sh', ['-c', `${psql} -tAc "${q}"`]).toString().trim();
    assert.ok(row, 'some variant is sold out');
    const [slug, vid] = row.split(' ');
    const res = await page.goto(`${base}/p/${slug}?variant=${vid}`);
    assert.equal(res.status(), 200);
    await validHtml(page, 'product (sold out)');
    assert.match(await page.locator('.availability').innerText(), /Out of stock/);
    const form = page.locator('form.restock-form');
    assert.equal(await form.count(), 1, 'has the back-in-stock form');
    const email = `e2e-restock-${Date.now()}@example.test`;
    await page.fill('#restock-email', email);
    await Promise.all([page.waitForLoadState('load'), form.locator('button[type="submit"]').click()]);
    await page.waitForURL(u => u.pathname === `/p/${slug}`);
    assert.match(await page.locator('.flash').innerText(), /We will e-mail you once/);
    execFileSync('sh', ['-c', `${psql} -tAc "DELETE FROM notifications.restock_subscriptions`
      + ` WHERE email = '${email}'"`]);
  });

  await step('search finds products by name', async () => {
    await page.goto(base + '/');
    const word = (await page.locator('main a[href^="/p/"]').first().innerText()).trim().split(/\s+/)[0];
    await page.fill('input[name="q"]', word);
    await page.press('input[name="q"]', 'Enter');
    await page.waitForLoadState('load');
    assert.match(page.url(), /\/search\?q=/);
    await validHtml(page, 'search');
    assert.ok(await page.locator('main a[href^="/p/"]').count() >= 1, `results for ${word}`);
  });

  await step('a missing page is a real 404 page', async () => {
    const res = await page.goto(base + '/p/this-product-does-not-exist');
    assert.equal(res.status(), 404);
    await validHtml(page, '404');
    assert.ok(await page.locator('a[href="/"]').count() >= 1, 'links back home');
  });

  await step('phone layout has no horizontal scrolling', async () => {
    const phone = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
    const p = await phone.newPage();
    await p.goto(base + productUrl);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    await phone.close();
  });

  await step('no console errors and no failed subresources', async () => {
    assert.deepEqual(consoleErrors.filter(e => !/404/.test(e)), []);
    assert.deepEqual(badResponses, []);
  });

  await browser.close();
  console.log(failures() === 0 ? '# storefront: all passed' : `# storefront: ${failures()} failed`);
  process.exit(failures() === 0 ? 0 : 1);
})().catch(e => { console.error(e); process.exit(1); });
