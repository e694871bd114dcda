// account.test.js — a shopper's account in Debian's Chromium with
// JavaScript switched off: register → open the confirmation link from the
// newest .eml in the mail directory → sign out and in again → edit the
// profile and add an address → sign out.  Every account page is checked
// with html-validate (fetched with the browser's cookies).  Run by
// t/browser (the browser layer of `make check`).
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { steps, launch } = require('./lib');
const { HtmlValidate } = require('html-validate');

const base = process.env.ECOM_TEST_BASE_URL;
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'long-title': 'off' },
});

const { step, failures } = steps();

// ECOM_MAIL_DIR from the environment or the config file ./check writes.
function mailDir() {
  if (process.env.ECOM_MAIL_DIR) return process.env.ECOM_MAIL_DIR;
  const conf = process.env.ECOM_CONFIG;
  assert.ok(conf, 'ECOM_CONFIG or ECOM_MAIL_DIR must be set');
  const line = fs.readFileSync(conf, 'utf8').split('\n').reverse()
    .find(l => l.startsWith('ECOM_MAIL_DIR='));
  assert.ok(line, `no ECOM_MAIL_DIR in ${conf}`);
  return line.slice('ECOM_MAIL_DIR='.length).trim();
}

// The confirmation link of the newest .eml addressed to email.
function newestVerifyLink(email) {
  const dir = mailDir();
  const mails = fs.readdirSync(dir).filter(f => f.endsWith('.eml'))
    .map(f => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of mails) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    if (!text.includes(email)) continue;
    const m = text.match(/\/verify-email\?token=[A-Za-z0-9_-]+/);
    if (m) return m[0];
  }
  throw new Error(`no confirmation mail to ${email} in ${dir}`);
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

async function signOut(page) {
  await page.locator('header form[action="/logout"] button').click();
  await page.waitForURL(base + '/');
  assert.equal(await page.locator('header a[href="/login"]').count(), 1, 'header offers Sign in');
  assert.match(await page.locator('.flash').innerText(), /signed out/);
}

(async () => {
  const browser = await launch();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const email = `e2e-${process.pid}-${Date.now()}@example.com`;
  const password = 'a long and memorable passphrase 7';

  await step('a guest asking for the account page lands on the sign-in form', async () => {
    const res = await page.goto(base + '/account');
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/account');
    await validHtml(page, 'login');
  });

  await step('register with the form', async () => {
    await page.goto(base + '/register');
    await validHtml(page, 'register');
    assert.ok(await page.getByText('15 or more characters recommended').count() >= 1, 'password hint');
    await page.fill('#first_name', 'Grace');
    await page.fill('#last_name', 'Hopper');
    await page.fill('#email', email);
    await page.fill('#password', 'short');
    await page.click('main button[type="submit"]');
    // refused: the message beside the field, the values kept, never the password
    assert.ok(await page.locator('.field-error').count() >= 1, 'field error shown');
    assert.equal(await page.inputValue('#email'), email);
    assert.equal(await page.inputValue('#password'), '');
    await page.fill('#password', password);
    await page.click('main button[type="submit"]');
    await page.waitForURL(base + '/account');
    assert.match(await page.locator('.flash').innerText(), /account is ready/);
    assert.ok(await page.getByText('not confirmed yet').count() >= 1);
    await validHtml(page, 'account');
  });

  await step('open the confirmation link from the newest mail', async () => {
    const link = newestVerifyLink(email);
    const res = await page.goto(base + link);
    assert.equal(res.status(), 200);
    assert.match(await page.locator('h1').innerText(), /confirmed/);
    await page.goto(base + '/account');
    assert.equal(await page.getByText('not confirmed yet').count(), 0);
  });

  await step('sign out, then sign in with the form', async () => {
    await signOut(page);
    await page.goto(base + '/login?next=/account');
    await page.fill('#email', email);
    await page.fill('#password', 'not the password at all');
    await page.click('main button[type="submit"]');
    assert.match(await page.locator('.form-error').innerText(), /Wrong e-mail or password/);
    assert.equal(await page.inputValue('#email'), email);
    await page.fill('#password', password);
    await page.click('main button[type="submit"]');
    await page.waitForURL(base + '/account');
    assert.equal(await page.locator('header a[href="/account"]').count(), 1, 'header links the account');
  });

  await step('edit the profile', async () => {
    await page.fill('#p-first_name', 'Amazing');
    await page.fill('#p-phone', '+1 202 555 0100');
    await page.click('form[action="/account/profile"] button[type="submit"]');
    await page.waitForURL(base + '/account');
    assert.match(await page.locator('.flash').innerText(), /profile is saved/);
    assert.equal(await page.inputValue('#p-first_name'), 'Amazing');
    assert.equal(await page.inputValue('#p-phone'), '+1 202 555 0100');
  });

  await step('add an address', async () => {
    const f = page.locator('form[action="/account/addresses"]');
    await f.locator('#new-label').fill('Office');
    await f.locator('#new-first_name').fill('Grace');
    await f.locator('#new-last_name').fill('Hopper');
    await f.locator('#new-address_line1').fill('1600 Pennsylvania Avenue NW');
    await f.locator('#new-city').fill('Washington');
    await f.locator('#new-state').fill('DC');
    await f.locator('#new-postal_code').fill('20500');
    await f.locator('#new-country_code').fill('US');
    await f.locator('button[type="submit"]').click();
    await page.waitForURL(base + '/account');
    assert.match(await page.locator('.flash').innerText(), /address is added/);
    assert.ok(await page.getByText('1600 Pennsylvania Avenue NW').count() >= 1);
    await validHtml(page, 'account with an address');
  });

  await step('the other account pages render and validate', async () => {
    await page.goto(base + '/account/2fa');
    await validHtml(page, 'account-2fa');
    await page.goto(base + '/account/wishlist');
    await validHtml(page, 'wishlist');
    await page.goto(base + '/forgot-password');
    await validHtml(page, 'forgot-password');
  });

  await step('sign out: the account is closed to this browser', async () => {
    await page.goto(base + '/account');
    await signOut(page);
    const cookies = (await context.cookies()).map(c => c.name);
    assert.ok(!cookies.includes('access') && !cookies.includes('refresh'), `cookies left: ${cookies}`);
    await page.goto(base + '/account');
    assert.equal(new URL(page.url()).pathname, '/login');
  });

  await step('no console errors', async () => {
    // the refused register and sign-in forms above answer 400 and 401 on purpose
    assert.deepEqual(consoleErrors.filter(e => !/status of 40[01]/.test(e)), []);
  });

  await browser.close();
  console.log(failures() === 0 ? '# account: all passed' : `# account: ${failures()} failed`);
  process.exit(failures() === 0 ? 0 : 1);
})().catch(e => { console.error(e); process.exit(1); });
