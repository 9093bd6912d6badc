// Publication (issue #7): a coordinator-level user publishes report 1 (the preview
// switch), a resident reads it on the public site in Finnish and Swedish (axe clean),
// downloads the PDF and the one-page summary, and a chart embedded in a plain HTML page
// (an iframe in a local file) renders. Publishes report 1, which later page-wide checks
// (lib/pages.js) rely on.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { describe, test, before, after } = require('node:test');
const {
  assert, cfg, launch, newContext, assertNoPageErrors, shooter, signIn, axe, formatViolations,
} = require('./lib/harness');

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

function journey(name, slug, fn) {
  test(name, { timeout: 180_000 }, async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const shot = shooter(slug);
    try {
      await fn({ ctx, page, shot });
      assertNoPageErrors(ctx);
    } catch (e) {
      await shot(page, 'failure').catch(() => {});
      throw e;
    } finally {
      await ctx.close();
    }
  });
}

async function axeClean(page, what) {
  const r = await axe(page);
  assert.equal(r.violations.length, 0, `${what}: axe found\n${formatViolations(r.violations)}`);
}

describe('publication journeys', () => {
  // Report 1 was approved by the council and published by run.sh (the approval
  // workflow's moves); here it is withdrawn from the site and published again.
  journey('P1. withdraw and republish report 1, read it publicly in Finnish and Swedish, download the PDF', 'jp1-publish', async ({ ctx, page, shot }) => {
    await signIn(page, cfg.admin);
    await page.goto('/reports/1/publication');
    await Promise.all([
      page.waitForURL(/publication\?saved=1/),
      page.click('#unpublish'),
    ]);
    // Withdrawn: 404 for everyone.
    const anonCheck = await newContext(browser);
    try {
      const before = await (await anonCheck.newPage()).goto('/public/KUNTA:016/reports/1');
      assert.equal(before.status(), 404);
    } finally {
      await anonCheck.close();
    }
    await shot(page, 'publication settings, unpublished');
    await Promise.all([
      page.waitForURL(/publication\?saved=1/),
      page.click('#publish'),
    ]);
    await page.locator('#public-link').waitFor();
    await shot(page, 'published (preview)');

    // A resident, signed out, in a fresh context.
    const anon = await newContext(browser);
    const p = await anon.newPage();
    try {
      await p.goto('/public/KUNTA:016?lang=fi');
      await shot(p, 'archive');
      await Promise.all([p.waitForURL(/\/public\/KUNTA:016\/reports\/1/), p.locator('a[href="/public/KUNTA:016/reports/1"]').click()]);
      assert.equal(await p.getAttribute('html', 'lang'), 'fi');
      assert.equal((await p.locator('#toc-h').innerText()).trim(), 'Sisällys');
      assert.equal((await p.locator('#summary-h').innerText()).trim(), 'Tiivistelmä');
      assert.ok((await p.locator('figure.pub-block svg').count()) >= 2, 'the indicator charts are on the page');
      // The welfare plan and how it is carried out this year.
      const plan = await p.locator('#plan').innerText();
      assert.match(plan, /Lasten ja nuorten liikunta lisääntyy/);
      assert.match(plan, /Liikuntakerhot kouluihin/);
      assert.match(plan, /Käynnissä/);
      assert.match(plan, /Kerhot alkoivat kolmessa koulussa\./);
      await shot(p, 'public report in Finnish');
      await axeClean(p, 'public report (fi)');

      await Promise.all([p.waitForURL(/lang=sv/), p.locator('nav.langs a[hreflang=sv]').click()]);
      assert.equal(await p.getAttribute('html', 'lang'), 'sv');
      assert.equal((await p.locator('#toc-h').innerText()).trim(), 'Innehåll');
      assert.equal((await p.locator('#summary-h').innerText()).trim(), 'Sammanfattning');
      await shot(p, 'public report in Swedish');
      await axeClean(p, 'public report (sv)');

      // Phone width: nothing wider than the screen.
      await p.setViewportSize({ width: 375, height: 800 });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the page scrolls sideways on a phone by ${overflow}px`);
      await shot(p, 'public report on a phone', { fullPage: false });

      // The PDF and the one-page summary.
      const href = await p.getAttribute('#dl-pdf', 'href');
      const pdf = await p.request.get(href);
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      const body = await pdf.body();
      assert.equal(body.subarray(0, 4).toString(), '%PDF');
      const summary = await p.request.get('/public/KUNTA:016/reports/1/summary.png');
      assert.equal(summary.status(), 200);
      assert.equal((await summary.body()).subarray(1, 4).toString(), 'PNG');
      // The SVG summary as a municipality's page would show it (a screenshot of an SVG
      // document itself stalls in headless Chromium).
      await p.setViewportSize({ width: 900, height: 1300 });
      await p.setContent('<!doctype html><html lang="fi"><title>Tiivistelmä</title><img id="summary" alt="Tiivistelmä" width="840" src="/public/KUNTA:016/reports/1/summary.svg">');
      await p.waitForFunction(() => {
        const img = document.getElementById('summary');
        return img && img.complete && img.naturalWidth > 0;
      });
      await shot(p, 'one-page summary');
    } finally {
      await anon.close();
    }
  });

  journey('P2. a chart embedded in a plain HTML page renders', 'jp2-embed', async ({ page, shot }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyte-embed-'));
    const file = path.join(dir, 'municipality.html');
    fs.writeFileSync(file, `<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>Asikkalan kunta</title></head>
<body><h1>Asikkalan kunta</h1>
<iframe id="chart" title="Indikaattori 2328" src="${cfg.url}/embed/KUNTA:016/indicators/2328?chart=trend" width="760" height="560"></iframe>
<img id="svg" alt="Indikaattori 2328" src="${cfg.url}/embed/KUNTA:016/indicators/2328.svg?chart=compare" width="720">
</body></html>`);
    try {
      await page.goto('file://' + file);
      const frame = page.frameLocator('#chart');
      await frame.locator('figure svg').first().waitFor({ timeout: 20_000 });
      const attribution = await frame.locator('.attribution').innerText();
      assert.match(attribution, /CC BY 4\.0/);
      await page.waitForFunction(() => {
        const img = document.getElementById('svg');
        return img.complete && img.naturalWidth > 0;
      });
      await shot(page, 'embedded chart on a plain page');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
