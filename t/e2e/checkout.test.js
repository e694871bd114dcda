// checkout.test.js — buying, in Debian's Chromium with JavaScript switched
// off: a guest goes from the cart through /checkout (e-mail and address,
// shipping method, card payment, review, "Place order") with the sandbox's
// success card and lands on the confirmation with the order number, the
// cart empty; a declined card says so and keeps the cart; the demo customer
// (ECOM_TEST_CREDENTIALS) applies WELCOME10 on the cart, checks out and
// finds the discounted order under /account/orders; the demo admin signs in
// (TOTP computed here with node's crypto), moves that order confirmed →
// processing → shipped → delivered with the status buttons, refunds it in
// full and marks it refunded.  Every page is checked with html-validate.
// Run by t/browser.
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { steps, launch } = require('./lib');
const { HtmlValidate } = require('html-validate');

const base = process.env.ECOM_TEST_BASE_URL;
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'long-title': 'off' },
});
// the sandbox processor's test cards
const CARD_OK = '4242424242424242';
const CARD_DECLINED = '4000000000000002';
const XFF = '10.99.5.1';	// this suite's own rate-limit bucket

const { step, failures } = steps();

// A key (customer_email, admin_totp_secret, ...) of the demo-credentials file.
function credential(key) {
  const file = process.env.ECOM_TEST_CREDENTIALS;
  assert.ok(file, 'ECOM_TEST_CREDENTIALS must be set');
  return execFileSync('sh', ['-c', `. "$1" && printf %s "$${key}"`, 'sh', file]).toString();
}

async function validString(html, label) {
  const report = await validator.validateString(html, label);
  if (!report.valid) {
    const msgs = report.results.flatMap(r => r.messages)
      .map(m => `${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    throw new Error(`${label} is not valid HTML:\n${msgs.slice(0, 15).join('\n')}`);
  }
}

// The page as the server sends it for a GET of the current address.
async function validHtml(page, label) {
  const res = await page.context().request.get(page.url(), { maxRedirects: 0 });
  assert.equal(res.status(), 200, `${label}: refetch status`);
  await validString(await res.text(), label);
}

// RFC 4648 base32 without padding -> bytes.
function base32(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alpha.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238: HMAC-SHA1, 30-second steps, 6 digits (what the server speaks).
function totp(secret, t = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}

// "€1,234.50" or "1,234.50 CHF" -> 123450 (minor units, two digits).
function minor(text) {
  const m = String(text).replace(/,/g, '').match(/(\d+)\.(\d{2})/);
  assert.ok(m, `not an amount: ${text}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

const path = page => new URL(page.url()).pathname;
const count = async page => Number(await page.locator('header .mini-cart .count').innerText());
const formError = async page => (await page.locator('.form-error').allInnerTexts()).join(' | ');

(async () => {
  if (!base) {
    console.log('SKIP: ECOM_TEST_BASE_URL not set');
    process.exit(77);
  }
  // RFC 6238 appendix B, SHA-1 row for T=59: the helper itself is right.
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59), '287082');

  const browser = await launch();
  const context = await browser.newContext({
    javaScriptEnabled: false, extraHTTPHeaders: { 'X-Forwarded-For': XFF } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const email = credential('customer_email');
  const password = credential('customer_password');
  const guestEmail = `e2e-checkout-${process.pid}-${Date.now()}@example.com`;
  const expYear = String(new Date().getFullYear() + 2);
  let product;	// { slug, variant } in stock for every order below
  let codeRetried = false;	// the admin's first TOTP code was refused (401)

  // From the cart page through every checkout step to "Place order"; the
  // page is then whatever the server answered the order with (`placed`).
  async function checkout(card, { guest }) {
    await page.goto(base + '/cart');
    await page.click('a[href="/checkout"]');
    await page.waitForURL(base + '/checkout');
    assert.equal(await page.locator('[aria-current="step"]').innerText(), 'Address');
    await validHtml(page, 'checkout: address');
    assert.equal(await page.locator('#co-email').count(), guest ? 1 : 0,
      'the e-mail field is for guests only');
    if (guest) await page.fill('#co-email', guestEmail);
    await page.fill('#co-full_name', 'Ada Lovelace');
    await page.fill('#co-address_line1', 'Unter den Linden 77');
    await page.fill('#co-city', 'Berlin');
    await page.fill('#co-postal_code', '10117');
    await page.fill('#co-country', 'DE');
    await page.click('form[action="/checkout/address"] button[type="submit"]');
    await page.waitForURL(base + '/checkout');
    assert.equal(await page.locator('[aria-current="step"]').innerText(), 'Shipping',
      await formError(page));
    await validHtml(page, 'checkout: shipping');
    assert.ok(await page.locator('input[name="shipping_method"]').count() >= 1, 'a shipping method');
    await page.locator('input[name="shipping_method"]').first().check();
    await page.click('form[action="/checkout/shipping"] button[type="submit"]');
    await page.waitForURL(base + '/checkout');
    assert.equal(await page.locator('[aria-current="step"]').innerText(), 'Payment',
      await formError(page));
    await validHtml(page, 'checkout: payment');
    await page.check('input[name="payment_method"][value="card"]');
    await page.click('form[action="/checkout/payment"] button[type="submit"]');
    await page.waitForURL(base + '/checkout');
    assert.equal(await page.locator('[aria-current="step"]').innerText(), 'Review',
      await formError(page));
    await validHtml(page, 'checkout: review');
    assert.match(await page.locator('.review-address').innerText(), /Unter den Linden 77/);
    const review = {
      subtotal: minor(await page.locator('.checkout-summary dd.subtotal').innerText()),
      total: minor(await page.locator('.checkout-summary dd.total').innerText()),
      discount: await page.locator('.checkout-summary dd.discount-total').count() === 1
        ? minor(await page.locator('.checkout-summary dd.discount-total').innerText()) : 0,
    };
    await page.fill('#co-card', card);
    await page.fill('#co-exp-month', '12');
    await page.fill('#co-exp-year', expYear);
    await page.fill('#co-cvc', '123');
    // the answer to the post itself (after any redirect), as the server sent it
    const [placed] = await Promise.all([page.waitForNavigation(),
      page.click('form[action="/checkout/place"] button[type="submit"]')]);
    return { review, placed };
  }

  // One of the picked product into the cart, from its page.
  async function addProduct() {
    await page.goto(`${base}/p/${product.slug}`);
    await page.selectOption('form.add-to-cart select', product.variant);
    await page.fill('form.add-to-cart input[name="quantity"]', '1');
    await page.click('form.add-to-cart button[type="submit"]');
    await page.waitForURL(base + '/cart');
    assert.match(await page.locator('.flash').innerText(), /Added to your cart/);
    assert.equal(await page.locator('tr.cart-line').count(), 1);
  }

  await step('the demo customer starts with an empty cart (cleared over the API)', async () => {
    const api = await context.request.post(base + '/api/v1/auth/login', { data: { email, password } });
    assert.equal(api.status(), 200, await api.text());
    const token = (await api.json()).data.tokens.access_token;
    const del = await context.request.delete(base + '/api/v1/cart', {
      headers: { Authorization: `Bearer ${token}` } });
    assert.equal(del.status(), 200, await del.text());
    assert.equal((await context.cookies()).filter(c => c.name === 'access').length, 0);
  });

  // a product whose page says "In stock", its selected option, and the
  // inventory API agreeing that a few can be had
  await step('pick a product in stock', async () => {
    const list = await (await context.request.get(base + '/api/v1/products?per_page=40')).json();
    for (const p of list.data) {
      await page.goto(`${base}/p/${p.slug}`);
      if (await page.locator('p.availability.in').count() !== 1 ||
          await page.locator('form.add-to-cart select').count() !== 1) continue;
      const variant = await page.locator('form.add-to-cart select').inputValue();
      const check = await context.request.post(base + '/api/v1/inventory/check', {
        data: { items: [{ product_id: p.id, variant_id: variant, quantity: 5 }] } });
      assert.equal(check.status(), 200, await check.text());
      if ((await check.json()).data.all_available !== true) continue;
      product = { slug: p.slug, variant };
      break;
    }
    assert.ok(product, 'no product in stock');
    await validHtml(page, 'product');
  });

  await step('1. a guest checks out with the success card: confirmation, empty cart', async () => {
    await addProduct();
    await validHtml(page, 'cart');
    assert.equal(await count(page), 1);
    await checkout(CARD_OK, { guest: true });
    assert.equal(path(page).startsWith('/orders/'), true,
      `not on the order page: ${page.url()} ${await formError(page)}`);
    const number = (await page.locator('.order-number').innerText()).trim();
    assert.match(number, /^EC-\d{4}-\d+$/);
    assert.equal(path(page), `/orders/${number}`);
    assert.match(await page.locator('.order-placed h1').innerText(), /order is placed/);
    assert.ok((await page.locator('main').innerText()).includes(guestEmail), 'the e-mail is shown');
    assert.equal((await page.locator('.badge').textContent()).trim(), 'Confirmed');
    await validHtml(page, 'order confirmation (guest link)');
    await page.goto(base + '/cart');
    assert.equal(await page.locator('tr.cart-line').count(), 0);
    assert.equal(await page.locator('p.empty').count(), 1, 'the cart page says it is empty');
    assert.equal(await count(page), 0);
    await validHtml(page, 'empty cart');
  });

  await step('2. a declined card: a clear message, the cart keeps its lines', async () => {
    await addProduct();
    const { placed } = await checkout(CARD_DECLINED, { guest: true });
    assert.equal(path(page), '/checkout/place');
    assert.equal(placed.status(), 422);
    assert.match(await formError(page), /payment failed: .*declined/i);
    assert.equal(await page.locator('.order-number').count(), 0);
    await validString(await placed.text(), 'checkout: declined');
    await page.goto(base + '/cart');
    assert.equal(await page.locator('tr.cart-line').count(), 1);
    assert.equal(await count(page), 1);
  });

  let order;	// { number, total } of the customer's order
  await step('3. the demo customer checks out with WELCOME10: the total has the discount', async () => {
    await page.goto(base + '/login?next=/cart');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('main button[type="submit"]');
    await page.waitForURL(base + '/cart');
    assert.equal(await page.locator('header a[href="/account"]').count(), 1, 'signed in');
    assert.equal(await page.locator('tr.cart-line').count(), 1, 'the guest cart came along');
    const cartDiscount = async () => await page.locator('dd.discount-total').count() === 1
      ? minor(await page.locator('dd.discount-total').innerText()) : 0;
    const before = { discount: await cartDiscount(),
      total: Number(await page.locator('dd.total').getAttribute('data-total')) };
    await page.fill('#coupon-code', 'WELCOME10');
    await page.click('form.coupon button[type="submit"]');
    await page.waitForURL(base + '/cart');
    assert.match(await page.locator('.flash').innerText(), /coupon is applied/,
      await page.locator('main').innerText());
    const after = { discount: await cartDiscount(),
      total: Number(await page.locator('dd.total').getAttribute('data-total')) };
    assert.ok(after.discount > before.discount && after.total < before.total,
      `the coupon changes nothing: ${JSON.stringify({ before, after })}`);
    await validHtml(page, 'cart with a coupon');
    const { review } = await checkout(CARD_OK, { guest: false });
    assert.equal(review.discount, after.discount, 'the review has the cart\'s discount');
    assert.match(path(page), /^\/orders\/EC-\d{4}-\d+$/,
      `not on the order page: ${page.url()} ${await formError(page)}`);
    assert.match(await page.locator('.order-placed h1').innerText(), /order is placed/);
    const number = (await page.locator('.order-number').innerText()).trim();
    const totals = page.locator('dl.totals');
    const dd = async label => {
      const t = await totals.locator(`dt:text-is("${label}") + dd`).innerText();
      return t === 'Free' ? 0 : minor(t);
    };
    const got = { subtotal: await dd('Subtotal'), discount: await dd('Discount'),
      shipping: await dd('Shipping'), tax: await dd('Tax'), total: await dd('Total') };
    assert.equal(got.discount, after.discount, 'the order has the cart\'s discount');
    const net = got.subtotal - got.discount + got.shipping;
    assert.ok(got.total === net || got.total === net + got.tax,
      `total ${got.total} does not include the discount: ${JSON.stringify(got)}`);
    assert.equal(got.total, review.total, 'the order total is the one reviewed');
    assert.equal(got.subtotal, review.subtotal);
    await validHtml(page, 'order confirmation (owner)');
    order = { number, total: got.total };
    await page.goto(base + '/account/orders');
    const row = page.locator('table.order-list tbody tr', { hasText: number });
    assert.equal(await row.count(), 1, `${number} in the history`);
    assert.equal(minor(await row.locator('td.num').innerText()), order.total);
    await validHtml(page, 'account orders');
    await page.goto(base + '/cart');
    assert.equal(await page.locator('tr.cart-line').count(), 0, 'the cart is empty');
  });

  await step('4. the admin ships the order through every status, then refunds it', async () => {
    const admin = await browser.newContext({
      javaScriptEnabled: false, extraHTTPHeaders: { 'X-Forwarded-For': XFF } });
    const ap = await admin.newPage();
    ap.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    const valid = async (label) => {
      const u = new URL(ap.url());
      const res = await admin.request.get(base + u.pathname + u.search, { maxRedirects: 0 });
      assert.equal(res.status(), 200, `${label}: refetch status`);
      await validString(await res.text(), label);
    };
    await ap.goto(base + '/admin/login');
    await ap.fill('input[name="email"]', credential('admin_email'));
    await ap.fill('input[name="password"]', credential('admin_password'));
    await ap.click('form.stack button[type="submit"]');
    await ap.waitForLoadState('load');
    assert.equal(new URL(ap.url()).pathname, '/admin/login/code');
    const secret = credential('admin_totp_secret');
    await ap.fill('input[name="code"]', totp(secret));
    await ap.click('form.stack button[type="submit"]');
    await ap.waitForLoadState('load');
    if (new URL(ap.url()).pathname === '/admin/login/code') {
      // a code is good once: when another suite signed the demo admin in
      // during this 30-second step, the next step's code is the one to use
      assert.match(await ap.locator('main').innerText(), /code is not right/);
      codeRetried = true;
      await new Promise(r => setTimeout(r, 31000 - (Date.now() % 30000)));
      await ap.fill('input[name="code"]', totp(secret));
      await ap.click('form.stack button[type="submit"]');
      await ap.waitForLoadState('load');
    }
    assert.equal(new URL(ap.url()).pathname, '/admin', await ap.locator('main').innerText());

    await ap.goto(base + '/admin/orders');
    await valid('admin orders');
    await ap.fill('#q', order.number);
    await ap.click('form.filters button[type="submit"]');
    await ap.waitForLoadState('load');
    assert.equal(await ap.locator('table.list tbody tr').count(), 1);
    await valid('admin orders, filtered');
    await ap.click(`table.list a:has-text("${order.number}")`);
    await ap.waitForLoadState('load');
    assert.match(new URL(ap.url()).pathname, /^\/admin\/orders\/[0-9a-f-]{36}$/);
    const orderPath = new URL(ap.url()).pathname;
    const status = async () => (await ap.locator('dl.facts span.status').innerText()).trim();
    assert.equal(await status(), 'confirmed');
    await valid('admin order');

    for (const to of ['processing', 'shipped', 'delivered']) {
      const form = ap.locator('section.order-transitions form', {
        has: ap.locator(`input[name="status"][value="${to}"]`) });
      assert.equal(await form.count(), 1, `a button for ${to}`);
      await form.locator('input[name="reason"]').fill(`e2e: ${to}`);
      await form.locator('button', { hasText: `Mark as ${to}` }).click();
      await ap.waitForLoadState('load');
      assert.equal(new URL(ap.url()).pathname, orderPath);
      assert.equal(await ap.locator('p.error').count(), 0, await ap.locator('main').innerText());
      assert.match(await ap.locator('.flash').innerText(), /status was changed/);
      assert.equal(await status(), to);
    }
    // delivered: the only way on is a refund
    assert.deepEqual(await ap.locator('section.order-transitions input[name="status"]')
      .evaluateAll(is => is.map(i => i.value)), ['refunded']);
    await valid('admin order, delivered');

    // the money back in full, with the refund form ...
    const payment = ap.locator('table.list', { has: ap.locator('th:text-is("Method")') })
      .locator('tbody tr').first();
    assert.equal(await payment.locator('td').nth(1).innerText(), 'captured');
    await ap.fill('form[action$="/refund"] input[name="amount"]',
      (order.total / 100).toFixed(2));
    await ap.fill('form[action$="/refund"] input[name="reason"]', 'e2e: returned in full');
    await ap.click('form[action$="/refund"] button[type="submit"]');
    await ap.waitForLoadState('load');
    assert.equal(await ap.locator('p.error').count(), 0, await ap.locator('main').innerText());
    assert.match(await ap.locator('.flash').innerText(), /refund was made/);
    assert.equal(await payment.locator('td').nth(1).innerText(), 'refunded');
    assert.equal(minor(await payment.locator('td').nth(3).innerText()), order.total);
    // ... and the order marked refunded, with nothing left to pay back
    const form = ap.locator('section.order-transitions form', {
      has: ap.locator('input[name="status"][value="refunded"]') });
    await form.locator('input[name="reason"]').fill('e2e: returned');
    await form.locator('button', { hasText: 'Mark as refunded' }).click();
    await ap.waitForLoadState('load');
    assert.equal(await ap.locator('p.error').count(), 0, await ap.locator('main').innerText());
    assert.equal(await status(), 'refunded');
    assert.equal(await ap.locator('section.order-transitions form').count(), 0, 'a final state');
    assert.equal(await payment.locator('td').nth(1).innerText(), 'refunded');
    await valid('admin order, refunded');
    await admin.close();

    // the customer sees it too
    await page.goto(`${base}/orders/${order.number}`);
    assert.equal((await page.locator('.badge').textContent()).trim(), 'Refunded');
  });

  await step('no console errors', async () => {
    // the declined card answers 422 on purpose, a refused TOTP code 401
    const expected = codeRetried ? /status of (422|401)/ : /status of 422/;
    assert.deepEqual(consoleErrors.filter(e => !expected.test(e)), []);
  });

  await browser.close();
  console.log(failures() === 0 ? '# checkout: all passed' : `# checkout: ${failures()} failed`);
  process.exit(failures() === 0 ? 0 : 1);
})().catch(e => { console.error(e); process.exit(1); });
