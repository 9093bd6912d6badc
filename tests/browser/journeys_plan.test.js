// The welfare plan and the yearly report (issue 5), as Asikkala's coordinator in the
// browser: a new term report, three concerns linked to real indicators, a plan of
// three goals answering them, actions with responsible sectors and euros, follow-up
// indicators whose baselines come from the demo's Sotkanet snapshot (years ≤ 2012, so
// the baselines are 2008 and the latest values 2011–2012), progress for 2026, the
// generated 2026 yearly report with progress and indicator changes, and the children
// and youth plan view showing only tagged items. Makes its own report; changes nothing
// shared.
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

// Employed % (high is good), unemployed % (low is good), hospital care for mental
// disorders of 0–17-year-olds per 1 000 (low is good): all with Asikkala values.
const EMPLOYED = '2328';
const UNEMPLOYED = '181';
const CHILD_MENTAL = '4';

// Clicks a submit button and waits for the page it leads to (the previous page's
// status message must not count as the new one's).
async function submit(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
}

async function addConcern(page, text, indicator) {
  await page.selectOption('#obs-kind', 'concern');
  await page.fill('#obs-text', text);
  await page.selectOption('#obs-indicators', [indicator]);
  await submit(page, page.locator('#add-observation button[type=submit]'));
  await page.locator('main [role=status]').first().waitFor();
}

async function addGoal(page, title, concernText, tags) {
  await page.fill('#goal-title', title);
  await page.locator('#add-goal label.check', { hasText: concernText }).locator('input').check();
  for (const t of tags) await page.check(`#add-goal input[name=tags][value=${t}]`);
  await submit(page, page.locator('#add-goal button[type=submit]'));
  await page.locator('main [role=status]').first().waitFor();
}

async function addAction(page, goalTitle, { title, sector, person, euros, tags = [] }) {
  const goal = page.locator('article.plan-goal', { hasText: goalTitle });
  const details = goal.locator('details.add-action');
  await details.locator('summary').click();
  await details.locator('input[name=title]').fill(title);
  await details.locator('select[name=sector]').selectOption(sector);
  await details.locator('input[name=responsible]').fill(person);
  await details.locator('input[name=start_year]').fill('2026');
  await details.locator('input[name=end_year]').fill('2027');
  await details.locator('input[name=res_year]').first().fill('2026');
  await details.locator('input[name=res_euros]').first().fill(euros);
  await details.locator('input[name=res_py]').first().fill('0,5');
  for (const t of tags) await details.locator(`input[name=tags][value=${t}]`).check();
  await submit(page, details.locator('button[type=submit]'));
  await page.locator('main [role=status]').first().waitFor();
}

async function addFollowUp(page, goalValue, indicator, target) {
  await page.selectOption('#fu-goal', goalValue);
  await page.selectOption('#fu-indicator', indicator);
  await page.fill('#fu-byear', '2008');
  await page.fill('#fu-bvalue', '');
  await page.fill('#fu-tyear', '2029');
  await page.fill('#fu-tvalue', target);
  await submit(page, page.locator('#add-followup button[type=submit]'));
  await page.locator('main [role=status]').first().waitFor();
}

describe('journeys: the welfare plan and the yearly report', () => {
  test('5. coordinator builds a plan from concerns, records 2026 and generates the yearly report', { timeout: 240_000 }, async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const shot = shooter('j5-plan');
    try {
      await signIn(page, cfg.coord);

      // A new term report.
      await page.goto('/org/KUNTA:016/reports');
      await page.locator('details.create-report > summary').click();
      await page.check('#kind-term_report');
      await page.fill('#rep-title', 'Hyvinvointikertomus ja -suunnitelma 2025–2029');
      await page.fill('#rep-term-start', '2025');
      await page.fill('#rep-term-end', '2029');
      await Promise.all([page.waitForURL(/\/reports\/\d+$/), page.locator('#rep-title').evaluate((el) => el.form.requestSubmit())]);
      const reportUrl = new URL(page.url()).pathname;

      // Three concerns linked to real indicators.
      await page.goto(`${reportUrl}/observations`);
      await addConcern(page, 'Työllisyysaste on laskenut', EMPLOYED);
      await addConcern(page, 'Työttömyys kasvoi vuonna 2009', UNEMPLOYED);
      await addConcern(page, 'Lasten ja nuorten mielenterveyden sairaalahoito on lisääntynyt', CHILD_MENTAL);

      // The plan tab.
      await page.getByRole('link', { name: 'Suunnitelma', exact: true }).click();
      await page.waitForURL(/\/plan/);
      assert.match(await page.locator('main h1').innerText(), /Hyvinvointisuunnitelma/);
      await addGoal(page, 'Työllisyys paranee', 'Työllisyysaste on laskenut', []);
      await addGoal(page, 'Työttömyys vähenee', 'Työttömyys kasvoi', []);
      await addGoal(page, 'Lasten ja nuorten mielenterveys vahvistuu', 'mielenterveyden', ['children_youth']);
      assert.equal(await page.locator('article.plan-goal').count(), 3);

      // Validation keeps what was typed.
      const first = page.locator('article.plan-goal', { hasText: 'Työllisyys paranee' });
      await first.locator('details.add-action summary').click();
      await first.locator('input[name=title]').fill('Työllisyyspalvelut');
      await first.locator('input[name=start_year]').fill('2027');
      await first.locator('input[name=end_year]').fill('2026');
      await submit(page, first.locator('details.add-action button[type=submit]'));
      const err = page.locator('article.plan-goal [role=alert]').first();
      await err.waitFor();
      assert.match(await err.innerText(), /Ei tallennettu/);
      assert.equal(await first.locator('input[name=title]').inputValue(), 'Työllisyyspalvelut');
      await shot(page, 'refused action keeps input');
      await page.goto(`${reportUrl}/plan?year=2026`);

      await addAction(page, 'Työllisyys paranee', { title: 'Työllisyyspalvelut nuorille aikuisille', sector: 'vitality_employment', person: 'Elinvoimajohtaja', euros: '20 000' });
      await addAction(page, 'Työttömyys vähenee', { title: 'Kuntouttava työtoiminta', sector: 'central_administration', person: 'Hyvinvointikoordinaattori', euros: '12 000' });
      await addAction(page, 'Lasten ja nuorten mielenterveys', { title: 'Koulukuraattorien matalan kynnyksen vastaanotto', sector: 'education', person: 'Sivistysjohtaja', euros: '30 000', tags: ['children_youth'] });
      await addAction(page, 'Työllisyys paranee', { title: 'Kesätyöseteli', sector: 'youth', person: 'Nuorisosihteeri', euros: '5 000', tags: ['children_youth'] });

      // Follow-up indicators with baselines from the data (2008).
      const goalIds = await page.locator('#fu-goal option').evaluateAll((os) => os.map((o) => o.value));
      assert.equal(goalIds.length, 3);
      await addFollowUp(page, goalIds[0], EMPLOYED, '42');
      await addFollowUp(page, goalIds[1], UNEMPLOYED, '6');
      await addFollowUp(page, goalIds[2], CHILD_MENTAL, '3');
      const baselines = page.locator('table.plan-followups tbody tr');
      assert.equal(await baselines.count(), 3);
      const firstRow = await baselines.first().innerText();
      assert.match(firstRow, /40,3 \(2008\)/, `baseline from the data: ${firstRow}`);
      assert.match(firstRow, /tiedoista/);
      await shot(page, 'plan with goals, actions and follow-ups');

      // 2026 progress.
      const progress = [
        ['Työllisyyspalvelut nuorille aikuisille', 'done', 'Palvelu käynnistyi maaliskuussa.', '18 500'],
        ['Kuntouttava työtoiminta', 'partly_done', 'Ryhmä aloitti syksyllä.', '6 000'],
        ['Koulukuraattorien matalan kynnyksen vastaanotto', 'in_progress', 'Vastaanotto avattiin kahdessa koulussa.', '14 000'],
      ];
      for (const [title, status, narrative, used] of progress) {
        const row = page.locator('table.plan-actions tbody tr', { hasText: title });
        await row.locator('details summary').click();
        await row.locator('select[name=status]').selectOption(status);
        await row.locator('textarea[name=narrative]').fill(narrative);
        await row.locator('input[name=euros_used]').fill(used);
        await submit(page, row.locator('details button[type=submit]'));
        await page.locator('main [role=status]').first().waitFor();
      }
      assert.match(await page.locator('#plan-status-counts').innerText(), /Toteutunut: 1/);

      // The accountability view.
      await page.getByRole('link', { name: 'Toteutumisnäkymä' }).click();
      await page.locator('#accountability').waitFor();
      assert.equal(await page.locator('#accountability progress').count() >= 4, true);
      assert.match(await page.locator('#accountability').innerText(), /Palvelu käynnistyi maaliskuussa/);
      await shot(page, 'accountability view 2026');

      // The children and youth plan: only tagged items.
      await page.goto(`${reportUrl}/plan?tag=children_youth&year=2026`);
      assert.equal(await page.locator('main h1').innerText(), 'Lasten ja nuorten hyvinvointisuunnitelma');
      const shown = await page.locator('main').innerText();
      assert.match(shown, /Koulukuraattorien matalan kynnyksen vastaanotto/);
      assert.match(shown, /Kesätyöseteli/);
      assert.doesNotMatch(shown, /Kuntouttava työtoiminta/);
      assert.doesNotMatch(shown, /Työttömyys vähenee/);
      await shot(page, 'children and youth plan');

      // The download links answer with files.
      const csv = await page.request.get(`${reportUrl}/plan/table.csv?tag=children_youth`);
      assert.equal(csv.status(), 200);
      assert.match(await csv.text(), /Kesätyöseteli/);
      const xlsx = await page.request.get(`${reportUrl}/plan/progress.xlsx?year=2026`);
      assert.equal(xlsx.status(), 200);
      assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK');

      // The 2026 yearly report.
      await page.goto(`${reportUrl}/plan?year=2026`);
      await page.fill('#yearly-year', '2026');
      await Promise.all([
        page.waitForURL(/\/reports\/\d+$/, { timeout: 120_000 }),
        page.click('#yearly button[type=submit]'),
      ]);
      assert.notEqual(new URL(page.url()).pathname, reportUrl);
      const outline = await page.locator('main').innerText();
      assert.match(outline, /Vuosiraportti 2026/);
      assert.match(outline, /Hyvinvointisuunnitelman toteutuminen/);
      assert.match(outline, /Indikaattorien muutokset/);
      await shot(page, 'yearly report outline');
      await page.getByRole('link', { name: /Hyvinvointisuunnitelman toteutuminen/ }).first().click();
      const progressText = await page.locator('main').innerText();
      assert.match(progressText, /Työllisyyspalvelut nuorille aikuisille/);
      assert.match(progressText, /Palvelu käynnistyi maaliskuussa/);
      await shot(page, 'yearly report progress section');
      await page.goBack();
      await page.getByRole('link', { name: /Indikaattorien muutokset/ }).first().click();
      const changes = await page.locator('main').innerText();
      assert.match(changes, /Työttömät/);
      await shot(page, 'yearly report indicator changes');
      assertNoPageErrors(ctx);
    } catch (e) {
      await shot(page, 'failure').catch(() => {});
      throw e;
    } finally {
      await ctx.close();
    }
  });
});
