// Shared helpers of the browser tests: the environment that run.sh prepares, one
// headless Chromium per test file, contexts per user, screenshots, sign-in and axe.
//
// The tests are run by `node --test` (node's own runner); run.sh starts Hyte and sets:
//   HYTE_URL               http://127.0.0.1:PORT (no trailing slash)
//   HYTE_ADMIN_EMAIL       admin@hyte.local
//   HYTE_ADMIN_PASSWORD    the password `hyte demo` printed
//   HYTE_COORD_EMAIL, HYTE_COORD_PASSWORD, HYTE_COORD_NAME    coordinator of KUNTA:016
//   HYTE_READER_EMAIL, HYTE_READER_PASSWORD, HYTE_READER_NAME  reader of KUNTA:398
//   HYTE_ARTIFACTS         folder for screenshots (artifacts/browser at the repo root)
//   HYTE_CHROMIUM          the browser (default /usr/bin/chromium)
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

function env(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw new Error(`${name} is not set: start the tests with tests/browser/run.sh`);
  }
  return v;
}

const cfg = {
  url: env('HYTE_URL'),
  admin: { email: env('HYTE_ADMIN_EMAIL', 'admin@hyte.local'), password: env('HYTE_ADMIN_PASSWORD') },
  coord: {
    email: env('HYTE_COORD_EMAIL', 'coord@asikkala.test'),
    password: env('HYTE_COORD_PASSWORD'),
    name: env('HYTE_COORD_NAME', 'Kaija Koordinaattori'),
    org: 'KUNTA:016',
  },
  reader: {
    email: env('HYTE_READER_EMAIL', 'reader@lahti.test'),
    password: env('HYTE_READER_PASSWORD'),
    name: env('HYTE_READER_NAME', 'Lauri Lukija'),
    org: 'KUNTA:398',
  },
  artifacts: env('HYTE_ARTIFACTS', path.resolve(__dirname, '../../../artifacts/browser')),
  chromium: env('HYTE_CHROMIUM', '/usr/bin/chromium'),
};

// The flags asked for by issue 8. playwright-core adds its own --user-data-dir: a
// fresh, empty profile in a new temporary folder for every launch, removed on close.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function launch() {
  return chromium.launch({
    executablePath: cfg.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

// A new isolated context (own cookies) with watchers that collect what a person would
// not see but a test should: uncaught page errors (ctx.pageErrors) and the page's
// Content-Security-Policy refusals (ctx.cspRefusals, from the console).
async function newContext(browser, options = {}) {
  const ctx = await browser.newContext({
    baseURL: cfg.url,
    locale: 'fi-FI',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  ctx.setDefaultTimeout(15_000);
  ctx.setDefaultNavigationTimeout(30_000);
  ctx.pageErrors = [];
  ctx.cspRefusals = [];
  // Records every CSP violation with its directive and sample, so that a failure can
  // say what was refused. Injected through the DevTools protocol (CSP does not apply).
  await ctx.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push({
        directive: e.effectiveDirective || e.violatedDirective,
        blocked: e.blockedURI,
        sample: e.sample,
        line: e.lineNumber,
        column: e.columnNumber,
      });
    });
  });
  ctx.on('page', (page) => watch(ctx, page));
  return ctx;
}

function watch(ctx, page) {
  page.on('pageerror', (err) => ctx.pageErrors.push(`page error on ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Content Security Policy/i.test(text)) {
      ctx.cspRefusals.push(`${page.url()}: ${text}`);
    }
  });
}

// Fails the test if the context's pages threw uncaught errors.
function assertNoPageErrors(ctx) {
  assert.deepEqual(ctx.pageErrors, [], 'the pages raised uncaught errors');
}

// What the page's CSP refused, grouped by directive and sample, with the elements
// that carry inline styles or scripts (CSP events do not name the element).
async function cspReport(page) {
  return page.evaluate(() => {
    const groups = {};
    for (const v of window.__cspViolations || []) {
      const key = `${v.directive} ${v.blocked} ${v.sample || ''}`;
      groups[key] = groups[key] || { ...v, count: 0 };
      groups[key].count += 1;
    }
    const outer = (e) => {
      const h = e.outerHTML;
      const open = h.slice(0, h.indexOf('>') + 1);
      return e.tagName.toLowerCase() === 'style' || e.tagName.toLowerCase() === 'script' ? h.slice(0, 200) : open.slice(0, 200);
    };
    const path = (e) => {
      const parts = [];
      for (let n = e; n && n.nodeType === 1 && parts.length < 4; n = n.parentElement) {
        let s = n.tagName.toLowerCase();
        if (n.id) { parts.unshift(`${s}#${n.id}`); break; }
        if (n.getAttribute('class')) s += '.' + n.getAttribute('class').trim().split(/\s+/).join('.');
        parts.unshift(s);
      }
      return parts.join(' > ');
    };
    const styled = [...document.querySelectorAll('body [style]')];
    const styleEls = [...document.querySelectorAll('body style')];
    const inlineScripts = [...document.querySelectorAll('script:not([src])')];
    const handlers = [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name)));
    const sample = (els) => els.slice(0, 3).map((e) => ({ target: path(e), html: outer(e) }));
    return {
      violations: Object.values(groups),
      styleAttributes: { count: styled.length, examples: sample(styled) },
      styleElements: { count: styleEls.length, examples: sample(styleEls) },
      inlineScripts: { count: inlineScripts.length, examples: sample(inlineScripts) },
      eventHandlers: { count: handlers.length, examples: sample(handlers) },
    };
  });
}

// Screenshots are numbered per test file so that artifacts/browser reads as a story.
function shooter(prefix) {
  fs.mkdirSync(cfg.artifacts, { recursive: true });
  let n = 0;
  return async function shot(page, step, opts = {}) {
    n += 1;
    const safe = step.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const file = path.join(cfg.artifacts, `${prefix}-${String(n).padStart(2, '0')}-${safe}.png`);
    await page.screenshot({ path: file, fullPage: opts.fullPage !== false });
    return file;
  };
}

// Signs in through the form; returns the response of the POST (before redirects are
// followed the browser lands on the destination page).
async function signIn(page, who, { expectOk = true } = {}) {
  await page.goto('/login');
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/login' && r.request().method() === 'POST'),
    page.click('main form button[type=submit]'),
  ]);
  await page.waitForLoadState('domcontentloaded');
  if (expectOk) {
    assert.equal(resp.status(), 303, `signing in as ${who.email} was answered ${resp.status()}`);
  }
  return resp;
}

async function signOut(page) {
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/'),
    page.click('header form[action="/logout"] button'),
  ]);
}

// The number of rows of a table body that are shown.
async function visibleCount(locator) {
  return locator.evaluateAll((els) => els.filter((e) => e.offsetParent !== null || e.getClientRects().length > 0).length);
}

// ---- accessibility ----------------------------------------------------------------

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// Runs axe-core in the page as it is (the app's CSP stays in force, so the page is
// tested as users get it). The source is evaluated through the DevTools protocol,
// which CSP does not govern; no <script> is added to the page.
async function axe(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) {
    await page.evaluate(AXE_SOURCE);
  }
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return {
      version: window.axe.version,
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(' '),
          html: n.html,
          summary: n.failureSummary,
        })),
      })),
    };
  }, AXE_TAGS);
}

function formatViolations(violations) {
  return violations
    .map((v) =>
      [`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`]
        .concat(v.nodes.map((n) => `    target: ${n.target}\n    html:   ${n.html}\n    ${String(n.summary).replace(/\n/g, '\n    ')}`))
        .join('\n'),
    )
    .join('\n');
}

module.exports = {
  assert,
  cfg,
  launch,
  newContext,
  assertNoPageErrors,
  cspReport,
  shooter,
  signIn,
  signOut,
  visibleCount,
  axe,
  formatViolations,
  AXE_TAGS,
};
