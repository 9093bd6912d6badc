// User journeys in real headless Chromium. Each journey is one `journey(...)` below:
// it gets a fresh browser context (own cookies), a screenshot function whose files
// land in artifacts/browser/, and fails on uncaught page errors. (CSP refusals and
// accessibility are checked page by page in csp.test.js and a11y.test.js.)
//
// Add a journey: copy a block, give it a short slug for its screenshots. Journeys run
// in the order written; they share the Hyte instance that run.sh started, so one that
// changes shared data (a password, the import history) says so and keeps to its own
// user or records.
'use strict';

const { describe, test, before, after } = require('node:test');
const {
  assert, cfg, launch, newContext, assertNoPageErrors, shooter, signIn, signOut, visibleCount,
} = require('./lib/harness');

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

// One journey: a test with its own context and screenshot prefix.
function journey(name, slug, contextOptions, fn) {
  test(name, { timeout: 120_000 }, async () => {
    const ctx = await newContext(browser, contextOptions);
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

const htmlLang = (page) => page.getAttribute('html', 'lang');
const h1 = (page) => page.locator('main h1').first().innerText();

describe('journeys', () => {
  // 1 ------------------------------------------------------------------------------
  // A browser asking for a language Hyte does not have (German) gets Finnish.
  const NO_SUPPORTED_LANGUAGE = { locale: 'de-DE' };

  journey('1a. front page in Finnish by default, the organisation filter narrows the list', 'j1a-front', NO_SUPPORTED_LANGUAGE, async ({ page, shot }) => {
    const resp = await page.goto('/');
    assert.equal(resp.status(), 200);
    assert.equal(await htmlLang(page), 'fi');
    await page.getByRole('link', { name: 'Kirjaudu', exact: true }).first().waitFor();
    assert.equal(await page.getAttribute('nav.langs a[hreflang=fi]', 'aria-current'), 'true');
    await shot(page, 'front page in Finnish');

    const items = page.locator('#org-groups li');
    const before = await visibleCount(items);
    assert.ok(before >= 300, `the front page lists all municipalities (saw ${before})`);
    await page.locator('#org-filter').pressSequentially('Asik', { delay: 20 });
    await page.waitForFunction(() => [...document.querySelectorAll('#org-groups li')].filter((li) => !li.hidden).length < 10);
    const shown = await items.evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => e.textContent.trim()));
    assert.ok(shown.length >= 1 && shown.length < before, `the filter narrows the list (${shown.length} of ${before})`);
    assert.ok(shown.includes('Asikkala'), `Asikkala stays in the list: ${JSON.stringify(shown)}`);
    for (const s of shown) assert.match(s.toLowerCase(), /asik/, `only matching names stay: ${s}`);
    assert.equal(await visibleCount(items), shown.length, 'hidden items are not rendered');
    await shot(page, 'filter Asik', { fullPage: false });
    await page.locator('#org-filter').fill('');
    await page.waitForFunction((n) => [...document.querySelectorAll('#org-groups li')].filter((li) => !li.hidden).length === n, before);
  });

  journey('1b. svenska through the language links, and the next page stays Swedish', 'j1b-svenska', NO_SUPPORTED_LANGUAGE, async ({ page, shot }) => {
    await page.goto('/');
    await Promise.all([page.waitForURL(/lang=sv/), page.locator('nav.langs a[hreflang=sv]').click()]);
    assert.equal(await htmlLang(page), 'sv');
    await page.getByRole('link', { name: 'Logga in', exact: true }).first().waitFor();
    assert.equal(await page.getAttribute('nav.langs a[hreflang=sv]', 'aria-current'), 'true');
    await shot(page, 'front page in Swedish', { fullPage: false });
    // the next page, reached by an ordinary link (no ?lang= in it)
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/login'),
      page.locator('header .user a[href="/login"]').click(),
    ]);
    await shot(page, 'next page after choosing svenska');
    assert.equal(await htmlLang(page), 'sv', `after choosing svenska the next page (${page.url()}) should stay Swedish`);
    assert.equal(await h1(page), 'Inloggning');
  });

  journey('1c. English through the language links, and the next page stays English', 'j1c-english', NO_SUPPORTED_LANGUAGE, async ({ page, shot }) => {
    await page.goto('/login');
    await Promise.all([page.waitForURL(/lang=en/), page.locator('nav.langs a[hreflang=en]').click()]);
    assert.equal(await htmlLang(page), 'en');
    assert.equal(await h1(page), 'Sign in');
    await shot(page, 'login page in English');
    await Promise.all([page.waitForURL((u) => u.pathname === '/indicators'), page.locator('header nav a[href="/indicators"]').click()]);
    await shot(page, 'next page after choosing English', { fullPage: false });
    assert.equal(await htmlLang(page), 'en', `after choosing English the next page (${page.url()}) should stay English`);
  });

  // 2 ------------------------------------------------------------------------------
  // Changes the coordinator's password, then puts the original back for the later files.
  journey('2. coordinator signs in, is kept out of Lahti, changes password, uses an API token, signs out', 'j2-coordinator', {}, async ({ page, shot }) => {
    const c = cfg.coord;
    await signIn(page, c);
    assert.equal(new URL(page.url()).pathname, '/org/KUNTA:016');
    assert.equal(await h1(page), 'Asikkala');
    assert.equal((await page.locator('header .who').innerText()).trim(), c.name);
    await shot(page, 'dashboard of Asikkala');

    const forbidden = await page.goto('/org/KUNTA:398');
    assert.equal(forbidden.status(), 403);
    assert.match(await h1(page), /^403/);
    await shot(page, 'Lahti is forbidden');

    // change the password through the header link
    await page.goto('/org/KUNTA:016');
    await Promise.all([page.waitForURL('**/account/password'), page.locator('header a[href="/account/password"]').click()]);
    const newPassword = 'uusi-salasana-' + Date.now();
    await page.fill('#current', c.password);
    await page.fill('#new', newPassword);
    await page.fill('#repeat', newPassword);
    await shot(page, 'password form filled');
    const [changed] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/account/password' && r.request().method() === 'POST'),
      page.click('main form button[type=submit]'),
    ]);
    assert.equal(changed.status(), 200);
    await page.locator('main .ok[role=status]').waitFor();
    await shot(page, 'password changed');
    const oldPassword = c.password;
    c.password = newPassword;

    await signOut(page);
    const refused = await signIn(page, { ...c, password: oldPassword }, { expectOk: false });
    assert.equal(refused.status(), 401, 'the old password no longer works');
    await signIn(page, c);
    assert.equal(new URL(page.url()).pathname, '/org/KUNTA:016');
    await shot(page, 'signed in with the new password');

    // personal API token
    await Promise.all([page.waitForURL('**/account/tokens'), page.locator('header a[href="/account/tokens"]').click()]);
    await page.fill('#token-name', 'selaintesti');
    await page.click('main form[action="/account/tokens"] button[type=submit]');
    const token = (await page.locator('#new-token').innerText()).trim();
    assert.match(token, /^hyte_\S{20,}$/);
    assert.equal(await page.locator('main table tbody tr', { hasText: 'selaintesti' }).count(), 1);
    await shot(page, 'token created');

    // the token alone (no cookies: a fresh request context) opens the API
    const { request } = require('playwright-core');
    const api = await request.newContext({ baseURL: cfg.url });
    try {
      const me = await api.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(me.status(), 200);
      const body = await me.json();
      assert.equal(body.email, c.email);
      assert.equal(body.organisation, 'KUNTA:016');
      const anon = await api.get('/api/v1/me');
      assert.equal(anon.status(), 401, 'without the token the API refuses');
      const wrong = await api.get('/api/v1/me', { headers: { Authorization: 'Bearer hyte_wrong' } });
      assert.equal(wrong.status(), 401, 'a wrong token is refused');
    } finally {
      await api.dispose();
    }
    // fetch() from the signed-in page itself works too (same-origin, session cookie)
    const viaFetch = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    assert.equal(viaFetch.email, c.email);

    // Put the password back: later test files run in their own processes and sign in
    // with the password run.sh gave them.
    await page.goto('/account/password');
    await page.fill('#current', newPassword);
    await page.fill('#new', oldPassword);
    await page.fill('#repeat', oldPassword);
    await page.click('main form button[type=submit]');
    await page.locator('main .ok[role=status]').waitFor();
    c.password = oldPassword;

    await signOut(page);
    await page.getByRole('link', { name: 'Kirjaudu', exact: true }).first().waitFor();
    assert.equal(await page.locator('header .who').count(), 0);
    await shot(page, 'signed out');
    const after = await page.goto('/account/tokens');
    assert.equal(new URL(page.url()).pathname, '/login', `signed out, /account/tokens leads to sign-in (${after.status()})`);
  });

  // 3 ------------------------------------------------------------------------------
  journey('3. wrong password shows the error and answers 401', 'j3-wrong-password', {}, async ({ page, shot }) => {
    const resp = await signIn(page, { email: cfg.reader.email, password: 'ei-tama-salasana' }, { expectOk: false });
    assert.equal(resp.status(), 401);
    const err = page.locator('#login-error');
    await err.waitFor();
    assert.equal((await err.innerText()).trim(), 'Sähköposti tai salasana on väärin.');
    assert.equal(await err.getAttribute('role'), 'alert');
    assert.equal(await page.inputValue('#email'), cfg.reader.email, 'the e-mail is kept in the form');
    assert.equal(await page.inputValue('#password'), '', 'the password is not sent back');
    await shot(page, 'wrong password');
  });

  // 4 ------------------------------------------------------------------------------
  // A browser that prefers English (the language switcher itself is journey 1's).
  journey('4. indicator explorer, indicator page with charts, comparison and CSV', 'j4-indicators', { locale: 'en-GB' }, async ({ page, shot }) => {
    const resp = await page.goto('/org/KUNTA:016/indicators');
    assert.equal(resp.status(), 200);
    const spine = page.locator('main figure.chart svg').first();
    assert.equal(await spine.getAttribute('role'), 'img');
    assert.ok((await spine.locator('title').first().textContent()).trim().length > 0, 'the spine chart has a <title>');
    const rows = await page.locator('main table tbody tr').count();
    assert.ok(rows >= 10, `the explorer table has rows (${rows})`);
    await shot(page, 'explorer of Asikkala');

    // English UI, open the indicator from the table
    assert.equal(await htmlLang(page), 'en');
    const title = 'Employed persons, as % of total population';
    await Promise.all([
      page.waitForURL(/\/org\/KUNTA:016\/indicators\/2328/),
      page.getByRole('link', { name: title, exact: true }).click(),
    ]);
    assert.equal(await h1(page), title);
    for (const [section, what] of [['trend-h', 'trend'], ['compare-h', 'compare'], ['map-h', 'map']]) {
      const svg = page.locator(`section[aria-labelledby=${section}] figure.chart svg`).first();
      assert.equal(await svg.count(), 1, `the ${what} chart is there`);
      assert.equal(await svg.getAttribute('role'), 'img', `the ${what} chart has role=img`);
      assert.ok((await svg.locator('title').first().textContent()).trim().length > 0, `the ${what} chart has a <title>`);
      assert.ok(await svg.isVisible(), `the ${what} chart is visible`);
    }
    const row2011 = page.locator('section[aria-labelledby=trend-h] table tbody tr', { has: page.locator('th', { hasText: /^2011$/ }) });
    assert.equal(await row2011.count(), 1);
    const cells = await row2011.locator('th, td').allInnerTexts();
    assert.match(cells[1], /^39\.4\b/, `2011 value in English: ${cells[1]}`);
    assert.equal(cells[6].trim(), 'Worse', `2011 against the whole country: ${JSON.stringify(cells)}`);
    await shot(page, 'indicator 2328 in English');

    // the same row in Finnish has a decimal comma
    await page.goto('/org/KUNTA:016/indicators/2328?lang=fi');
    const fiCells = await page
      .locator('section[aria-labelledby=trend-h] table tbody tr', { has: page.locator('th', { hasText: /^2011$/ }) })
      .locator('th, td')
      .allInnerTexts();
    assert.match(fiCells[1], /^39,4\b/, `2011 value in Finnish: ${fiCells[1]}`);
    await shot(page, 'indicator 2328 in Finnish', { fullPage: false });

    // CSV download
    const href = await page.locator('a[href*="/table.csv"]').getAttribute('href');
    const csv = await page.request.get(href);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    const text = await csv.text();
    assert.match(text.split('\n')[0], /^indicator,region,year/);
    assert.ok(text.split('\n').some((l) => l.includes('2011') && l.includes('39.4')), 'the CSV has the 2011 value');
  });

  // 5 ------------------------------------------------------------------------------
  journey('5. phone viewport: no horizontal scrolling, main content visible', 'j5-phone',
    { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    async ({ page, shot }) => {
      for (const [url, name] of [
        ['/', 'front page'],
        ['/org/KUNTA:016/indicators', 'explorer'],
        ['/org/KUNTA:016/indicators/2328', 'indicator page'],
      ]) {
        const resp = await page.goto(url);
        assert.equal(resp.status(), 200);
        const m = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          bodyScrollWidth: document.body.scrollWidth,
          innerWidth: window.innerWidth,
          main: (() => {
            const r = document.querySelector('main').getBoundingClientRect();
            return { left: r.left, right: r.right, width: r.width, height: r.height };
          })(),
          h1: (() => {
            const r = document.querySelector('main h1').getBoundingClientRect();
            return { left: r.left, right: r.right, top: r.top };
          })(),
          // the widest elements, to name the culprit when the page is too wide
          widest: [...document.querySelectorAll('body *')]
            .map((e) => ({ e, r: e.getBoundingClientRect() }))
            .filter(({ r }) => r.right > 391)
            .filter(({ e }) => !e.closest('.table-wrap') || e.classList.contains('table-wrap'))
            .slice(0, 5)
            .map(({ e, r }) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''} right=${Math.round(r.right)}`),
        }));
        await shot(page, `${name} on a phone`, { fullPage: false });
        await shot(page, `${name} on a phone, whole page`);
        assert.equal(m.innerWidth, 390);
        assert.ok(m.scrollWidth <= 391, `${name}: the page scrolls sideways (scrollWidth ${m.scrollWidth}); wide elements: ${m.widest.join(', ')}`);
        assert.ok(m.main.width > 300 && m.main.right <= 391 && m.main.height > 100, `${name}: main is laid out in the viewport ${JSON.stringify(m.main)}`);
        assert.ok(m.h1.left >= 0 && m.h1.top < 844 * 2, `${name}: the heading is visible ${JSON.stringify(m.h1)}`);
        assert.ok(await page.locator('main h1').isVisible());
      }
    });

  // 6 ------------------------------------------------------------------------------
  // Adds one import run (indicator 999001 for Asikkala, 2012) to the shared instance.
  journey('6. admin: a broken file is refused with its line, a valid one is imported', 'j6-imports', { locale: 'en-GB' }, async ({ page, shot }) => {
    await signIn(page, cfg.admin);
    await page.goto('/admin/imports');
    assert.equal(await h1(page), 'Data import');
    const history = page.locator('main table tbody tr');
    const before = await history.count();
    await shot(page, 'imports page');

    const broken = 'indicator;region;year;gender;primary value;absolute value\n2328;9001;20x1;total;40.1;\n';
    await page.setInputFiles('#file', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
    const [refused] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/admin/imports' && r.request().method() === 'POST'),
      page.click('main form[action="/admin/imports"] button[type=submit]'),
    ]);
    assert.ok(refused.status() < 500, `the refusal is not a server error (${refused.status()})`);
    const err = page.locator('#import-error');
    await err.waitFor();
    const errText = await err.innerText();
    assert.match(errText, /refused/i);
    assert.match(errText, /line 2\b/, `the refusal names the line: ${errText}`);
    assert.match(errText, /20x1/, `the refusal names the bad value: ${errText}`);
    assert.equal(await history.count(), before, 'the import history is unchanged');
    await shot(page, 'broken file refused');

    const name = `snapshot-999001-${Date.now()}.csv`;
    const valid = 'indicator,region_category,region_code,region_title_fi,year,gender,value\n999001,KUNTA,016,Asikkala,2012,total,12.5\n';
    await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(valid) });
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/admin/imports' && r.request().method() === 'POST'),
      page.click('main form[action="/admin/imports"] button[type=submit]'),
    ]);
    const ok = page.locator('#import-message');
    await ok.waitFor();
    assert.match(await ok.innerText(), /Import finished/);
    assert.equal(await page.locator('#import-error').count(), 0);
    assert.equal(await history.count(), before + 1, 'the history gains a row');
    const newRow = history.filter({ hasText: name });
    assert.equal(await newRow.count(), 1, 'the new row names the file');
    assert.match(await newRow.innerText(), new RegExp(cfg.admin.email.replace(/\./g, '\\.')));
    await shot(page, 'valid file imported');
  });

  // 7 ------------------------------------------------------------------------------
  // The welfare report: the coordinator creates a 2025–2029 report from THL's outline,
  // writes a section with a live indicator chart, two people save the same revision
  // (neither text is lost), a comment is written and resolved, an exclusion without a
  // reason is refused and the appendix lists the decisions. Uses the coordinator.
  journey('7. report: outline from THL, section with a live chart, no lost edits, comments, indicator list', 'j7-report', { locale: 'fi-FI' }, async ({ ctx, page, shot }) => {
    await signIn(page, cfg.coord);
    await page.goto('/org/KUNTA:016/reports');
    // With reports already listed, the creation form is folded in a disclosure.
    const createForm = page.locator('details').filter({ has: page.locator('#rep-title') });
    if ((await createForm.count()) && !(await createForm.first().evaluate((d) => d.open))) {
      await createForm.first().locator('summary').click();
    }
    await page.fill('#rep-title', 'Hyvinvointikertomus 2025–2029');
    await page.fill('#rep-term-start', '2025');
    await page.fill('#rep-term-end', '2029');
    await page.check('#rep-outline-thl');
    await shot(page, 'create report form');
    await Promise.all([
      page.waitForURL(/\/reports\/\d+$/),
      page.locator('form[action="/org/KUNTA:016/reports"] button[type=submit]').click(),
    ]);
    const reportUrl = new URL(page.url()).pathname;
    assert.match(await h1(page), /Hyvinvointikertomus 2025–2029/);
    const sectionLinks = page.locator('main table a[href*="/sections/"]');
    assert.equal(await sectionLinks.count(), 12, 'THL outline has 12 sections');
    await shot(page, 'outline with coverage');

    // Write the children-and-families section with a live indicator block.
    await Promise.all([page.waitForURL(/\/sections\/\d+/), page.getByRole('link', { name: 'Lapset ja lapsiperheet' }).click()]);
    const sectionUrl = new URL(page.url()).pathname;
    const text = 'Lasten ja perheiden hyvinvointi Asikkalassa.\n\n{{indicator 2328 chart=trend}}\n\n{{indicator 999999}}\n';
    await page.fill('#body', text);
    await Promise.all([
      page.waitForLoadState('domcontentloaded'),
      page.locator('form.edit-form button[name=action][value=save]').click(),
    ]);
    await page.waitForSelector('#text svg[role=img]');
    const svgTitle = await page.locator('#text svg[role=img] title').first().textContent();
    assert.match(svgTitle, /Asikkala/, 'the live chart is drawn for Asikkala');
    assert.ok(await page.locator('#text [role=alert]').count() >= 1, 'the unknown indicator is an inline error, not a crash');
    await shot(page, 'section with live chart and inline error');

    // Two editors on the same revision: the second save is refused with both texts.
    const other = await ctx.newPage();
    await other.goto(sectionUrl);
    await page.goto(sectionUrl);
    await page.fill('#body', text + '\nEnsimmäisen muokkaajan lisäys.\n');
    await other.fill('#body', text + '\nToisen muokkaajan lisäys.\n');
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.locator('form.edit-form button[name=action][value=save]').click()]);
    const [conflict] = await Promise.all([
      other.waitForResponse((r) => new URL(r.url()).pathname === sectionUrl && r.request().method() === 'POST'),
      other.locator('form.edit-form button[name=action][value=save]').click(),
    ]);
    assert.equal(conflict.status(), 409, 'a save on an old revision is refused');
    await other.waitForSelector('#theirs');
    assert.match(await other.inputValue('#theirs'), /Ensimmäisen muokkaajan lisäys/, 'the saved text is shown');
    assert.match(await other.inputValue('#body'), /Toisen muokkaajan lisäys/, 'the refused text is kept for merging');
    await shot(other, 'conflict shows both texts');
    await other.close();

    // A comment on the section, then resolved.
    await page.goto(sectionUrl);
    await page.fill('#new-comment', 'Lisätäänkö tähän varhaiskasvatuksen luvut?');
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.locator('form.new-comment button[type=submit]').click()]);
    await page.getByText('Lisätäänkö tähän varhaiskasvatuksen luvut?').first().waitFor();
    await shot(page, 'comment');

    // The indicator list: seed from the preset; excluding without a reason is refused.
    await page.goto(reportUrl + '/indicators');
    const seed = page.locator(`form[action="${reportUrl}/indicators/seed"] button[type=submit]`).first();
    if (await seed.count()) {
      await Promise.all([page.waitForLoadState('domcontentloaded'), seed.click()]);
    }
    // The decision form of each item sits in a disclosure (<details>): open the first.
    const openFirstDecision = async () => {
      const det = page.locator('main details').filter({ has: page.locator(`form[action="${reportUrl}/indicators/select"]`) }).first();
      await det.locator('summary').click();
      return det.locator(`form[action="${reportUrl}/indicators/select"]`);
    };
    const firstSelect = await openFirstDecision();
    await firstSelect.locator('select[name=state]').selectOption('excluded');
    await firstSelect.locator('textarea[name=reason]').fill('');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `${reportUrl}/indicators/select`),
      firstSelect.locator('button[type=submit]').click(),
    ]);
    assert.equal(refused.status(), 422, 'excluding without a reason is refused');
    await page.locator('#form-error').waitFor();
    await shot(page, 'exclusion without reason refused');
    const again = await openFirstDecision();
    await again.locator('select[name=state]').selectOption('excluded');
    await again.locator('textarea[name=reason]').fill('Ei kuvaa kunnan tilannetta.');
    await Promise.all([page.waitForLoadState('domcontentloaded'), again.locator('button[type=submit]').click()]);
    await page.goto(reportUrl + '/appendix');
    await page.getByText('Ei kuvaa kunnan tilannetta.').first().waitFor();
    await shot(page, 'appendix lists the exclusion with its reason');
  });
});
