// schedules.mjs -- the dashboard's schedules section, in Debian's chromium
// against real processes (fleetsim with fast watches, fleetd without a
// token).
//
// A schedule made in the form from a job template (every watch, a move to
// where the fleet is) appears in the list, and its jobs appear in the
// jobs table live, one per watch, without a reload; its row's last firing
// follows them.  A template that is not JSON, or one POST /v1/jobs would
// refuse, is refused in the form with the path first and nothing is made.
// Pause shows "paused" and firing stops; Delete (confirmed) removes the
// row and the schedule.  No console errors.
import {
  step, assert, finish, finishOnUnhandled, startGame, waitFor, http, launch, openPage,
  unexpectedProblems, screenshot,
} from './harness.mjs';

let context = null;
finishOnUnhandled(() => context);
const { API, get } = await startGame(['--watch-ms', '700', '--seed', '23', '--worlds', '60',
  '--fleets', '20']);

let fleet = null;
await waitFor(async () => ((await get('/v1/fleets')).fleets || []).length > 0, 20000, 'the galaxy');
fleet = (await get('/v1/fleets')).fleets.filter((f) => f.mine && f.anchor && !f.job)
  .sort((a, b) => a.id - b.id)[0];
assert(fleet, 'no fleet of ours anchored');

context = await launch();
const page = await openPage(context, { width: 1280, height: 800 });
page.on('dialog', (d) => d.accept());
const status = () => page.textContent('#schedule-form .form-status');
const fill = async (name, job) => {
  await page.fill('#schedule-name', name);
  await page.fill('#schedule-count', '1');
  await page.selectOption('#schedule-unit', 'watches');
  await page.fill('#schedule-job', job);
  await page.click('#schedule-form button[type="submit"]');
};

await step('a template that is not JSON, or that a job would be refused for, makes nothing', async () => {
  await page.goto(`${API}/`);
  await page.locator('body[data-loaded="true"]').waitFor({ timeout: 15000 });
  page.rec.expected.push(/\/v1\/schedules$/); // the 422 provoked below
  await fill('bad', '{"fleet": ');
  await waitFor(async () => (await status()).startsWith('Job template: not JSON'), 5000, 'the JSON error');
  await fill('bad', JSON.stringify({ fleet: fleet.id, steps: [{ op: 'teleport' }] }));
  await waitFor(async () => (await status()).startsWith('job.steps[0].op: must be one of'), 5000,
    'the validator\'s message');
  assert((await get('/v1/schedules')).schedules.length === 0, 'a refused schedule was stored');
});

let sid = 0;
await step('a schedule made from a job template is listed, and its jobs appear live', async () => {
  await fill('tick', JSON.stringify({ fleet: fleet.id, name: 'tick job',
    steps: [{ op: 'move', to: fleet.anchor }] }));
  await waitFor(async () => {
    const m = /Schedule #(\d+) created/.exec(await status());
    return m ? (sid = Number(m[1])) : null;
  }, 5000, 'the schedule to be created');
  const row = page.locator(`#schedules tr[data-id="${sid}"]`);
  await row.waitFor({ timeout: 5000 });
  const cell = await row.locator('td').first().textContent();
  assert(cell === 'every watch', `every: "${cell}"`);
  // three firings, each a job: every one shows up in the jobs table
  // without a reload, and the row's last firing names the newest
  let ids = [];
  await waitFor(async () => {
    ids = (await get(`/v1/jobs?schedule=${sid}`)).jobs.map((j) => j.id);
    return ids.length >= 3;
  }, 20000, 'three jobs of the schedule');
  for (const id of ids) {
    await page.locator(`#jobs tr[data-job="${id}"]`).waitFor({ timeout: 10000 });
  }
  await waitFor(async () => {
    const s = (await get(`/v1/schedules/${sid}`));
    const cell = await row.locator('td').nth(1).textContent();
    return s.last_firing && s.last_firing.job && cell.includes(`#${s.last_firing.job}`) ? s : null;
  }, 10000, 'the row\'s last firing to follow');
  await screenshot(page, 'schedules-1280.png');
});

await step('pause shows paused and stops the firings; delete removes it', async () => {
  const row = page.locator(`#schedules tr[data-id="${sid}"]`);
  await row.locator('button[name="pause"]').click();
  await row.locator('.badge.state-paused').waitFor({ timeout: 5000 });
  const s = await get(`/v1/schedules/${sid}`);
  assert(s.paused === true, `not paused: ${JSON.stringify(s).slice(0, 200)}`);
  const n = (await get(`/v1/jobs?schedule=${sid}`)).jobs.length;
  await new Promise((r) => setTimeout(r, 2000));
  assert((await get(`/v1/jobs?schedule=${sid}`)).jobs.length === n, 'a paused schedule fired');
  await row.locator('button[name="delete"]').click();
  await row.waitFor({ state: 'detached', timeout: 5000 });
  const r = await http(API, 'GET', `/v1/schedules/${sid}`);
  assert(r.status === 404, `GET after delete: ${r.status}`);
});

await step('no console errors, failed requests or page errors', async () => {
  const p = unexpectedProblems(page);
  assert(p.length === 0, p.join('\n'));
});

await finish(context);
