// The process journeys (issue 6, process half): the coordinator of Asikkala works
// through THL's phases on report 1 (made by run.sh), invites a member who accepts the
// link in a fresh browser, reads the audit log; Päijät-Häme's welfare region (a user
// invited by the admin through the same invitation flow) sees Asikkala's progress.
//
// Changes shared data: tasks of report 1, two new users (their own e-mail addresses).
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

// Invites `email` on the working-group page the page is signed in to; returns the link.
async function invite(page, org, email, role, sector) {
  await page.goto(`/org/${org}/members`);
  await page.fill('#inv-email', email);
  await page.selectOption('#inv-role', role);
  if (sector) await page.fill('#inv-sector', sector);
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === `/org/${org}/invitations` && r.request().method() === 'POST'),
    page.click('main form[action$="/invitations"] button[type=submit]'),
  ]);
  const link = await page.inputValue('#invite-link');
  assert.match(link, /\/invite\/[0-9a-f]{64}$/, `an invitation link is shown: ${link}`);
  return link;
}

// Accepts an invitation in a fresh browser context (no cookies of the inviter).
async function accept(link, name, password, shot) {
  const ctx = await newContext(browser, { locale: 'fi-FI' });
  try {
    const page = await ctx.newPage();
    const resp = await page.goto(link);
    assert.equal(resp.status(), 200);
    await page.fill('#join-name', name);
    await page.fill('#join-pw', password);
    await page.fill('#join-pw2', password);
    await page.click('main form button[type=submit]');
    await page.locator('#joined').waitFor();
    if (shot) await shot(page, 'invitation accepted');
    // The link is single-use.
    const again = await page.goto(link);
    assert.equal(again.status(), 410, 'a used link answers 410');
    assert.match(await page.locator('main').innerText(), /already been used/);
    assertNoPageErrors(ctx);
  } finally {
    await ctx.close();
  }
}

// Creates a report on the organisation's reports page; returns its path.
async function createReport(page, org, kind, title) {
  await page.goto(`/org/${org}/reports`);
  const details = page.locator('details.create-report');
  if (!(await details.evaluate((d) => d.open))) await details.locator('> summary').click();
  if (kind) assert.equal(await page.isChecked(`#kind-${kind}`), true, `${kind} is proposed for ${org}`);
  await page.fill('#rep-title', title);
  await page.fill('#rep-term-start', '2025');
  await page.fill('#rep-term-end', '2029');
  await Promise.all([page.waitForURL(/\/reports\/\d+$/), page.locator('#rep-title').evaluate((el) => el.form.requestSubmit())]);
  return new URL(page.url()).pathname;
}

const stamp = Date.now().toString(36);

describe('process journeys', () => {
  journey('P1. coordinator: phases, owner and due date, a task done, the timeline; invites a member', 'jp1-phases', { locale: 'fi-FI' }, async ({ page, shot }) => {
    await signIn(page, cfg.coord);
    await page.goto('/reports/1');
    await page.goto('/reports/1/indicators');
    await Promise.all([page.waitForURL(/\/reports\/1\/process/), page.locator('nav.toolbar a[href="/reports/1/process"]').click()]);
    assert.equal(await page.getAttribute('nav.toolbar a[href="/reports/1/process"]', 'aria-current'), 'page');
    const phases = page.locator('#timeline li');
    assert.equal(await phases.count(), 8, 'eight THL phases');
    assert.match(await page.locator('#current-phase').innerText(), /vaiheessa 1/);
    await shot(page, 'phases');

    // Assign the decision task to the coordinator with a due date, and mark it done.
    const task = page.locator('li.task', { hasText: 'Päätös kertomuksen laatimisesta' });
    const id = (await task.getAttribute('id')).replace('task-', '');
    await task.locator('summary').click();
    await page.selectOption(`#t${id}-owner`, { label: cfg.coord.name });
    await page.fill(`#t${id}-due`, '2026-03-31');
    await page.selectOption(`#t${id}-status`, 'done');
    await Promise.all([page.waitForURL(/done=saved/), task.locator('form button[type=submit]').first().click()]);
    const saved = page.locator(`#task-${id}`);
    const text = await saved.innerText();
    assert.match(text, /Tehty/);
    assert.match(text, new RegExp(cfg.coord.name));
    assert.match(text, /2026-03-31/);

    // A task past its due date shows as overdue in the timeline.
    const late = page.locator('li.task', { hasText: 'Johtoryhmä sopii vastuut ja aikataulun' });
    const lid = (await late.getAttribute('id')).replace('task-', '');
    await late.locator('summary').click();
    await page.fill(`#t${lid}-due`, '2020-01-15');
    await Promise.all([page.waitForURL(/done=saved/), late.locator('form button[type=submit]').first().click()]);
    assert.match(await page.locator('#overdue-list').innerText(), /Johtoryhmä sopii vastuut ja aikataulun/);
    assert.match(await page.locator('#timeline li').first().innerText(), /[1-6]\/6/);
    await shot(page, 'timeline with a done and an overdue task');

    // An automatic task follows the report: the outline is not agreed yet.
    assert.match(await page.locator('li.task', { hasText: 'Sisällysluettelo sovittu otsikkotasolla' }).innerText(), /automaattinen/);

    // Invite a member; the invitee accepts in a fresh browser and signs in.
    const email = `jasen-${stamp}@asikkala.test`;
    const link = await invite(page, 'KUNTA:016', email, 'editor', 'education');
    await shot(page, 'invitation link');
    await accept(link, 'Jaana Jäsen', 'jäsenen salasana 1', shot);
    await page.goto('/org/KUNTA:016/members');
    assert.match(await page.locator('#members-h + .table-wrap').innerText(), new RegExp(email.replace(/\./g, '\\.')));
    await page.goto('/org/KUNTA:016/audit?action=invitation_accepted');
    assert.match(await page.locator('#audit-table').innerText(), new RegExp(email.replace(/\./g, '\\.')));
    await shot(page, 'audit log filtered');

    const ctx2 = await newContext(browser, { locale: 'fi-FI' });
    try {
      const p2 = await ctx2.newPage();
      await signIn(p2, { email, password: 'jäsenen salasana 1' });
      const r = await p2.goto('/reports/1/process');
      assert.equal(r.status(), 200, 'the new member reads the phases');
      assert.equal(await p2.locator('#add-task').count(), 0, 'an editor does not manage the task list');
    } finally {
      await ctx2.close();
    }
  });

  journey('P2. welfare region: Päijät-Häme sees Asikkala\'s progress', 'jp2-region', { locale: 'fi-FI' }, async ({ page, shot }) => {
    // The admin invites a reader for the welfare region (the same flow as a coordinator).
    await signIn(page, cfg.admin);
    const email = `alue-${stamp}@paijat-hame.test`;
    const link = await invite(page, 'HYVINVOINTIALUE:09', email, 'reader');
    await accept(link, 'Aila Alue', 'alueen salasana 1');

    const ctx = await newContext(browser, { locale: 'fi-FI' });
    try {
      const p = await ctx.newPage();
      await signIn(p, { email, password: 'alueen salasana 1' });
      const r = await p.goto('/org/HYVINVOINTIALUE:09/region');
      assert.equal(r.status(), 200);
      const row = p.locator('#region-report-1');
      const text = await row.innerText();
      assert.match(text, /Asikkala/);
      assert.match(text, /Hyvinvointikertomus 2021–2025/);
      assert.match(text, /1\. Työ ja suunnittelu käynnistyy/);
      // run.sh takes report 1 through council approval to publication.
      assert.match(text, /Julkaistu/);
      assert.match(text, /[1-9]\d*\/\d+/, `progress shows the done task: ${text}`);
      await shot(p, 'region overview');
      // The region reads Asikkala's phases but cannot change them.
      await Promise.all([p.waitForURL(/\/reports\/1\/process/), row.locator('a[href="/reports/1/process"]').click()]);
      assert.equal(await p.locator('li.task details').count(), 0);
      // A municipality's coordinator does not see the region's overview.
      assertNoPageErrors(ctx);
    } finally {
      await ctx.close();
    }
    const ctx3 = await newContext(browser, { locale: 'fi-FI' });
    try {
      const p3 = await ctx3.newPage();
      await signIn(p3, cfg.reader);
      const r = await p3.goto('/reports/1/process');
      assert.equal(r.status(), 403, 'Lahti does not see Asikkala\'s tasks');
    } finally {
      await ctx3.close();
    }
  });

  journey('P3. welfare region: its own report collects the municipalities\' joys and concerns', 'jp3-collect', { locale: 'fi-FI' }, async ({ page, shot }) => {
    // The admin invites a coordinator for Päijät-Häme.
    await signIn(page, cfg.admin);
    const email = `aluekoord-${stamp}@paijat-hame.test`;
    const link = await invite(page, 'HYVINVOINTIALUE:09', email, 'coordinator');
    await accept(link, 'Alli Aluekoordinaattori', 'alueen koordinaattori 1');

    // Asikkala's coordinator starts the 2025–2029 report and records a concern.
    const concern = `Nuorten yksinäisyys lisääntyy (${stamp})`;
    let asikkalaUrl;
    const actx = await newContext(browser, { locale: 'fi-FI' });
    try {
      const a = await actx.newPage();
      await signIn(a, cfg.coord);
      asikkalaUrl = await createReport(a, 'KUNTA:016', null, 'Hyvinvointikertomus 2025–2029 (alue)');
      await a.goto(`${asikkalaUrl}/observations`);
      await a.selectOption('#obs-kind', 'concern');
      await a.fill('#obs-text', concern);
      await Promise.all([a.waitForNavigation(), a.click('#add-observation button[type=submit]')]);
      await a.locator('main [role=status]').waitFor();
      // A municipality's report has no collect button.
      assert.equal(await a.locator('#collect').count(), 0);
      assertNoPageErrors(actx);
    } finally {
      await actx.close();
    }

    // The region's coordinator starts the regional report (the form proposes that kind
    // for a welfare region) and collects.
    const ctx = await newContext(browser, { locale: 'fi-FI' });
    try {
      const p = await ctx.newPage();
      await signIn(p, { email, password: 'alueen koordinaattori 1' });
      const url = await createReport(p, 'HYVINVOINTIALUE:09', 'regional_report', 'Päijät-Hämeen alueellinen hyvinvointikertomus');
      await p.goto('/org/HYVINVOINTIALUE:09/region');
      const own = p.locator('#own-reports a', { hasText: 'kokoa kuntien' });
      await Promise.all([p.waitForURL(/\/observations/), own.first().click()]);
      assert.equal(new URL(p.url()).pathname, `${url}/observations`);
      await Promise.all([p.waitForNavigation(), p.click('#collect')]);
      assert.match(await p.locator('main [role=status]').first().innerText(), /koottiin ehdotuksiksi/);
      const card = p.locator('#proposals article.observation', { hasText: concern });
      assert.equal(await card.count(), 1, 'Asikkala\'s concern arrives once as a proposal');
      assert.match(await card.innerText(), /Jäsenkunta/);
      assert.equal(await card.locator('.obs-source a').innerText(), 'Asikkala');
      await shot(p, 'collected proposals');
      // The region's group accepts it: it moves to the concerns.
      await Promise.all([p.waitForNavigation(), card.getByRole('button', { name: /Hyväksy/ }).click()]);
      assert.equal(await p.locator('section[aria-labelledby=concerns-h] article', { hasText: concern }).count(), 1);
      // Collecting again brings nothing twice.
      await Promise.all([p.waitForNavigation(), p.click('#collect')]);
      assert.match(await p.locator('main [role=status]').first().innerText(), /ei ollut/);
      assert.equal(await p.locator('article.observation', { hasText: concern }).count(), 1);
      // The source link leads to the item in Asikkala's report, which the region reads.
      await Promise.all([p.waitForURL(/#obs-\d+$/), p.locator('.obs-source a', { hasText: 'Asikkala' }).first().click()]);
      assert.equal(new URL(p.url()).pathname, `${asikkalaUrl}/observations`);
      assert.match(await p.locator('main').innerText(), new RegExp(concern.replace(/[()]/g, '\\$&')));
      assertNoPageErrors(ctx);
    } finally {
      await ctx.close();
    }
  });
});
