// The approval journey (issue 6, approval half): the coordinator of Asikkala writes a
// section with an indicator table, moves the report through the commenting round,
// the management and board review (the text locks) and the council's approval with
// date and §; the frozen version appears. The admin then uploads a file that changes
// the value the version shows: the version keeps the approved number, the working
// copy shows the new one and the comparison page lists the change.
//
// Changes shared data: a new report of Asikkala, and one imported value of indicator
// 178 (net migration) for Asikkala in its latest year (set to 123.4).
'use strict';

const { describe, test, before, after } = require('node:test');
const { assert, cfg, launch, newContext, assertNoPageErrors, shooter, signIn } = require('./lib/harness');

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

function journey(name, slug, contextOptions, fn) {
  test(name, { timeout: 180_000 }, async () => {
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

const IND = 178;

// Submits the approval form of one move and waits for the page it leads to.
async function move(page, key, fields = {}) {
  const form = page.locator(`#move-${key}`);
  for (const [name, value] of Object.entries(fields)) {
    await form.locator(`[name=${name}]`).fill(value);
  }
  const [resp] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/approval/transitions') && r.request().method() === 'POST'),
    form.locator('button[type=submit]').click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return resp;
}

describe('approval journeys', () => {
  journey('A1. coordinator takes a report through commenting, board and council; a later import leaves the version unchanged', 'ja1-approval', { locale: 'fi-FI' }, async ({ ctx, page, shot }) => {
    await signIn(page, cfg.coord);
    await page.goto('/org/KUNTA:016/reports');
    const createForm = page.locator('details').filter({ has: page.locator('#rep-title') });
    if ((await createForm.count()) && !(await createForm.first().evaluate((d) => d.open))) {
      await createForm.first().locator('summary').click();
    }
    await page.fill('#rep-title', 'Vuosiraportti 2026 (hyväksyntä)');
    await page.fill('#rep-term-start', '2025');
    await page.fill('#rep-term-end', '2029');
    await page.check('#rep-outline-thl');
    await Promise.all([
      page.waitForURL(/\/reports\/\d+$/),
      page.locator('form[action="/org/KUNTA:016/reports"] button[type=submit]').click(),
    ]);
    const reportUrl = new URL(page.url()).pathname;

    // A section with an indicator table.
    await Promise.all([page.waitForURL(/\/sections\/\d+/), page.getByRole('link', { name: 'Lapset ja lapsiperheet' }).click()]);
    const sectionUrl = new URL(page.url()).pathname;
    await page.fill('#body', `Muuttoliike Asikkalassa.\n\n{{indicator ${IND} chart=table}}\n`);
    await Promise.all([
      page.waitForLoadState('domcontentloaded'),
      page.locator('form.edit-form button[name=action][value=save]').click(),
    ]);
    await page.locator('#text figure.ind-block table').first().waitFor({ state: 'attached' });

    // The approval tab: draft, one move offered.
    await page.goto(reportUrl + '/approval');
    assert.equal(await page.getAttribute('#approval-state', 'data-state'), 'draft');
    assert.equal(await page.locator('#no-versions').count(), 1);
    await shot(page, 'draft');
    let resp = await move(page, 'start_commenting');
    assert.equal(resp.status(), 303);
    assert.equal(await page.getAttribute('#approval-state', 'data-state'), 'commenting');
    await move(page, 'to_board');
    assert.equal(await page.getAttribute('#approval-state', 'data-state'), 'board_review');
    assert.equal(await page.locator('#locked-note').count(), 1, 'the text is locked in board review');
    await shot(page, 'board review, text locked');

    // Council approval without the § is refused and keeps the date (the browser's own
    // check of the required field is switched off to reach the server's).
    await page.locator('#move-council_approve').evaluate((f) => { f.noValidate = true; });
    resp = await move(page, 'council_approve', { decision_date: '2026-05-18' });
    assert.equal(resp.status(), 422);
    await page.locator('#form-error').waitFor();
    assert.equal(await page.inputValue('#decision_date'), '2026-05-18');
    await shot(page, 'council approval without section refused');
    resp = await move(page, 'council_approve', { decision_date: '2026-05-18', minutes_section: '§ 45', decision_link: 'https://www.asikkala.fi/paatoksenteko' });
    assert.equal(resp.status(), 303);
    assert.equal(await page.getAttribute('#approval-state', 'data-state'), 'council_approved');
    const versionLink = page.locator('#version-table a[href$="/versions/1"]');
    assert.equal(await versionLink.count(), 1, 'version 1 is listed');
    assert.match(await page.locator('#approval-timeline').innerText(), /§ 45/);
    await shot(page, 'approved with version and timeline');

    // The version shows the frozen table; remember the latest year and its value.
    await Promise.all([page.waitForURL(/\/versions\/1$/), versionLink.click()]);
    const versionUrl = new URL(page.url()).pathname;
    const lastRow = page.locator('figure.ind-block table tbody tr').last();
    const year = (await lastRow.locator('th').textContent()).trim();
    const oldValue = (await lastRow.locator('td').first().textContent()).trim();
    assert.match(year, /^\d{4}$/);
    assert.ok(oldValue && oldValue !== '123,4', `a frozen value is shown: ${oldValue}`);
    assert.equal(await page.locator('figure.ind-block .badge.frozen').count(), 1);
    await shot(page, 'version 1');

    // The admin imports a changed value for that year.
    const admin = await newContext(browser, { locale: 'en-GB' });
    try {
      const ap = await admin.newPage();
      await signIn(ap, cfg.admin);
      await ap.goto('/admin/imports');
      const csv = `indicator,region_category,region_code,region_title_fi,year,gender,value\n${IND},KUNTA,016,Asikkala,${year},total,123.4\n`;
      await ap.setInputFiles('#file', { name: `approval-${Date.now()}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await Promise.all([
        ap.waitForResponse((r) => new URL(r.url()).pathname === '/admin/imports' && r.request().method() === 'POST'),
        ap.click('main form[action="/admin/imports"] button[type=submit]'),
      ]);
      await ap.locator('#import-message').waitFor();
    } finally {
      await admin.close();
    }

    // The version keeps the approved number; the working copy shows the new one.
    await page.goto(versionUrl);
    const again = page.locator('figure.ind-block table tbody tr').last();
    assert.equal((await again.locator('td').first().textContent()).trim(), oldValue, 'the version is unchanged');
    assert.ok(!(await page.locator('main').textContent()).includes('123,4'), 'no new value in the version');
    await page.goto(sectionUrl);
    assert.ok((await page.locator('#text').textContent()).includes('123,4'), 'the working copy shows the new value');
    await page.goto(`${versionUrl}/changes`);
    const changes = await page.locator('#changes-table').innerText();
    assert.match(changes, new RegExp(year));
    assert.match(changes, /123,4/);
    await shot(page, 'changes since approval');
  });
});
