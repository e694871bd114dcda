// lib.js — what the browser suites share: their steps, html-validate,
// TOTP codes, accounts made with ecomctl and Debian's Chromium.  Not a
// suite itself (t/browser runs *.test.js only).
'use strict';
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { chromium } = require('playwright-core');
const { HtmlValidate } = require('html-validate');

const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });

// Steps run in order; unless they are independent, every step needs the
// one before it, so after a failure the rest are reported as skipped.
// failures() counts both.
function steps({ independent = false } = {}) {
  let failures = 0;
  let stop = false;
  async function step(name, fn) {
    if (stop) {
      console.log(`not ok - ${name} # skipped: an earlier step failed`);
      failures++;
      return;
    }
    try {
      await fn();
      console.log(`ok - ${name}`);
    } catch (e) {
      failures++;
      stop = !independent;
      console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
    }
  }
  return { step, failures: () => failures };
}

// Throws the first 15 html-validate messages when html is not valid.
async function valid(html, label) {
  const report = await validator.validateString(html, label);
  if (!report.valid) {
    const msgs = report.results.flatMap(r => r.messages)
      .map(m => `${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    throw new Error(`${label} is not valid HTML:\n${msgs.slice(0, 15).join('\n')}`);
  }
}

// RFC 4648 base32 without padding, both ways.
const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function fromBase32(s) {
  let bits = 0, value = 0;
  const out = [];
  for (const c of s) {
    value = (value << 5) | ALPHA.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
function toBase32(buf) {
  let bits = 0, value = 0, out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHA[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

// RFC 6238: HMAC-SHA1, 30-second steps, 6 digits.
function totp(secret, t = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = crypto.createHmac('sha1', fromBase32(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// An account made with ecomctl (ECOM_TEST_ECOMCTL); secret: its TOTP
// secret, or none.
function createUser({ email, password, role, secret, first, last }) {
  const args = ['user', 'create', '--email', email, '--role', role,
    '--first-name', first, '--last-name', last];
  execFileSync(process.env.ECOM_TEST_ECOMCTL, secret ? [...args, '--totp-secret', secret] : args,
    { input: `${password}\n` });
}

// Debian's Chromium (CHROMIUM overrides the path), headless.
function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

module.exports = { steps, valid, fromBase32, toBase32, totp, createUser, launch };
