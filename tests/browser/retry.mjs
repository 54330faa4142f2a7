// retry.mjs -- the job view's Retry button, in Debian's chromium against
// real processes (fleetsim with fast watches, fleetd without a token).
//
// A job renames its fleet, takes food from a world that has none and
// renames it again: the game refuses the transfer and the job fails at
// step 2.  Its view offers "Retry from failed step" (and no live control);
// a job that did not fail offers none.  With food stocked, a click makes a
// new job that the view then shows: "Retry of" names the failed job, the
// table lists it and it succeeds live, and its history starts at the
// failed step (the first rename is not sent again).  Following "Retry of"
// back, the failed job's history says what retried it, and it may be
// retried again.  No console errors.
import {
  step, assert, finish, finishOnUnhandled, startGame, waitFor, http, launch, openPage,
  unexpectedProblems, screenshot,
} from './harness.mjs';

const FOOD = 90;
let context = null;
finishOnUnhandled(() => context);
const { SIM, API, get } = await startGame(['--watch-ms', '600', '--seed', '17', '--worlds', '200',
  '--fleets', '60']);
const stock = async (world, qty) => {
  const r = await http(SIM, 'POST', '/sim/stock', { body: { object: world, resource: FOOD, quantity: qty } });
  assert(r.status === 200, `/sim/stock: ${r.status} ${r.text}`);
  await http(SIM, 'POST', '/sim/tick');
  await waitFor(async () => {
    const w = await get(`/v1/worlds/${world}`);
    const food = (w.resources || []).find((x) => x.id === FOOD);
    return (food ? food.qty : 0) === qty;
  }, 15000, `fleetd to see ${qty} food at ${world}`);
};
const ended = (id) => waitFor(async () => {
  const j = await get(`/v1/jobs/${id}`);
  return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : null;
}, 30000, `job ${id} to end`);

let fleet = 0, world = 0, failed = null;
await step('a job fails at its transfer (the world has no food)', async () => {
  await waitFor(async () => ((await get('/v1/fleets')).fleets || []).length > 0, 20000, 'the galaxy');
  const worlds = new Map();
  for (const w of (await get('/v1/worlds?limit=1000')).worlds) worlds.set(w.id, w);
  const fleets = (await get('/v1/fleets')).fleets;
  const me = fleets.find((y) => y.mine).sovereign;
  const f = fleets.filter((x) => x.mine && x.anchor && !x.job && worlds.get(x.anchor)
    && worlds.get(x.anchor).sovereign === me).sort((a, b) => a.id - b.id)[0];
  assert(f, 'no fleet of ours anchored at a world of ours');
  fleet = f.id;
  world = f.anchor;
  await stock(world, 0);
  const r = await http(API, 'POST', '/v1/jobs', { body: { name: 'stock up', fleet, steps: [
    { op: 'rename', name: 'Stocking' },
    { op: 'transfer', to: world, resources: [FOOD, 5] },
    { op: 'rename', name: 'Stocked' }] } });
  assert(r.status === 201, `submit: ${r.status} ${r.text}`);
  failed = await ended(r.json.id);
  assert(failed.state === 'failed' && failed.step === 1, `not failed at step 2: ${JSON.stringify(failed).slice(0, 300)}`);
});

context = await launch();
const page = await openPage(context, { width: 1280, height: 800 });
const retryButton = page.locator('#job-view button[name="retry"]');
const viewTitle = () => page.textContent('#job-view h2');

await step('a failed job\'s view offers Retry; a succeeded one does not', async () => {
  await page.goto(`${API}/`);
  await page.locator('body[data-loaded="true"]').waitFor({ timeout: 15000 });
  const ok = await http(API, 'POST', '/v1/jobs', { body: { fleet, steps: [{ op: 'rename', name: 'Fine' }] } });
  assert(ok.status === 201, `submit: ${ok.status}`);
  await ended(ok.json.id);
  await page.click(`#jobs tr[data-job="${ok.json.id}"] button`);
  await page.locator('#job-view h2').filter({ hasText: `#${ok.json.id}` }).waitFor({ timeout: 5000 });
  assert(await retryButton.isHidden(), 'a succeeded job offers Retry');
  await page.click(`#jobs tr[data-job="${failed.id}"] button`);
  await page.locator('#job-view h2').filter({ hasText: `#${failed.id}` }).waitFor({ timeout: 5000 });
  await retryButton.waitFor({ state: 'visible', timeout: 5000 });
  assert(await retryButton.isEnabled(), 'Retry is disabled on a failed job');
  assert(await page.locator('#job-view button[name="cancel"]').isDisabled(), 'Cancel enabled on a failed job');
});

let retried = 0;
await step('Retry makes a new job from the failed step, shown live until it succeeds', async () => {
  await stock(world, 50);
  const renames = (await http(SIM, 'GET', '/sim/stats')).json.applied.renameObject || 0;
  await retryButton.click();
  await waitFor(async () => {
    const m = /#(\d+)/.exec(await viewTitle());
    return m && Number(m[1]) !== failed.id ? (retried = Number(m[1])) : null;
  }, 10000, 'the view to show the new job');
  const link = page.locator('#job-view .retry-of');
  assert((await link.textContent()) === `job #${failed.id}`, `Retry of shows "${await link.textContent()}"`);
  await waitFor(async () => (await page.locator(`#jobs tr[data-job="${retried}"]`)
    .getAttribute('data-state', { timeout: 1000 }).catch(() => null)) === 'succeeded', 20000, 'succeeded in the table');
  await waitFor(async () => (await page.textContent('#job-view .history'))
    .includes(`retry of job #${failed.id}: starts at step 2`), 5000, 'the retry\'s job.created');
  const j = await get(`/v1/jobs/${retried}`);
  assert(j.retry_of === failed.id && j.state === 'succeeded', `the new job: ${JSON.stringify(j).slice(0, 300)}`);
  const ev = (await get(`/v1/jobs/${retried}/events?limit=1000`)).events;
  const started = ev.filter((e) => e.type === 'job.step_started').map((e) => e.data.step);
  assert(JSON.stringify(started) === '[1,2]', `the retry ran steps ${started}`);
  const after = (await http(SIM, 'GET', '/sim/stats')).json.applied.renameObject || 0;
  assert(after === renames + 1, `renames sent: ${after - renames} (the first step ran again?)`);
  await screenshot(page, 'retry-1280.png');
});

await step('"Retry of" leads back to the failed job, whose history names its retry', async () => {
  await page.click('#job-view .retry-of');
  await page.locator('#job-view h2').filter({ hasText: `#${failed.id}` }).waitFor({ timeout: 5000 });
  await waitFor(async () => (await page.textContent('#job-view .history')).includes(`retried as job #${retried}`),
    5000, 'job.retried in the history');
  await retryButton.waitFor({ state: 'visible', timeout: 5000 });
  assert(await retryButton.isEnabled(), 'a failed job may be retried again');
});

await step('no console errors, failed requests or page errors', async () => {
  const p = unexpectedProblems(page);
  assert(p.length === 0, p.join('\n'));
});

await finish(context);
