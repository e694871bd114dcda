// admin-a11y.test.js — every admin page passes html-validate and axe-core
// with no serious or critical violation, in Debian's Chromium.
//
// The pages are not listed here: they come from `admin.fcgi --routes`, so
// a page added to the route table is checked without touching this file.
// Every GET route is visited; a route with path parameters ({id}) is
// filled from the links of the pages visited before it (the order list
// links to orders, an order to its invoice, ...), and is reported as not
// reachable when no page links to one (no data of that kind yet).  The
// sign-in and code pages are checked on the way in.  A fresh admin with a
// known TOTP secret signs in, so no code collides with another suite's.
// axe-core is injected with addScriptTag, which the pages' CSP would
// refuse: the context bypasses CSP for that alone.  Run by t/browser.
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { HtmlValidate } = require('html-validate');
const { totp, toBase32, createUser, launch } = require('./lib');

const base = process.env.ECOM_TEST_BASE_URL;
const ecomctl = process.env.ECOM_TEST_ECOMCTL;
const bin = process.env.ECOM_TEST_BIN;
if (!base || !ecomctl || !bin) {
  console.log('# admin-a11y: SKIP (ECOM_TEST_BASE_URL, ECOM_TEST_ECOMCTL and ECOM_TEST_BIN are set by ./check)');
  process.exit(0);
}
const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
const axeSource = require.resolve('axe-core/axe.min.js');
const BAD_IMPACT = new Set(['serious', 'critical']);
const ADMIN_ENROL = '/admin/2fa/enrol';	// admin.h: ADMIN_ENROL_URL

// The admin responder's GET routes, as its route table says.
function adminPages() {
  const out = execFileSync(path.join(bin, 'admin.fcgi'), ['--routes'], { encoding: 'utf8' });
  return out.split('\n').map(l => l.trim().split(/\s+/))
    .filter(f => f[0] === 'GET' && f[1]).map(f => f[1]);
}

// A route pattern as a regular expression over paths.
function patternRe(p) {
  const parts = p.split(/\{[^}]+\}/).map(s => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/?#]+')}$`);
}

const problems = [];

// html-validate on what the server sent, axe-core on the page as rendered.
async function check(page, html, label) {
  const report = await validator.validateString(html, label);
  if (!report.valid) {
    const msgs = report.results.flatMap(r => r.messages)
      .map(m => `    ${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    problems.push(`${label}: not valid HTML\n${msgs.slice(0, 20).join('\n')}`);
  }
  await page.addScriptTag({ path: axeSource });
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter(v => BAD_IMPACT.has(v.impact));
  for (const v of bad) {
    const where = v.nodes.slice(0, 5).map(n => `      ${n.target.join(' ')}: ${n.failureSummary.split('\n').join(' ')}`);
    problems.push(`${label}: axe ${v.impact} ${v.id} — ${v.help}\n${where.join('\n')}`);
  }
  console.log(`${report.valid && bad.length === 0 ? 'ok' : 'not ok'} - ${label}`);
}

// Submit the form of button and wait for the page it leads to; its
// response (the HTML as the server sent it).
async function submit(page, button) {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(button)]);
  return res;
}

function createAdmin(email, password, secret) {
  createUser({ email, password, role: 'admin', secret, first: 'Axe', last: 'Checker' });
}

(async () => {
  const tag = `${Date.now()}-${process.pid}`;
  const password = `Harbour-${tag}-signal`;
  const browser = await launch();

  // an admin without 2FA: the enrolment page and the recovery codes
  {
    const email = `a11y-enrol-${tag}@admin-test.example`;
    createAdmin(email, password, null);
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(base + '/admin/login');
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', password);
    let res = await submit(page, 'form.stack button[type="submit"]');
    if (new URL(page.url()).pathname !== ADMIN_ENROL) {	// 2FA optional: go there
      res = await page.goto(base + ADMIN_ENROL);
    }
    await check(page, await res.text(), ADMIN_ENROL);
    const secret = (await page.locator('#secret').innerText()).trim();
    await page.fill('input[name="code"]', totp(secret));
    res = await submit(page, 'form.stack button[type="submit"]');
    assert.ok((await page.locator('#recovery-codes code').count()) > 0, 'recovery codes shown');
    await check(page, await res.text(), `${ADMIN_ENROL} (recovery codes)`);
    await context.close();
  }

  // the admin who visits every page, with 2FA: the two sign-in steps
  const email = `a11y-admin-${tag}@admin-test.example`;
  const secret = toBase32(crypto.randomBytes(20));
  createAdmin(email, password, secret);
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const login = await page.goto(base + '/admin/login');
  await check(page, await login.text(), '/admin/login');
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  const code = await submit(page, 'form.stack button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, '/admin/login/code');
  await check(page, await code.text(), '/admin/login/code');
  await page.fill('input[name="code"]', totp(secret));
  await submit(page, 'form.stack button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, '/admin', 'signed in');

  // a fixture for the catalog pages with two parameters: the newest
  // product (the first the product list links to) gets a variant and an
  // image through the panel's own forms, so its variant and image pages
  // are linked
  {
    await page.goto(base + '/admin/products/new');
    await page.fill('#name', `A11y lamp ${tag}`);
    await page.fill('#base_price', '10');
    await submit(page, 'form.stack button[type="submit"]');
    const product = new URL(page.url()).pathname;
    await page.fill('#sku', `A11Y-${tag}`.replace(/[^A-Za-z0-9._-]/g, '-'));
    await page.fill('#variant-name', 'One');
    await submit(page, `form[action="${product}/variants"] button[type="submit"]`);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAABlklEQVR4nBXR4RiFMQiG4Q9hCEMIYQghhDCEEIbwIIQQQgghDOHs9Lu7662+72N8zA/5WB/6YR/7wz/OBx/xkR/10R/34/sGYzAHMlgDHdhgD3xwBgxikIMa9OCOByZjMicyWROd2GRPfHImTGKSk5r05M4HhCFMQYQlqGDCFlw4AkIIKZTQwpUHFmMxF7JYC13YYi98cRYsYpGLWvTirgeUoUxFlKWoYspWXDkKSiiplNLK1QeMYUxDjGWoYcY23DgGRhhplNHGtQc2YzM3slkb3dhmb3xzNmxik5va9ObuB5zhTEec5ahjznbcOQ5OOOmU0871Bw7jMA9yWAc92GEf/HAOHOKQhzr04Z4H/s95534HfCd5S77YL8gb/Zr/FZBQ0HDf679gBDOQYAUaWLADD0782yPIoIIObjyQjGQmkqxEE0t24snJ//BIMqmkk5sPFKOYhRSr0MKKXXhx6h8liiyq6OLWA81oZiPNarSxZjfenP4Hjyabarq5/cBlXOZFLuuiF7vsi1/O/a8Zl7zUpS/38gNq4ZAQG74ASAAAAABJRU5ErkJggg==', 'base64');	// 16 x 16
    await page.setInputFiles('#image', { name: 'a11y.png', mimeType: 'image/png', buffer: png });
    await page.fill('#upload-alt', 'A test image');
    await submit(page, `form[action="${product}/images"] button[type="submit"]`);
    assert.equal(await page.locator('img.thumb').count(), 1, 'the fixture image is uploaded');
  }

  // an import waiting for the background worker (a file over the
  // in-request size, check only, so nothing changes): its page refreshes
  // by the HTTP Refresh header, not a <meta> (WCAG 2.2.1), and offers a
  // "Stop refreshing" link; both states are checked here, because the
  // janitor may have finished the job before the generic visit below
  {
    let csv = 'product_slug,product_name,description,status,category_slug,brand_slug,' +
      'currency,base_price,sku,variant_name,variant_price,attributes,weight_grams,active\r\n';
    const desc = 'x'.repeat(1000);
    for (let i = 0; i < 300; i++)
      csv += `a11y-big-${tag}-${i},Big ${i},${desc},draft,,,EUR,${i + 1}.00,A11Y-BIG-${i}-${process.pid},One,,,,true\r\n`;
    await page.goto(base + '/admin/catalog/io');
    await page.setInputFiles('#file', { name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.check('input[name="mode"][value="check"]');
    await submit(page, 'form[action="/admin/catalog/import"] button[type="submit"]');
    const job = new URL(page.url()).pathname;
    assert.match(job, /^\/admin\/catalog\/import\/[0-9a-f-]{36}$/);
    const waiting = await context.request.get(base + job, { maxRedirects: 0 });
    const text = await waiting.text();
    if (/Waiting for the background worker|rows done|rows read/.test(text)) {
      assert.equal(waiting.headers()['refresh'], '3', 'the waiting page refreshes by the header');
      assert.ok(text.includes('?refresh=off">Stop refreshing</a>'), 'a way to stop refreshing');
      assert.ok(!/http-equiv/i.test(text), 'no <meta http-equiv>');
      // the same page without its reload, so axe does not race the refresh
      await page.route(base + job, async route => {
        const r = await route.fetch();
        const headers = { ...r.headers() };
        delete headers.refresh;
        await route.fulfill({ response: r, headers });
      });
      await page.goto(base + job);
      await check(page, text, `${job} (waiting, refreshing)`);
      await page.unroute(base + job);
      const stopped = await context.request.get(base + job + '?refresh=off', { maxRedirects: 0 });
      assert.equal(stopped.headers()['refresh'], undefined, '?refresh=off drops the header');
      await page.goto(base + job + '?refresh=off');
      await check(page, await stopped.text(), `${job}?refresh=off (waiting, stopped)`);
    } else {
      console.log(`ok - ${job} # SKIP the job ended before it could be seen waiting`);
    }
  }

  const seen = new Set(['/admin/login', '/admin/login/code', ADMIN_ENROL]);
  const routes = adminPages().filter(p => !seen.has(p));
  const literal = new Set(routes.filter(p => !p.includes('{')));
  const links = new Set();
  const done = new Set();
  const visit = async (route, url) => {
    done.add(route);
    // asked first without the page: a download (CSV) is no page to check
    const raw = await context.request.get(base + url, { maxRedirects: 0 });
    const type = raw.headers()['content-type'] || '';
    if (raw.status() === 200 && !type.startsWith('text/html')) {
      console.log(`ok - ${url} # not a page (${type.split(';')[0]})`);
      return;
    }
    if (raw.status() !== 200) {
      problems.push(`${url}: status ${raw.status()}`);
      console.log(`not ok - ${url}`);
      return;
    }
    await page.goto(base + url);
    await check(page, await raw.text(), route === url ? url : `${route} (${url})`);
    for (const href of await page.$$eval('a[href]', as => as.map(a => a.getAttribute('href'))))
      if (href.startsWith('/admin/')) links.add(href.split(/[?#]/)[0]);
  };

  for (const route of routes.filter(p => literal.has(p)))
    await visit(route, route);
  // routes with parameters, filled from links; each visit may bring new ones
  for (let progress = true; progress;) {
    progress = false;
    for (const route of routes.filter(p => !done.has(p))) {
      const re = patternRe(route);
      const url = [...links].find(l => re.test(l) && !literal.has(l));
      if (url) {
        await visit(route, url);
        progress = true;
      }
    }
  }
  for (const route of routes.filter(p => !done.has(p)))
    console.log(`ok - ${route} # SKIP no page links to one (no such data yet)`);

  await browser.close();
  if (problems.length > 0) {
    console.log(`# admin-a11y: ${problems.length} problems\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log('# admin-a11y: all passed');
  process.exit(0);
})().catch(e => { console.error(e); process.exit(1); });
