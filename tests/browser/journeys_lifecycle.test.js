// The account lifecycle (issue 14): the coordinator of Asikkala disables a member (the
// member's open session ends at once), enables them again and issues a password-reset
// link; the member opens the link in a browser of their own and chooses a password. A
// user sees their sessions and ends another browser's. The new pages pass axe.
//
// Changes shared data: a new member of Asikkala (its own e-mail address); sessions of
// the Lahti reader (the other browsers are its own).
'use strict';

const { describe, test, before, after } = require('node:test');
const { assert, cfg, launch, newContext, assertNoPageErrors, shooter, signIn, axe, formatViolations } = require('./lib/harness');

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

async function noAxeViolations(page, what) {
  const r = await axe(page);
  assert.equal(r.violations.length, 0, `axe on ${what}:\n${formatViolations(r.violations)}`);
}

// Clicks a button of the member's row on the members page and waits for the answer.
async function memberAction(page, email, button, urlPattern) {
  const row = page.locator('#members-h + .table-wrap tbody tr', { hasText: email });
  await Promise.all([page.waitForURL(urlPattern), row.locator('button', { hasText: button }).click()]);
  return page.locator('#members-h + .table-wrap tbody tr', { hasText: email });
}

// Whether the page, reloaded, is still signed in (not sent to the sign-in page).
async function stillSignedIn(page, path) {
  await page.goto(path);
  return new URL(page.url()).pathname !== '/login';
}

const stamp = Date.now().toString(36);

describe('account lifecycle journeys', () => {
  journey('L1. coordinator disables a member and issues a reset link; the member sets a new password', 'jl1-lifecycle', { locale: 'fi-FI' }, async ({ page, shot }) => {
    await signIn(page, cfg.coord);
    // A new member through the invitation flow.
    const email = `elinkaari-${stamp}@asikkala.test`;
    const first = 'ensimmäinen salasana 1';
    await page.goto('/org/KUNTA:016/members');
    await page.fill('#inv-email', email);
    await page.selectOption('#inv-role', 'reader');
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/org/KUNTA:016/invitations' && r.request().method() === 'POST'),
      page.click('main form[action$="/invitations"] button[type=submit]'),
    ]);
    const invitation = await page.inputValue('#invite-link');
    assert.match(invitation, /\/invite\/[0-9a-f]{64}$/);

    const memberCtx = await newContext(browser, { locale: 'fi-FI' });
    try {
      const member = await memberCtx.newPage();
      await member.goto(invitation);
      await member.fill('#join-name', 'Elina Elinkaari');
      await member.fill('#join-pw', first);
      await member.fill('#join-pw2', first);
      await member.click('main form button[type=submit]');
      await member.locator('#joined').waitFor();
      await signIn(member, { email, password: first });
      assert.ok(await stillSignedIn(member, '/org/KUNTA:016'), 'the member is signed in');

      // Disable: the member's open session ends at once.
      await page.goto('/org/KUNTA:016/members');
      let row = await memberAction(page, email, 'Poista käytöstä', /done=disabled/);
      assert.match(await page.locator('main .ok[role=status]').innerText(), /Tili poistettiin käytöstä/);
      assert.match(await row.innerText(), /Poistettu käytöstä/);
      await shot(page, 'member disabled');
      assert.equal(await stillSignedIn(member, '/org/KUNTA:016'), false, 'the disabled member is sent to the sign-in page');
      const refused = await signIn(member, { email, password: first }, { expectOk: false });
      assert.equal(refused.status(), 401, 'a disabled account cannot sign in');
      await shot(member, 'disabled member cannot sign in');

      // Enable again, then a password-reset link, shown once.
      row = await memberAction(page, email, 'Ota käyttöön', /done=enabled/);
      assert.match(await row.innerText(), /Käytössä/);
      const row2 = page.locator('#members-h + .table-wrap tbody tr', { hasText: email });
      await Promise.all([
        page.waitForResponse((r) => /\/reset-link$/.test(new URL(r.url()).pathname) && r.request().method() === 'POST'),
        row2.locator('button', { hasText: 'Salasanan vaihtolinkki' }).click(),
      ]);
      const link = await page.inputValue('#reset-link');
      assert.match(link, /\/reset\/[0-9a-f]{64}$/, `a reset link is shown: ${link}`);
      assert.match(await page.locator('#reset-link-made').innerText(), new RegExp(email.replace(/\./g, '\\.')));
      await shot(page, 'reset link shown');
      await noAxeViolations(page, 'the members page with a reset link');
    } finally {
      await memberCtx.close();
    }

    // The member opens the link in a fresh browser and chooses a new password.
    const second = 'toinen salasana 2026';
    const resetCtx = await newContext(browser, { locale: 'fi-FI' });
    try {
      const member = await resetCtx.newPage();
      const link = await page.inputValue('#reset-link');
      const resp = await member.goto(link);
      assert.equal(resp.status(), 200);
      assert.equal(await member.inputValue('#reset-email'), email);
      await noAxeViolations(member, 'the reset page');
      await member.fill('#reset-pw', second);
      await member.fill('#reset-pw2', second);
      await member.click('main form button[type=submit]');
      await member.locator('#reset-done').waitFor();
      await shot(member, 'new password saved');
      const old = await signIn(member, { email, password: first }, { expectOk: false });
      assert.equal(old.status(), 401, 'the old password no longer works');
      await signIn(member, { email, password: second });
      assert.ok(await stillSignedIn(member, '/org/KUNTA:016'));
      // The link worked once.
      const again = await member.goto(link);
      assert.equal(again.status(), 410, 'a used link answers 410');
      assert.match(await member.locator('main').innerText(), /on jo käytetty/);
      assertNoPageErrors(resetCtx);
    } finally {
      await resetCtx.close();
    }

    // Every step is in the audit log.
    await page.goto('/org/KUNTA:016/audit');
    const log = await page.locator('#audit-table').innerText();
    for (const text of ['Tili poistettu käytöstä', 'Tili otettu käyttöön', 'Salasanan vaihtolinkki tehty', 'Salasana vaihdettu linkillä']) {
      assert.match(log, new RegExp(text), `${text} in the audit log`);
    }
    await shot(page, 'audit log');
  });

  journey('L2. a user sees their sessions and ends another browser\'s', 'jl2-sessions', { locale: 'fi-FI' }, async ({ page, shot }) => {
    await signIn(page, cfg.reader);
    const otherCtx = await newContext(browser, { locale: 'fi-FI' });
    try {
      const other = await otherCtx.newPage();
      await signIn(other, cfg.reader);
      // The other browser's own session, as its list marks it.
      await other.goto('/account/sessions');
      const otherId = await other.locator('#sessions tr.current-session').getAttribute('id');
      assert.match(otherId, /^session-[0-9a-f]{16}$/);

      await Promise.all([page.waitForURL('**/account/sessions'), page.locator('header a[href="/account/sessions"]').click()]);
      const rows = page.locator('#sessions tbody tr');
      assert.ok((await rows.count()) >= 2, 'both browsers are listed');
      assert.equal(await page.locator('#sessions tr.current-session').count(), 1, 'this browser is marked');
      assert.notEqual(await page.locator('#sessions tr.current-session').getAttribute('id'), otherId);
      await shot(page, 'sessions');
      await noAxeViolations(page, 'the sessions page');

      await Promise.all([page.waitForURL(/done=revoked/), page.locator(`#${otherId} button`).click()]);
      assert.match(await page.locator('main .ok[role=status]').innerText(), /Istunto päätettiin/);
      assert.equal(await page.locator(`#${otherId}`).count(), 0, 'the ended session is gone from the list');
      await shot(page, 'another session ended');
      assert.equal(await stillSignedIn(other, '/account/sessions'), false, 'the other browser is signed out');
      assert.ok(await stillSignedIn(page, '/account/sessions'), 'this browser stays signed in');
      assertNoPageErrors(otherCtx);
    } finally {
      await otherCtx.close();
    }
  });
});
