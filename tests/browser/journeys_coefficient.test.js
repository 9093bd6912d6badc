// Journeys of the HYTE coefficient, TEAviisari scores and the welfare-region dialogue
// (issue 5). Uses its own coordinator of Asikkala (HYTE_COEF_COORD_*, made by run.sh),
// because journeys.test.js changes the shared coordinator's password. Writes
// TEAviisari scores of 2025 and one dialogue of Asikkala.
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

const coord = {
  email: process.env.HYTE_COEF_COORD_EMAIL || 'hyte-coord@asikkala.test',
  password: process.env.HYTE_COEF_COORD_PASSWORD,
};

function journey(name, slug, fn) {
  test(name, { timeout: 120_000 }, async () => {
    const ctx = await newContext(browser, {});
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

describe('HYTE coefficient and dialogue', () => {
  journey('C1. Asikkala\'s coordinator sees the coefficient, enters TEAviisari scores and gets a rank', 'jc1-coefficient', async ({ page, shot }) => {
    assert.ok(coord.password, 'HYTE_COEF_COORD_PASSWORD is set by run.sh');
    await signIn(page, coord);
    await page.goto('/org/KUNTA:016?lang=en');
    await Promise.all([page.waitForURL('**/org/KUNTA:016/hyte-coefficient'), page.click('#open-coefficient')]);
    assert.match(await page.locator('main h1').innerText(), /HYTE coefficient: Asikkala/);
    // Real outcome data from the demo's Sotkanet snapshot; process not entered yet.
    const drop = page.locator('#comp-koulupudokkaat');
    assert.match(await drop.innerText(), /Sotkanet 3219/);
    assert.doesNotMatch(await drop.innerText(), /No data/);
    assert.match(await page.locator('#comp-kuntajohto').innerText(), /Not entered/);
    assert.match(await page.locator('#comp-tupakointi').innerText(), /Not available in Hyte/);
    await page.locator('#hc-partial').waitFor();
    const outcomeRow = page.locator('#hc-summary tbody tr').nth(2);
    assert.match(await outcomeRow.innerText(), /\d+ of \d+/, 'the outcome block is ranked among peers');
    await shot(page, 'coefficient before scores');

    // A typo is refused and kept; nothing is saved.
    await page.fill('#tv-year', '2025');
    await page.fill('#s-kuntajohto-sitoutuminen', '120');
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#teaviisari-form button[type=submit]')]);
    await page.locator('#form-error').waitFor();
    assert.equal(await page.getAttribute('#s-kuntajohto-sitoutuminen', 'aria-invalid'), 'true');
    await shot(page, 'score refused');

    const scores = {
      kuntajohto: [85, 80, 75, 90, 70, 60, 80],
      perusopetus: [70, 75, 80, 65, 60, 70, 75],
      liikunta: [60, 55, 70, 65, 50, 60, 65],
      kulttuuri: [50, 45, 60, 55, 40, 50, 55],
    };
    const perspectives = ['sitoutuminen', 'johtaminen', 'seuranta', 'voimavarat', 'yhteiset_kaytannot', 'osallisuus', 'muut_ydintoiminnat'];
    for (const [sector, values] of Object.entries(scores)) {
      for (let i = 0; i < perspectives.length; i += 1) {
        await page.fill(`#s-${sector}-${perspectives[i]}`, String(values[i]));
      }
    }
    await Promise.all([page.waitForURL(/done=saved/), page.click('#teaviisari-form button[type=submit]')]);
    await page.locator('.ok[role=status]').waitFor();
    // Both blocks now: the coefficient has a value and a rank.
    const coefRow = page.locator('#hc-summary tbody tr').first();
    const text = await coefRow.innerText();
    assert.match(text, /\d+\.\d/, `the coefficient has a value: ${text}`);
    assert.match(text, /1 of 1/, `the coefficient is ranked among organisations with both blocks: ${text}`);
    assert.equal(await page.locator('#hc-partial').count(), 0);
    assert.match(await page.locator('#comp-kuntajohto').innerText(), /2025/);
    await shot(page, 'coefficient with scores');
  });

  journey('C2. Asikkala\'s coordinator records the yearly dialogue with Päijät-Häme', 'jc2-dialogue', async ({ page, shot }) => {
    await signIn(page, coord);
    await page.goto('/org/KUNTA:016?lang=fi');
    await Promise.all([page.waitForURL('**/org/KUNTA:016/dialogue'), page.click('#open-dialogue')]);
    await Promise.all([page.waitForURL('**/dialogue/new'), page.click('#new-dialogue')]);
    assert.match(await page.locator('main .lead').innerText(), /Asikkala – Päijät-Häme/);
    await page.fill('#dlg-year', '2026');
    await page.fill('#dlg-held-on', '2026-03-12');
    await page.fill('#dlg-participants', 'Kunnanjohtaja, hyvinvointikoordinaattori, hyvinvointialueen hyte-päällikkö');
    await page.fill('#dlg-support', 'Tietotukea vuosiraportin indikaattoreihin');
    await page.fill('#goal-0', 'Nuorten koulutuksen ulkopuolelle jäämisen väheneminen');
    await page.selectOption('#status-0', 'in_progress');
    await page.fill('#note-0', 'Etsivää nuorisotyötä vahvistettu');
    await page.fill('#goal-1', 'Ikäihmisten kaatumisten ehkäisy');
    await shot(page, 'dialogue form');
    await Promise.all([page.waitForURL(/done=created/), page.click('#dialogue-form button[type=submit]')]);
    const card = page.locator('article.card').first();
    const text = await card.innerText();
    assert.match(text, /2026: Päijät-Häme/);
    assert.match(text, /Käynnissä/);
    assert.match(text, /Ikäihmisten kaatumisten ehkäisy/);
    await shot(page, 'dialogue recorded');
  });
});

