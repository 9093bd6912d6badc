// The app's strict Content-Security-Policy (no inline scripts or styles) and its own
// pages must agree: loading the pages of lib/pages.js in Chromium with the CSP in force
// must cause no refusal. A refusal means something the page meant to apply (an inline
// style or script) silently does not work in a real browser.
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

function describeReport(r) {
  const lines = [];
  for (const v of r.violations) {
    lines.push(`  refused ${v.directive} (${v.blocked}) x${v.count}${v.sample ? `, sample: ${JSON.stringify(v.sample)}` : ''}${v.line ? `, HTML line ${v.line}:${v.column}` : ''}`);
  }
  for (const [what, g] of [
    ['elements with a style attribute', r.styleAttributes],
    ['<style> elements in the body', r.styleElements],
    ['inline <script> elements', r.inlineScripts],
    ['elements with on* event handlers', r.eventHandlers],
  ]) {
    if (g.count) {
      lines.push(`  ${g.count} ${what}, e.g.:`);
      for (const e of g.examples) lines.push(`    ${e.target}\n      ${e.html}`);
    }
  }
  return lines.join('\n');
}

describe('Content-Security-Policy: no refusals on the app\'s own pages', () => {
  for (const p of PAGES) {
    test(label(p), { timeout: 60_000 }, async () => {
      const ctx = await who.get(p.who);
      const page = await ctx.newPage();
      try {
        const resp = await page.goto(p.url);
        assert.equal(resp.status(), p.status || 200);
        const csp = resp.headers()['content-security-policy'] || '';
        assert.match(csp, /script-src 'self'/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
        if (p.prepare) await p.prepare(page);
        const r = await h.cspReport(page);
        const bad = r.violations.reduce((s, v) => s + v.count, 0);
        assert.equal(bad, 0, `${p.name} (${page.url()}) has content the CSP refuses:\n${describeReport(r)}`);
        h.assertNoPageErrors(ctx);
      } finally {
        await page.close();
      }
    });
  }
});
