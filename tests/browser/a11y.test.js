// Accessibility: axe-core with the WCAG 2.1 A and AA rules (wcag2a, wcag2aa, wcag21a,
// wcag21aa) on the pages of lib/pages.js, as a signed-out visitor and as signed-in
// users. Every page must have zero violations; a failure lists the rule, the target
// selector and the element's HTML.
'use strict';

const { describe, test, before, after } = require('node:test');
const h = require('./lib/harness');
const { PAGES, visitors, label } = require('./lib/pages');

const { assert } = h;
let browser;
let who;
before(async () => {
  browser = await h.launch();
  who = visitors(browser, h);
});
after(async () => {
  if (who) await who.closeAll();
  if (browser) await browser.close();
});

const shot = h.shooter('a11y');

describe('accessibility (axe-core, WCAG 2.1 A/AA)', () => {
  for (const p of PAGES) {
    test(label(p), { timeout: 60_000 }, async () => {
      const ctx = await who.get(p.who);
      const page = await ctx.newPage();
      try {
        const resp = await page.goto(p.url);
        assert.equal(resp.status(), p.status || 200, `${p.url} answered ${resp.status()}`);
        if (p.prepare) await p.prepare(page);
        await shot(page, p.name);
        const r = await h.axe(page);
        assert.ok(r.version, 'axe-core ran');
        const n = r.violations.reduce((s, v) => s + v.nodes.length, 0);
        assert.equal(
          r.violations.length,
          0,
          `${p.name} (${page.url()}): ${r.violations.length} axe-core ${r.version} rule(s) violated on ${n} element(s):\n${h.formatViolations(r.violations)}`,
        );
      } finally {
        await page.close();
      }
    });
  }

  // The check itself must be able to fail: a page given a known violation.
  test('the axe check finds a known violation (self-test)', async () => {
    const ctx = await who.get(null);
    const page = await ctx.newPage();
    try {
      await page.goto('/');
      await page.evaluate(() => {
        const b = document.createElement('button');
        document.querySelector('main').appendChild(b);
      });
      const r = await h.axe(page);
      assert.ok(r.violations.some((v) => v.id === 'button-name'), 'axe reports a button without a name');
    } finally {
      await page.close();
    }
  });
});
