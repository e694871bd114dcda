// admin-catalog.test.js — the catalog in the admin panel, in Debian's
// Chromium with JavaScript switched off: an admin creates a category, a
// brand and a product with two variants and an uploaded image, publishes
// it and finds it in the shop with its resized image; uploads a banner's
// picture through the banner form (an HTML file named .png refused) and
// sees it on the home page with srcset; exports the catalog,
// edits the CSV, imports it and sees the change; the audit log shows what
// was done; a seller sees only their own products.  Each page type is
// checked with html-validate.  Run by t/browser.
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');
const { steps, valid, totp, toBase32, createUser, launch } = require('./lib');

const base = process.env.ECOM_TEST_BASE_URL;
const ecomctl = process.env.ECOM_TEST_ECOMCTL;
const bin = process.env.ECOM_TEST_BIN;
if (!base || !ecomctl || !bin) {
  console.log('# admin-catalog: SKIP (ECOM_TEST_BASE_URL, ECOM_TEST_ECOMCTL and ECOM_TEST_BIN are set by ./check)');
  process.exit(0);
}
const { step, failures } = steps();

// A real PNG (a colour gradient) of w x h, so the media library has
// something to decode and resize.
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = buf => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;	// bit depth
  ihdr[9] = 2;	// truecolour
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 255 / w) | 0;
      raw[o + 1] = (y * 255 / h) | 0;
      raw[o + 2] = 160;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// One CSV record into its fields (RFC 4180: quotes, doubled quotes).
function csvFields(line) {
  const out = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}
const csvLine = fields => fields.map(f => /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f).join(',');

(async () => {
  const tag = `${Date.now()}${process.pid}`;
  const password = `Quarry-${tag}-lantern`;
  const email = `e2e-catalog-${tag}@admin-test.example`;
  const secret = toBase32(crypto.randomBytes(20));
  createUser({ email, password, role: 'admin', secret, first: 'Cata', last: 'Logue' });

  const browser = await launch();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const here = () => new URL(page.url()).pathname;
  const raw = async p => (await context.request.get(base + p, { maxRedirects: 0 })).text();
  const submit = async selector => {
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  };
  const flash = async () => (await page.locator('p.flash').count()) > 0 ?
    (await page.locator('p.flash').innerText()) : '';
  const category = `E2E Lamps ${tag}`, brand = `E2E Lumen ${tag}`;
  const product = `E2E Desk Lamp ${tag}`, slug = `e2e-desk-lamp-${tag}`;
  let productUrl = '';

  await step('the admin signs in with the code step', async () => {
    await page.goto(base + '/admin/login');
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', password);
    await submit('form.stack button[type="submit"]');
    assert.equal(here(), '/admin/login/code');
    await page.fill('input[name="code"]', totp(secret));
    await submit('form.stack button[type="submit"]');
    assert.equal(here(), '/admin');
  });

  await step('a category', async () => {
    await page.goto(base + '/admin/categories');
    await valid(await raw('/admin/categories'), 'categories');
    await page.fill('#name', category);
    await submit('form[action="/admin/categories"] button[type="submit"]');
    assert.equal(here(), '/admin/categories');
    assert.match(await flash(), /category is created/);
    assert.ok(await page.locator(`ul.tree a:text("${category}")`).count() === 1);
    await page.click(`ul.tree a:text("${category}")`);
    await page.waitForLoadState('load');
    await valid(await raw(here()), 'category');
  });

  await step('a brand', async () => {
    await page.goto(base + '/admin/brands');
    await valid(await raw('/admin/brands'), 'brands');
    await page.fill('#name', brand);
    await submit('form[action="/admin/brands"] button[type="submit"]');
    assert.match(await flash(), /brand is created/);
  });

  await step('a product: a bad price refused by its field, then created', async () => {
    await page.goto(base + '/admin/products/new');
    await valid(await raw('/admin/products/new'), 'new product');
    await page.fill('#name', product);
    await page.fill('#base_price', '49.905');
    await submit('form.stack button[type="submit"]');
    assert.ok(await page.locator('#base_price-error').count() === 1, 'at most 2 decimals');
    assert.equal(await page.inputValue('#name'), product, 'what was typed is kept');
    await page.fill('#name', product);
    await page.fill('#slug', slug);
    await page.fill('#description', 'A lamp for the desk, made by a browser test.');
    await page.fill('#base_price', '49.90');
    await page.selectOption('#category_id', { label: category });
    await page.selectOption('#brand_id', { label: brand });
    await submit('form.stack button[type="submit"]');
    assert.match(here(), /^\/admin\/products\/[0-9a-f-]{36}$/);
    productUrl = here();
    assert.match(await flash(), /product is created/);
    await valid(await raw(productUrl), 'product');
  });

  await step('two variants with attributes and a price of their own', async () => {
    for (const [sku, name, attrs, price] of [[`E2E-${tag}-S`, 'Small', 'size=S; colour=Brass', ''],
      [`E2E-${tag}-L`, 'Large', 'size=L; colour=Brass', '59.90']]) {
      await page.fill('#sku', sku);
      await page.fill('#variant-name', name);
      await page.fill('#attributes', attrs);
      await page.fill('#variant-price', price);
      await submit(`form[action="${productUrl}/variants"] button[type="submit"]`);
      assert.match(await flash(), /variant is added/);
    }
    const rows = await page.locator('table.variants tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.ok(rows.some(r => r.includes('colour=Brass; size=L') && r.includes('59.90')), rows.join('|'));
  });

  await step('an uploaded image with alt text', async () => {
    await page.setInputFiles('#image', { name: 'lamp.png', mimeType: 'image/png', buffer: png(1200, 800) });
    await page.fill('#upload-alt', 'A brass desk lamp');
    await submit(`form[action="${productUrl}/images"] button[type="submit"]`);
    assert.match(await flash(), /image is added/);
    const src = await page.locator('img.thumb').first().getAttribute('src');
    assert.match(src, /\/media\//);
    assert.equal(await page.locator('img.thumb').first().getAttribute('alt'), 'A brass desk lamp');
  });

  await step('published, it is in the shop with its resized image', async () => {
    await submit('form[action$="/status"] button[type="submit"]');
    assert.match(await flash(), /product is published/);
    const shop = await browser.newContext({ javaScriptEnabled: false });
    const sp = await shop.newPage();
    const res = await sp.goto(`${base}/p/${slug}`);
    assert.equal(res.status(), 200);
    assert.ok((await sp.locator('h1').innerText()).includes(product));
    const img = sp.locator('main img[alt="A brass desk lamp"]').first();
    assert.equal(await img.count(), 1, 'the product image is shown');
    const srcset = (await img.getAttribute('srcset')) || (await sp.locator('main picture source').first().getAttribute('srcset')) || '';
    const src = await img.getAttribute('src');
    assert.match(src, /\/media\/u\//);
    assert.ok(/ 480w| 960w/.test(srcset), `resized widths offered: ${srcset}`);
    const file = await shop.request.get(base + src);
    assert.equal(file.status(), 200);
    assert.match(file.headers()['content-type'], /^image\/(jpeg|webp)/);
    await shop.close();
  });

  await step('a banner with its picture uploaded through the form: the shop shows it with srcset', async () => {
    const title = `E2E banner ${tag}`;
    await page.goto(base + '/admin/banners');
    await valid(await raw('/admin/banners'), 'banners');
    // an HTML file named .png is refused by its content; nothing is made
    await page.fill('#title', title);
    await page.fill('#link_url', '/search');
    await page.fill('#position', 'hero');
    await page.fill('#sort_order', '-1000000');
    await page.setInputFiles('#image', { name: 'sale.png', mimeType: 'image/png',
      buffer: Buffer.from('<!DOCTYPE html><html><body>not a picture</body></html>') });
    const [refused] = await Promise.all([page.waitForNavigation(),
      page.click('form[action="/admin/banners"][method="post"] button[type="submit"]')]);
    assert.equal(refused.status(), 415);
    assert.match(await page.locator('#image-error').innerText(), /not a JPEG, PNG, WebP or GIF/);
    assert.equal(await page.locator(`table.list a:text("${title}")`).count(), 0, 'no banner made');
    // the real picture
    await page.fill('#title', title);
    await page.fill('#image_url', '');
    await page.setInputFiles('#image', { name: 'sale.png', mimeType: 'image/png', buffer: png(1000, 320) });
    await submit('form[action="/admin/banners"][method="post"] button[type="submit"]');
    assert.equal(here(), '/admin/banners');
    assert.match(await flash(), /banner is created/);
    const shop = await browser.newContext({ javaScriptEnabled: false });
    const sp = await shop.newPage();
    assert.equal((await sp.goto(base + '/')).status(), 200);
    const banner = sp.locator('a.banner', { hasText: title });
    assert.equal(await banner.count(), 1, 'the home page shows the banner');
    const img = banner.locator('img');
    assert.match(await img.getAttribute('src'), /^\/media\/u\/.+\.jpg$/);
    const srcset = await img.getAttribute('srcset');
    assert.ok(/ 160w, .* 480w, .* 1000w$/.test(srcset), `the sizes lib/media made: ${srcset}`);
    assert.match(await banner.locator('picture source[type="image/webp"]').getAttribute('srcset'), / 480w/);
    const file = await shop.request.get(base + await img.getAttribute('src'));
    assert.equal(file.status(), 200);
    await shop.close();
    // taken off again: the storefront's own browser test runs on this shop
    await page.click(`table.list a:text("${title}")`);
    await page.waitForLoadState('load');
    await valid(await raw(here()), 'banner');
    await submit('a:text("Delete this banner")');
    await submit('form.stack button[type="submit"]');
    assert.match(await flash(), /banner is deleted/);
  });

  await step('export, edit the CSV, import it: the change shows', async () => {
    const res = await context.request.get(base + '/admin/catalog/export.csv');
    assert.equal(res.status(), 200);
    const lines = (await res.text()).split(/\r?\n/).filter(l => l !== '');
    const header = csvFields(lines[0]);
    const col = name => header.indexOf(name);
    assert.ok(col('product_slug') >= 0 && col('product_name') >= 0 && col('variant_price') >= 0);
    const mine = lines.slice(1).map(csvFields).filter(f => f[col('product_slug')] === slug);
    assert.equal(mine.length, 2, 'one row per variant');
    for (const f of mine) {
      f[col('product_name')] = `${product} Deluxe`;
      if (f[col('sku')].endsWith('-L')) f[col('variant_price')] = '64.00';
    }
    const csv = [csvLine(header), ...mine.map(csvLine)].join('\r\n') + '\r\n';
    await page.goto(base + '/admin/catalog/io');
    await valid(await raw('/admin/catalog/io'), 'import and export');
    await page.setInputFiles('#file', { name: 'edited.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.check('input[name="mode"][value="apply"]');
    await submit('form[action="/admin/catalog/import"] button[type="submit"]');
    assert.match(here(), /^\/admin\/catalog\/import\/[0-9a-f-]{36}$/);
    assert.match(await page.locator('main').innerText(), /2 rows applied: 0 products created, 1 updated/);
    await valid(await raw(here()), 'import');
    await page.goto(base + productUrl);
    assert.ok((await page.locator('h1').innerText()).includes(`${product} Deluxe`));
    assert.ok((await page.locator('table.variants').innerText()).includes('64.00'));
  });

  await step('the audit log shows each change to the product', async () => {
    // entries are recorded as the relay hands the events to the audit consumer
    execFileSync(path.join(bin, '..', 'workers', 'relay'), ['--budget', '0'], { stdio: 'ignore' });
    await page.goto(base + productUrl);
    await submit('a:text("History")');
    assert.equal(here(), '/admin/audit');
    const text = await page.locator('table.list').innerText();
    assert.match(text, /product\.created/);
    assert.ok((text.match(/product\.updated/g) || []).length >= 3,
      `variants, image, publication and the import each recorded: ${text}`);
    assert.ok(text.includes(email), 'by this admin');
    await page.goto(`${base}/admin/audit?actor=${encodeURIComponent(email)}`);
    const all = await page.locator('table.list').innerText();
    assert.match(all, /category\.created/, 'the category');
    assert.match(all, /brand\.created/, 'the brand');
  });

  await step('a seller sees only their own products', async () => {
    const sellers = [];
    for (const who of ['a', 'b']) {
      const e = `e2e-seller-${who}-${tag}@admin-test.example`;
      createUser({ email: e, password, role: 'seller', first: 'Cata', last: 'Logue' });
      const ctx = await browser.newContext({ javaScriptEnabled: false });
      const p = await ctx.newPage();
      await p.goto(base + '/admin/login');
      await p.fill('input[name="email"]', e);
      await p.fill('input[name="password"]', password);
      await Promise.all([p.waitForNavigation(), p.click('form.stack button[type="submit"]')]);
      assert.equal(new URL(p.url()).pathname, '/admin/products');
      assert.equal(await p.locator('nav[aria-label="Admin"] a[href="/admin/users"]').count(), 0);
      assert.equal(await p.locator('a.brand').getAttribute('href'), '/admin/products');
      sellers.push({ ctx, p });
    }
    const [a, b] = sellers;
    await a.p.goto(base + '/admin/products/new');
    await a.p.fill('#name', `Seller A lamp ${tag}`);
    await a.p.fill('#base_price', '12');
    await Promise.all([a.p.waitForNavigation(), a.p.click('form.stack button[type="submit"]')]);
    const aUrl = new URL(a.p.url()).pathname;
    assert.match(aUrl, /^\/admin\/products\/[0-9a-f-]{36}$/);
    await b.p.goto(base + '/admin/products');
    const list = await b.p.locator('main').innerText();
    assert.ok(!list.includes(`Seller A lamp ${tag}`), 'not in B\'s list');
    assert.ok(!list.includes(product), 'nor the admin\'s product');
    const res = await b.p.goto(base + aUrl);
    assert.equal(res.status(), 404);
    const shopRes = await b.p.goto(base + productUrl);
    assert.equal(shopRes.status(), 404, 'a published product of the shop is not B\'s either');
    for (const s of sellers) await s.ctx.close();
  });

  await browser.close();
  console.log(failures() === 0 ? '# admin-catalog: all passed' : `# admin-catalog: ${failures()} failed`);
  process.exit(failures() === 0 ? 0 : 1);
})().catch(e => { console.error(e); process.exit(1); });
