// groups.mjs -- group jobs in the dashboard, in Debian's chromium against
// real fleetsim and fleetd processes: a group of three fleets (POSTed with
// `fleets`) shows as one parent row with its children counted by state;
// its toggle unfolds the children under it; the parent's job view names
// the group and links each child; its Cancel button ends every child and
// the parent, live in the table (each row, and the counts) and in the API;
// a child's view links back to its parent.  No console errors.
import path from 'node:path';
import {
  FLEETD, FLEETSIM, SCRATCH, step, assert, finish, start, waitFor, http, launch, openPage,
  unexpectedProblems, screenshot, credentials, finishOnUnhandled,
} from './harness.mjs';

const { token: TOKEN, tokenFile, pwFile } = credentials();
let context = null;
finishOnUnhandled(() => context);

const sim = await start('fleetsim', FLEETSIM, ['--listen', '127.0.0.1:0', '--watch-ms', '1500',
  '--seed', '7', '--worlds', '200', '--fleets', '16']);
const fleetd = await start('fleetd', FLEETD, ['--listen', '127.0.0.1:0', '--db', path.join(SCRATCH, 'fleetd.db'),
  '--upstream', `http://127.0.0.1:${sim.port}/api/`, '--game', 'sim', '--username', 'demo',
  '--password-file', pwFile, '--api-token-file', tokenFile]);
const API = `http://127.0.0.1:${fleetd.port}`;
const get = async (p) => {
  const r = await http(API, 'GET', p, { token: TOKEN });
  assert(r.status === 200, `GET ${p}: ${r.status} ${r.text.slice(0, 200)}`);
  return r.json;
};

let fleets = [];
await step('fleetd has the galaxy', async () => {
  await waitFor(async () => {
    const r = await http(API, 'GET', '/v1/fleets', { token: TOKEN });
    fleets = r.status === 200 ? r.json.fleets.filter((f) => f.mine) : [];
    return fleets.length >= 3;
  }, 20000, 'three fleets of mine');
});

context = await launch();
const page = await openPage(context, { width: 1280, height: 800 });
page.rec.expected.push(/^401 GET .*\/v1\//, /\/v1\//);
const rowState = (id) => page.locator(`#jobs tr[data-job="${id}"]`)
  .getAttribute('data-state', { timeout: 1000 }).catch(() => null);

await step('the page loads with the token', async () => {
  await page.goto(`${API}/`);
  await page.locator('#token-dialog').waitFor({ state: 'visible', timeout: 10000 });
  await page.fill('#token-input', TOKEN);
  await page.click('#token-form button[type="submit"]');
  await page.locator('body[data-loaded="true"]').waitFor({ timeout: 15000 });
  // the 401s before the token are the point; from here on none is expected
  page.rec.expected.length = 0;
  page.rec.badResponses.length = 0;
  page.rec.console.length = 0;
});

let parent = null;
await step('a group shows as one parent row with its children counted by state', async () => {
  const r = await http(API, 'POST', '/v1/jobs', { token: TOKEN, body: {
    name: 'three pickets', fleets: fleets.slice(0, 3).map((f) => f.id),
    steps: [{ op: 'wait', seconds: 3600 }] } });
  assert(r.status === 201, `POST group: ${r.status} ${r.text}`);
  parent = r.json;
  const row = page.locator(`#jobs tr.group-parent[data-job="${parent.id}"]`);
  await row.waitFor({ timeout: 10000 });
  await waitFor(async () => /3 waiting/.test(await row.locator('.group-counts').textContent()),
    10000, 'the count of children by state');
  assert(/group of 3/.test(await row.textContent()), 'the parent row names the group');
  for (const id of parent.children)
    assert(await page.locator(`#jobs tr[data-job="${id}"]`).count() === 0, `child ${id} shown folded`);
});

await step('the toggle unfolds the children under their parent', async () => {
  await page.click(`#jobs tr[data-job="${parent.id}"] button[name="fold"]`);
  await waitFor(async () => (await page.locator('#jobs tr.group-child').count()) === 3, 5000, 'three child rows');
  const order = await page.locator('#jobs tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.job)));
  const at = order.indexOf(parent.id);
  assert(JSON.stringify(order.slice(at, at + 4)) === JSON.stringify([parent.id, ...parent.children]),
    `children follow their parent: ${order}`);
  const expanded = await page.getAttribute(`#jobs tr[data-job="${parent.id}"] button[name="fold"]`, 'aria-expanded');
  assert(expanded === 'true', `aria-expanded ${expanded}`);
});

await step('the parent\'s job view names the group and links each child', async () => {
  await page.click(`#jobs tr[data-job="${parent.id}"] button.link`);
  await page.locator('#job-view h2').filter({ hasText: `#${parent.id}` }).waitFor({ timeout: 5000 });
  assert(/Group of 3 fleets/.test(await page.textContent('#job-view')), 'the group is named');
  assert(await page.locator('#job-view .group-children li').count() === 3, 'three children listed');
  assert(/its children to end/.test(await page.textContent('#job-view .wait-text')), 'what it waits for');
});

await step('Cancel in the parent\'s view cancels every child and the parent, live', async () => {
  await page.click('#job-view button[name="cancel"]');
  await waitFor(async () => (await rowState(parent.id)) === 'cancelled', 10000, 'the parent cancelled in the table');
  for (const id of parent.children)
    await waitFor(async () => (await rowState(id)) === 'cancelled', 10000, `child ${id} cancelled in the table`);
  await waitFor(async () => /3 cancelled/.test(await page.textContent(`#jobs tr[data-job="${parent.id}"] .group-counts`)),
    10000, 'the counts say 3 cancelled');
  const p = await get(`/v1/jobs/${parent.id}`);
  assert(p.state === 'cancelled' && JSON.stringify(p.children_states) === '{"cancelled":3}',
    `API: ${p.state} ${JSON.stringify(p.children_states)}`);
  await waitFor(async () => (await page.locator('#job-view .group-children li[data-state="cancelled"]').count()) === 3,
    10000, 'the view lists three cancelled children');
  assert(await page.isDisabled('#job-view button[name="cancel"]'), 'cancel disabled once ended');
  await screenshot(page, 'group-cancelled.png');
});

await step('a child\'s view links back to its parent', async () => {
  await page.click(`#job-view .group-children li[data-child="${parent.children[1]}"] button`);
  await page.locator('#job-view h2').filter({ hasText: `#${parent.children[1]}` }).waitFor({ timeout: 5000 });
  await page.click('#job-view dd button:has-text("parent #")');
  await page.locator('#job-view h2').filter({ hasText: `#${parent.id}` }).waitFor({ timeout: 5000 });
});

await step('no console errors, page errors or unexpected failed requests', async () => {
  const p = unexpectedProblems(page);
  assert(p.length === 0, p.join('\n'));
});

await finish(context);
