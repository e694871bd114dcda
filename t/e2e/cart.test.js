// cart.test.js — the cart in Debian's Chromium with JavaScript switched
// off: as a guest, add two options of a product from its page, change a
// quantity on /cart, apply the demo coupon WELCOME10 and see the discount
// in the totals, then sign in as the demo customer (ECOM_TEST_CREDENTIALS)
// and find the same lines in the account's cart, the mini-cart counting
// them.  Pages are checked with html-validate.  Run by t/browser.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { steps, launch } = require('./lib');
const { HtmlValidate } = require('html-validate');

const base = process.env.ECOM_TEST_BASE_URL;
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'long-title': 'off' },
});

const { step, failures } = steps();

// customer_email / customer_password from the demo-credentials file.
function credential(key) {
  const file = process.env.ECOM_TEST_CREDENTIALS;
  assert.ok(file, 'ECOM_TEST_CREDENTIALS must be set');
  return execFileSync('sh', ['-c', `. "$1" && printf %s "$${key}"`, 'sh', file]).toString();
}

async function validHtml(page, label) {
  const res = await page.context().request.get(page.url(), { maxRedirects: 0 });
  assert.equal(res.status(), 200, `${label}: refetch status`);
  const report = await validator.validateString(await res.text(), label);
  if (!report.valid) {
    const msgs = report.results.flatMap(r => r.messages)
      .map(m => `${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    throw new Error(`${label} is not valid HTML:\n${msgs.slice(0, 15).join('\n')}`);
  }
}

const count = async page => Number(await page.locator('header .mini-cart .count').innerText());

(async () => {
  if (!base) {
    console.log('SKIP: ECOM_TEST_BASE_URL not set');
    process.exit(77);
  }
  const browser = await launch();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const email = credential('customer_email');
  const password = credential('customer_password');
  const added = [];	// SKUs in the guest cart

  await step('the demo customer starts with an empty cart (cleared over the API)', async () => {
    const api = await context.request.post(base + '/api/v1/auth/login', {
      data: { email, password }, headers: { 'X-Forwarded-For': '10.99.0.1' } });
    assert.equal(api.status(), 200, await api.text());
    const token = (await api.json()).data.tokens.access_token;
    const del = await context.request.delete(base + '/api/v1/cart', {
      headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': '10.99.0.1' } });
    assert.equal(del.status(), 200, await del.text());
    // the API answer set no browser cookie: the browser is still a guest
    assert.equal((await context.cookies()).filter(c => c.name === 'access').length, 0);
  });

  await step('a guest adds two options of a product from its page', async () => {
    const list = await (await context.request.get(base + '/api/v1/products?per_page=40')).json();
    for (const p of list.data) {
      if (added.length === 2) break;
      await page.goto(`${base}/p/${p.slug}`);
      const options = await page.locator('form.add-to-cart select option').evaluateAll(
        os => os.map(o => o.value)).catch(() => []);
      if (options.length < 2) continue;
      for (const [i, v] of options.entries()) {
        if (added.length === 2) break;
        await page.goto(`${base}/p/${p.slug}`);
        if (added.length === 0) await validHtml(page, 'product with add-to-cart');
        await page.selectOption('form.add-to-cart select', v);
        await page.fill('form.add-to-cart input[name="quantity"]', String(i + 1));
        await page.click('form.add-to-cart button[type="submit"]');
        if (new URL(page.url()).pathname === '/cart' &&
            await page.locator('.flash').count() === 1) {
          assert.match(await page.locator('.flash').innerText(), /Added to your cart/);
          added.push({ value: v, qty: i + 1 });
        } // else: that option is out of stock, and the page says so; try the next
      }
    }
    assert.equal(added.length, 2, 'no two options in stock');
    assert.equal(await page.locator('tr.cart-line').count(), 2);
    assert.equal(await count(page), added[0].qty + added[1].qty);
    await validHtml(page, 'cart');
  });

  await step('change a quantity on the cart page', async () => {
    const line = page.locator('tr.cart-line').first();
    await line.locator('input[name="quantity"][type="number"]').fill('3');
    await line.locator('button', { hasText: 'Update' }).click();
    await page.waitForURL(base + '/cart');
    assert.match(await page.locator('.flash').innerText(), /cart is updated/);
    assert.equal(await page.locator('tr.cart-line').first()
      .locator('input[name="quantity"][type="number"]').inputValue(), '3');
    assert.equal(await count(page), 3 + added[1].qty);
  });

  let totalBefore;
  await step('apply the coupon WELCOME10: the discount shows in the totals', async () => {
    totalBefore = Number(await page.locator('dd.total').getAttribute('data-total'));
    await page.fill('#coupon-code', 'WELCOME10');
    await page.click('form.coupon button[type="submit"]');
    await page.waitForURL(base + '/cart');
    assert.match(await page.locator('.flash').innerText(), /coupon is applied/,
      await page.locator('main').innerText());
    assert.ok(await page.locator('dd.discount-total').count() === 1, 'a discount line');
    assert.ok(await page.locator('ul.coupons').getByText('WELCOME10').count() >= 1);
    const after = Number(await page.locator('dd.total').getAttribute('data-total'));
    assert.ok(after < totalBefore, `total ${after} is not below ${totalBefore}`);
    await validHtml(page, 'cart with a coupon');
  });

  await step('sign in: the guest cart is the account\'s now', async () => {
    await page.goto(base + '/login?next=/cart');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('main button[type="submit"]');
    await page.waitForURL(base + '/cart');
    assert.equal(await page.locator('header a[href="/account"]').count(), 1, 'signed in');
    assert.equal(await page.locator('tr.cart-line').count(), 2);
    assert.equal(await count(page), 3 + added[1].qty);
    assert.ok(await page.locator('ul.coupons').getByText('WELCOME10').count() >= 1, 'coupon kept');
    const cookies = (await context.cookies()).map(c => c.name);
    assert.ok(!cookies.includes('cart'), 'the guest cart cookie is gone');
  });

  await step('no console errors', async () => {
    // an option out of stock answers the cart page with 409 on purpose
    assert.deepEqual(consoleErrors.filter(e => !/status of 409/.test(e)), []);
  });

  await browser.close();
  console.log(failures() === 0 ? '# cart: all passed' : `# cart: ${failures()} failed`);
  process.exit(failures() === 0 ? 0 : 1);
})();
