// admin.test.js — an admin's first sign-in, in Debian's Chromium with
// JavaScript switched off: a guest is sent to the sign-in page; the new
// admin (no 2FA yet) signs in, is held on the enrolment page, adds the
// secret to "an app" (the TOTP computed here with node's crypto), sees the
// recovery codes once, reaches the dashboard and the user list, signs out,
// and signs in again through the code step with a recovery code.  Every
// page type is checked with html-validate.  Run by t/browser.
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { steps, valid, launch } = require('./lib');

const base = process.env.ECOM_TEST_BASE_URL;
const ecomctl = process.env.ECOM_TEST_ECOMCTL;
if (!base || !ecomctl) {
  console.log('# admin: SKIP (ECOM_TEST_BASE_URL and ECOM_TEST_ECOMCTL are set by ./check)');
  process.exit(0);
}
const { step, failures } = steps();

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

(async () => {
  // RFC 6238 appendix B, SHA-1 row for T=59: the helper itself is right.
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59), '287082');

  const tag = `${Date.now()}-${process.pid}`;
  const email = `e2e-admin-${tag}@admin-test.example`;
  const password = `Lighthouse-${tag}-keeper`;
  execFileSync(ecomctl, ['user', 'create', '--email', email, '--role', 'admin',
    '--first-name', 'Browser', '--last-name', 'Admin'], { input: `${password}\n` });

  const browser = await launch();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const raw = async path => (await context.request.get(base + path, { maxRedirects: 0 })).text();
  let recovery = [];

  await step('a guest is sent to the sign-in page', async () => {
    const res = await page.goto(base + '/admin/users');
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/admin/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/admin/users');
    await valid(await raw('/admin/login'), 'sign-in');
    const robots = await page.locator('meta[name="robots"]').getAttribute('content');
    assert.match(robots, /noindex/);
  });

  await step('the new admin signs in and is held on enrolment', async () => {
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', password);
    await page.click('button[type="submit"]');
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/admin/2fa/enrol');
    await page.goto(base + '/admin');
    assert.equal(new URL(page.url()).pathname, '/admin/2fa/enrol', 'the dashboard waits');
    await valid(await raw('/admin/2fa/enrol'), 'enrolment');
  });

  await step('enrolment: the secret, a code from the app, the recovery codes once', async () => {
    await page.goto(base + '/admin/2fa/enrol');
    const secret = (await page.locator('#secret').innerText()).trim();
    const uri = (await page.locator('#otpauth').innerText()).trim();
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    assert.ok(uri.startsWith('otpauth://totp/') && uri.includes(`secret=${secret}`), uri);
    await page.fill('input[name="code"]', totp(secret));
    await page.click('form.stack button[type="submit"]');
    await page.waitForLoadState('load');
    recovery = await page.locator('#recovery-codes code').allInnerTexts();
    assert.equal(recovery.length, 10);
    await valid(await page.content(), 'recovery codes');
    await page.click('a.button');
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/admin');
    assert.ok((await page.locator('main').innerText()).includes(email), 'dashboard names the admin');
    await valid(await raw('/admin'), 'dashboard');
  });

  await step('the user list finds the admin', async () => {
    await page.goto(base + '/admin/users');
    await page.fill('input[name="q"]', `e2e-admin-${tag}`);
    await page.click('form.filters button[type="submit"]');
    await page.waitForLoadState('load');
    assert.equal(await page.locator('table.list tbody tr').count(), 1);
    await valid(await raw(new URL(page.url()).pathname + new URL(page.url()).search), 'users');
    await page.click(`table.list a:text("${email}")`);
    await page.waitForLoadState('load');
    assert.match(new URL(page.url()).pathname, /^\/admin\/users\/[0-9a-f-]{36}$/);
    await valid(await raw(new URL(page.url()).pathname), 'user');
  });

  await step('sign out, then in again with the code step (a recovery code)', async () => {
    await page.click('form.signout button');
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/admin/login');
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', password);
    await page.click('form.stack button[type="submit"]');
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/admin/login/code');
    assert.equal(await page.locator('input[name="password"]').count(), 0);
    assert.ok(!(await page.content()).includes(password), 'the password is never echoed');
    await valid(await raw(new URL(page.url()).pathname + new URL(page.url()).search), 'code step');
    await page.fill('input[name="code"]', recovery[0]);
    await page.click('form.stack button[type="submit"]');
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/admin');
  });

  await browser.close();
  console.log(failures() === 0 ? '# admin: all passed' : `# admin: ${failures()} failed`);
  process.exit(failures() === 0 ? 0 : 1);
})().catch(e => { console.error(e); process.exit(1); });
