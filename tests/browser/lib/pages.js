// The pages that the page-wide checks (accessibility, CSP) visit. `who` is null for a
// signed-out visitor or a key of cfg ('reader', 'admin'); `prepare` brings the page
// into a state worth checking; `status` is the expected HTTP status (default 200).
//
// Add a page: one line here; every page-wide check picks it up.
'use strict';

async function createToken(page) {
  await page.fill('#token-name', 'a11y');
  await page.click('main form[action="/account/tokens"] button[type=submit]');
  await page.locator('#new-token').waitFor();
}

async function failSignIn(page) {
  await page.fill('#email', 'nobody@example.test');
  await page.fill('#password', 'not-the-password');
  await page.click('main form button[type=submit]');
  await page.locator('#login-error').waitFor();
}

const PAGES = [
  // the main pages (issue 8)
  { name: 'front page', who: null, url: '/' },
  { name: 'login page', who: null, url: '/login' },
  { name: 'dashboard', who: 'reader', url: '/org/KUNTA:398' },
  { name: 'indicator explorer', who: 'reader', url: '/org/KUNTA:016/indicators' },
  { name: 'indicator page', who: 'reader', url: '/org/KUNTA:016/indicators/2328' },
  { name: 'API tokens page', who: 'reader', url: '/account/tokens', prepare: createToken },
  // the same templates in other states and languages, and the remaining pages
  { name: 'front page in Swedish', who: null, url: '/?lang=sv' },
  { name: 'login page with an error', who: null, url: '/login', prepare: failSignIn },
  { name: 'indicator page in English', who: null, url: '/org/KUNTA:016/indicators/2328?lang=en' },
  { name: 'indicator catalogue', who: null, url: '/indicators' },
  { name: 'password page', who: 'reader', url: '/account/password' },
  { name: 'error page (403)', who: 'reader', url: '/org/KUNTA:016', status: 403 },
  { name: 'error page (404)', who: null, url: '/no-such-page', status: 404 },
  { name: 'dashboard with users (admin)', who: 'admin', url: '/org/KUNTA:016' },
  { name: 'imports page (admin)', who: 'admin', url: '/admin/imports' },
  // report 1, made by run.sh through the JSON API (its fifth section has live charts)
  { name: 'reports of an organisation', who: 'admin', url: '/org/KUNTA:016/reports' },
  { name: 'report outline', who: 'admin', url: '/reports/1' },
  { name: 'report section with a live chart', who: 'admin', url: '/reports/1/sections/5' },
  { name: 'section history', who: 'admin', url: '/reports/1/sections/5/history' },
  { name: 'report indicator list', who: 'admin', url: '/reports/1/indicators' },
  { name: 'joys and concerns', who: 'admin', url: '/reports/1/observations' },
  { name: 'indicator appendix', who: 'admin', url: '/reports/1/appendix' },
  // the process (issue 6)
  { name: 'report phases', who: 'admin', url: '/reports/1/process' },
  { name: 'working group', who: 'admin', url: '/org/KUNTA:016/members' },
  { name: 'audit log', who: 'admin', url: '/org/KUNTA:016/audit' },
  { name: 'welfare-region overview', who: 'admin', url: '/org/HYVINVOINTIALUE:09/region' },
  { name: 'invitation link not valid', who: null, url: '/invite/0000', status: 404 },
  // the account lifecycle (issue 14)
  { name: 'sessions page', who: 'reader', url: '/account/sessions' },
  { name: 'sessions page in Swedish', who: 'reader', url: '/account/sessions?lang=sv' },
  { name: 'password-reset link not valid', who: null, url: '/reset/0000', status: 404 },
  // approval (issue 6): the tab of report 1 (a draft) and its version list
  { name: 'approval tab', who: 'admin', url: '/reports/1/approval' },
  { name: 'approval tab in Swedish', who: 'admin', url: '/reports/1/approval?lang=sv' },
  { name: 'version list', who: 'admin', url: '/reports/1/versions' },
  // the welfare plan (issue 5)
  { name: 'welfare plan', who: 'admin', url: '/reports/1/plan' },
  { name: 'children and youth plan view', who: 'admin', url: '/reports/1/plan?tag=children_youth' },
  { name: 'plan progress view', who: 'admin', url: '/reports/1/plan/progress?year=2025' },
  // HYTE coefficient and the welfare-region dialogue (issue 5)
  { name: 'HYTE coefficient', who: 'admin', url: '/org/KUNTA:016/hyte-coefficient' },
  { name: 'HYTE coefficient in Swedish', who: 'admin', url: '/org/KUNTA:016/hyte-coefficient?lang=sv' },
  { name: 'HYTE coefficient of a welfare region', who: 'admin', url: '/org/HYVINVOINTIALUE:09/hyte-coefficient' },
  { name: 'welfare-region dialogues', who: 'admin', url: '/org/KUNTA:016/dialogue' },
  { name: 'new welfare-region dialogue', who: 'admin', url: '/org/HYVINVOINTIALUE:09/dialogue/new' },
  // publication (issue 7): journeys_public.test.js publishes report 1 first
  { name: 'publication settings', who: 'admin', url: '/reports/1/publication' },
  { name: 'public archive', who: null, url: '/public/KUNTA:016' },
  { name: 'public report', who: null, url: '/public/KUNTA:016/reports/1' },
  { name: 'public report in Swedish', who: null, url: '/public/KUNTA:016/reports/1?lang=sv' },
  { name: 'embedded chart', who: null, url: '/embed/KUNTA:016/indicators/2328' },
];

// One browser context per kind of visitor, signed in once, shared by a test file.
function visitors(browser, { newContext, signIn, cfg }) {
  const contexts = {};
  return {
    async get(who) {
      const key = who || 'anonymous';
      if (!contexts[key]) {
        const ctx = await newContext(browser);
        if (who) {
          const page = await ctx.newPage();
          await signIn(page, cfg[who]);
          await page.close();
        }
        contexts[key] = ctx;
      }
      return contexts[key];
    },
    async closeAll() {
      for (const c of Object.values(contexts)) await c.close();
    },
  };
}

function label(p) {
  return `${p.name}: ${p.url}${p.who ? ` as ${p.who}` : ''}`;
}

module.exports = { PAGES, visitors, label };
