// dashboard.mjs -- the dashboard in Debian's chromium, against real
// processes: fleetsim (fast watches), fleetd with an API token and
// --cors-origin, and python's http.server serving web/ as a second origin.
//
// It checks what a person would: the page asks for the token, then shows
// as many worlds and fleets as the API lists; a bad job shows fleetd's
// message with its path beside the field; a good one appears at once and
// reaches `succeeded` live while its fleet moves; pause / resume / cancel
// from the buttons; after fleetd restarts the page reconnects by itself
// (Last-Event-ID) and shows the events it missed; a world's panel lists its
// designation, industries and trade routes and the map draws the route; a
// world job built in the form (a bad percent named beside its field, then a
// designation) shows the new designation live; the queues panel shows a
// taker waiting, then the item it takes and uses up, live; a trigger made
// in the triggers panel from its event's template fires when the game
// moves its fleet, and its row shows the job (opened from there), then
// pause and delete; the same from another origin; both viewport sizes;
// labels and visible focus; no console
// errors.  Screenshots are saved (paths printed); the map's frame time for
// 5,000 worlds is measured and printed (not asserted: speed is a figure).
import fs from 'node:fs';
import path from 'node:path';
import {
  TOP, FLEETD, FLEETSIM, SCRATCH, ARTIFACTS, log, step, assert, finish, start, stop, waitFor,
  http, launch, openPage, unexpectedProblems, screenshot,
} from './harness.mjs';

const WEB = path.join(TOP, 'web');
const TOKEN = `tok-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const tokenFile = path.join(SCRATCH, 'token');
const pwFile = path.join(SCRATCH, 'password');
const db = path.join(SCRATCH, 'fleetd.db');
fs.writeFileSync(tokenFile, `${TOKEN}\n`);
fs.writeFileSync(pwFile, 'demo\n');

let context = null;
process.on('unhandledRejection', async (e) => {
  console.log(`not ok - unhandled: ${e && e.stack || e}`);
  await finish(context);
});

// ------------------------------------------------------------ processes
const web2 = await start('static', 'python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', WEB],
  { portRe: /port (\d+)/ });
const ORIGIN2 = `http://127.0.0.1:${web2.port}`;
const sim = await start('fleetsim', FLEETSIM, ['--listen', '127.0.0.1:0', '--watch-ms', '1500',
  '--seed', '7', '--worlds', '400', '--fleets', '12']);
const fleetdArgs = (listen) => ['--listen', listen, '--db', db,
  '--upstream', `http://127.0.0.1:${sim.port}/api/`, '--game', 'sim',
  '--username', 'demo', '--password-file', pwFile,
  '--api-token-file', tokenFile, '--cors-origin', ORIGIN2, '--log-level', 'debug'];
let fleetd = await start('fleetd', FLEETD, fleetdArgs('127.0.0.1:0'));
const API = `http://127.0.0.1:${fleetd.port}`;
const get = async (p) => {
  const r = await http(API, 'GET', p, { token: TOKEN });
  assert(r.status === 200, `GET ${p}: ${r.status} ${r.text.slice(0, 200)}`);
  return r.json;
};
const items = (page, key) => (Array.isArray(page) ? page : page[key] || page.items || []);
async function listAll(p, key) {
  const out = [];
  let next = p;
  for (let i = 0; next && i < 1000; i++) {
    const page = await get(next);
    const got = items(page, key);
    out.push(...got);
    const cursor = Array.isArray(page) ? null : (page.next_cursor ?? page.next ?? page.cursor);
    if (!cursor || !got.length) break;
    next = typeof cursor === 'string' && cursor.startsWith('/') ? cursor
      : `${p}${p.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
  }
  return out;
}

await step('fleetd mirrors fleetsim (upstream connected)', async () => {
  await waitFor(async () => {
    const h = await http(API, 'GET', '/healthz');
    const up = h.json && (typeof h.json.upstream === 'object' ? h.json.upstream.state : h.json.upstream);
    return up === 'connected' && h.json.watch !== null && h.json.watch !== undefined;
  }, 20000, 'upstream connected');
});

context = await launch();

// ------------------------------------------------- helpers on the page
// A link's ?api= base is used only once the user confirms it.
async function confirmLink(page, base) {
  await page.locator('#link-dialog').waitFor({ state: 'visible', timeout: 10000 });
  const shown = await page.textContent('#link-api');
  assert(shown === base, `the link dialog shows "${shown}", not ${base}`);
  await page.click('#link-form button[type="submit"]');
}
async function giveToken(page) {
  await page.locator('#token-dialog').waitFor({ state: 'visible', timeout: 10000 });
  await page.fill('#token-input', TOKEN);
  await page.click('#token-form button[type="submit"]');
  await page.locator('body[data-loaded="true"]').waitFor({ timeout: 15000 });
}
const pageState = (page) => page.evaluate(() => {
  const s = window.fleetdDashboard.state;
  return {
    worlds: s.worlds.length, fleets: s.fleets.length, player: s.player,
    fleetList: s.fleets.map((f) => ({ id: f.id, x: f.x, y: f.y, anchor: f.anchor, job: f.job, dest: f.dest })),
  };
});
const rowState = (page, id) => page.locator(`#jobs tr[data-job="${id}"]`).getAttribute('data-state', { timeout: 1000 }).catch(() => null);
const jobState = async (id) => (await get(`/v1/jobs/${id}`)).state;
const noProblems = (page, what) => {
  const p = unexpectedProblems(page);
  assert(p.length === 0, `${what}:\n${p.join('\n')}`);
};

// --------------------------------------------- same origin, 1280x800
const page = await openPage(context, { width: 1280, height: 800 });
// Requests that answer 401 before the token is given are the point.
page.rec.expected.push(/^401 GET .*\/v1\//, /\/v1\//);
let apiWorlds = [], apiFleets = [];

await step('the page asks for the token (401), then loads', async () => {
  await page.goto(`${API}/`);
  assert(page.url() === `${API}/web/`, `/ should lead to /web/, got ${page.url()}`);
  await giveToken(page);
  assert(page.rec.badResponses.some((r) => r.startsWith('401 ')), 'no 401 was seen before the prompt');
  page.rec.expected.length = 0;
  page.rec.badResponses.length = 0;
  page.rec.console.length = 0;
  await page.evaluate(() => { window.__noReload = 'still here'; });
});

await step('header shows upstream, watch and job counts from /healthz', async () => {
  const h = (await http(API, 'GET', '/healthz')).json;
  const up = typeof h.upstream === 'object' ? h.upstream.state : h.upstream;
  await waitFor(async () => (await page.textContent('#h-upstream')) === up, 5000, 'upstream badge');
  const watch = await page.textContent('#h-watch');
  assert(/^\d+(\.\d+)?$/.test(watch), `watch shown as "${watch}"`);
  await waitFor(async () => (await page.textContent('#h-stream')) === 'live', 5000, 'event stream live');
  // the next watch arrives as an event and the header follows, no reload
  await waitFor(async () => Number(await page.textContent('#h-watch')) > Number(watch), 15000, 'the watch to advance live');
  const counts = await page.textContent('#h-jobs');
  assert(counts === 'none', `job counts "${counts}" before any job`);
});

await step('map and fleets table show as many worlds and fleets as the API lists', async () => {
  apiWorlds = await listAll('/v1/worlds', 'worlds');
  apiFleets = await listAll('/v1/fleets', 'fleets');
  assert(apiWorlds.length > 50, `API lists only ${apiWorlds.length} worlds`);
  assert(apiFleets.length > 0, 'API lists no fleets');
  const s = await pageState(page);
  assert(s.worlds === apiWorlds.length, `page has ${s.worlds} worlds, API ${apiWorlds.length}`);
  assert(s.fleets === apiFleets.length, `page has ${s.fleets} fleets, API ${apiFleets.length}`);
  const rows = await page.locator('#fleets tbody tr').count();
  assert(rows === apiFleets.length, `fleets table has ${rows} rows, API ${apiFleets.length}`);
  const counts = await page.textContent('#map-counts');
  assert(counts.includes(`${apiWorlds.length} worlds`), `map counts: ${counts}`);
  // the canvas really has something drawn on it: sample its pixels
  const lit = await page.evaluate(() => {
    const c = document.querySelector('#map');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 150) n++;
    return n;
  });
  assert(lit > apiWorlds.length, `only ${lit} lit pixels on the map`);
});

await step('the token is in sessionStorage only: not in the URL, localStorage or fleetd log', async () => {
  const where = await page.evaluate((t) => ({
    session: Object.values(sessionStorage).includes(t),
    local: Object.values(localStorage).some((v) => v.includes(t)),
    url: location.href.includes(t),
  }), TOKEN);
  assert(where.session && !where.local && !where.url, JSON.stringify(where));
  assert(!fs.readFileSync(fleetd.logPath, 'utf8').includes(TOKEN), 'the token is in fleetd\'s log');
});

// a fleet anchored at a world, with no job, and the nearest other world
function pickMove(fleets, worlds, exclude = []) {
  const f = fleets.find((x) => x.anchor && !x.job && !exclude.includes(x.id));
  assert(f, 'no idle anchored fleet to move');
  const at = worlds.find((w) => w.id === f.anchor);
  let best = null, bd = Infinity;
  for (const w of worlds) {
    if (w.id === f.anchor) continue;
    const d = (w.x - at.x) ** 2 + (w.y - at.y) ** 2;
    if (d < bd) { bd = d; best = w; }
  }
  return { fleet: f, to: best };
}

await step('a click on a fleet marker or a world opens its details and its job', async () => {
  const s = await pageState(page);
  const f = s.fleetList[0];
  await page.evaluate((id) => {
    const d = window.fleetdDashboard;
    const fl = d.state.fleetById.get(id);
    d.map.centreOn(fl.x, fl.y);
    d.map.draw();
  }, f.id);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('#details').waitFor({ state: 'visible', timeout: 3000 });
  const title = await page.textContent('#details-title');
  assert(title.includes(`#${f.id}`), `details title "${title}" for fleet ${f.id}`);
  const body = await page.textContent('#details-body');
  assert(/Job/.test(body), `no job line in the details: ${body}`);
  // a world with no fleet near it: its details, sovereign and jobs
  const w = await page.evaluate(() => {
    const d = window.fleetdDashboard;
    const far = (w) => Math.min(...d.state.fleets.map((f) => Math.hypot(f.x - w.x, f.y - w.y)));
    const wd = d.state.worlds.reduce((a, b) => (far(b) > far(a) ? b : a));
    d.map.centreOn(wd.x, wd.y);
    d.map.draw();
    return { id: wd.id };
  });
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await waitFor(async () => (await page.textContent('#details-title')).includes(`World`), 3000, 'world details');
  const wt = await page.textContent('#details-title');
  assert(wt.includes(`#${w.id}`), `details title "${wt}" for world ${w.id}`);
  const wb = await page.textContent('#details-body');
  assert(/Sovereign/.test(wb) && /Jobs/.test(wb), `world details: ${wb}`);
});

let moved = null;
await step('a malformed job shows fleetd\'s message with its path beside the field', async () => {
  const s = await pageState(page);
  moved = pickMove(s.fleetList, await page.evaluate(() => window.fleetdDashboard.state.worlds.map((w) => ({ id: w.id, x: w.x, y: w.y }))));
  page.rec.expected.push(/^4(00|22) POST .*\/v1\/jobs$/, /\/v1\/jobs$/);
  await page.selectOption('#job-fleet', String(moved.fleet.id));
  await page.fill('#job-name', 'browser move');
  await page.selectOption('#job-op', 'wait');
  await page.click('button[name="add-step"]');
  await page.fill('[data-path="steps[0].seconds"]', '1');
  await page.selectOption('#job-op', 'move');
  await page.click('button[name="add-step"]');
  await page.fill('[data-path="steps[1].to"]', 'nowhere');
  await page.click('#job-form button[type="submit"]');
  const err = page.locator('[data-path="steps[1].to"] + .field-error');
  await err.waitFor({ timeout: 5000 });
  const text = await err.textContent();
  assert(text.startsWith('steps[1].to:'), `error beside steps[1].to says "${text}"`);
  assert(await page.getAttribute('[data-path="steps[1].to"]', 'aria-invalid') === 'true', 'field not marked invalid');
  assert(page.rec.badResponses.some((r) => /^4(00|22) POST/.test(r)), `fleetd did not refuse the job: ${page.rec.badResponses}`);
});

let goodJob = 0;
await step('a good job appears at once and reaches succeeded live while its fleet moves', async () => {
  await page.fill('[data-path="steps[1].to"]', String(moved.to.id));
  await page.click('#job-form button[type="submit"]');
  await waitFor(async () => /Job #\d+ created/.test(await page.textContent('.form-status')), 5000, 'created');
  goodJob = Number(/#(\d+)/.exec(await page.textContent('.form-status'))[1]);
  await page.locator(`#jobs tr[data-job="${goodJob}"]`).waitFor({ timeout: 2000 });
  const seen = new Set();
  await waitFor(async () => {
    const st = await rowState(page, goodJob);
    if (st) seen.add(st);
    return st === 'succeeded';
  }, 60000, `job ${goodJob} succeeded in the table`).catch((e) => {
    throw new Error(`${e.message} (states seen: ${[...seen]})`);
  });
  const fleetNow = () => page.evaluate((id) => {
    const fl = window.fleetdDashboard.state.fleetById.get(id);
    return { x: fl.x, y: fl.y, anchor: fl.anchor };
  }, moved.fleet.id);
  let f = null;
  await waitFor(async () => (f = await fleetNow()).anchor === moved.to.id, 10000,
    `fleet ${moved.fleet.id} shown anchored at ${moved.to.id}`).catch((e) => {
    throw new Error(`${e.message} (shown: ${JSON.stringify(f)})`);
  });
  assert(f.x !== moved.fleet.x || f.y !== moved.fleet.y, 'the fleet marker did not move');
  assert(await page.evaluate(() => window.__noReload) === 'still here', 'the page reloaded');
  const evs = await page.locator(`#event-log li`).allTextContents();
  assert(evs.some((t) => t.includes(`job #${goodJob}`)), 'no live event about the job in the log');
  assert((await jobState(goodJob)) === 'succeeded', 'API disagrees');
  await waitFor(async () => /\b1 succeeded\b/.test(await page.textContent('#h-jobs')), 5000,
    'the header to count the succeeded job');
});

let longJob = 0;
await step('pause, resume and cancel from the job view buttons', async () => {
  const s = await pageState(page);
  const f = s.fleetList.find((x) => x.id !== moved.fleet.id && !x.job);
  assert(f, 'no second idle fleet');
  await page.selectOption('#job-fleet', String(f.id));
  await page.fill('#job-name', 'long wait');
  // drop the two steps of the last job, add one long wait
  while (await page.locator('.step-list .remove').count()) await page.click('.step-list .remove >> nth=0');
  await page.selectOption('#job-op', 'wait');
  await page.click('button[name="add-step"]');
  await page.fill('[data-path="steps[0].seconds"]', '3600');
  await page.click('#job-form button[type="submit"]');
  await waitFor(async () => /Job #\d+ created/.test(await page.textContent('.form-status')), 5000, 'created');
  longJob = Number(/#(\d+)/.exec(await page.textContent('.form-status'))[1]);
  await page.locator('#job-view h2').filter({ hasText: `#${longJob}` }).waitFor({ timeout: 5000 });
  await waitFor(async () => ['waiting', 'running', 'queued'].includes(await rowState(page, longJob)), 10000, 'job live');
  await page.click('#job-view button[name="pause"]');
  await waitFor(async () => (await rowState(page, longJob)) === 'paused', 10000, 'paused in table');
  assert((await jobState(longJob)) === 'paused', 'API not paused');
  await page.click('#job-view button[name="resume"]');
  await waitFor(async () => ['waiting', 'running', 'queued'].includes(await rowState(page, longJob)), 10000, 'resumed in table');
  await page.click('#job-view button[name="cancel"]');
  await waitFor(async () => (await rowState(page, longJob)) === 'cancelled', 10000, 'cancelled in table');
  assert((await jobState(longJob)) === 'cancelled', 'API not cancelled');
  const hist = await page.locator('#job-view .history tbody tr').count();
  assert(hist >= 3, `job view history has ${hist} events`);
});

await step('state filter shows only jobs in that state', async () => {
  await page.selectOption('#state-filter', 'cancelled');
  await waitFor(async () => {
    const states = await page.locator('#jobs tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.state));
    return states.length > 0 && states.every((x) => x === 'cancelled');
  }, 5000, 'filtered rows');
  await page.selectOption('#state-filter', '');
  await waitFor(async () => (await page.locator(`#jobs tr[data-job="${goodJob}"]`).count()) === 1, 5000, 'all rows back');
});

// ------------------------------------------------------- reactive jobs
// One job of each kind, built with the form and checked in the rendered
// job view: a loop whose wait and whose `until` name a world's stock (the
// words, then met once fleetsim's test route sets the stock), a step whose
// `if` is false (skipped), and a move to the nearest trading hub (resolved).
const SIM = `http://127.0.0.1:${sim.port}`;
const idleFleets = async () => {
  const busy = new Set((await listAll('/v1/jobs', 'jobs'))
    .filter((j) => ['queued', 'running', 'waiting', 'paused'].includes(j.state)).map((j) => j.fleet));
  return (await listAll('/v1/fleets', 'fleets')).filter((f) => f.mine && f.anchor && !busy.has(f.id) && f.id !== moved.fleet.id);
};
async function freshForm(fleetId, name) {
  while (await page.locator('.step-list .remove').count()) await page.click('.step-list .remove >> nth=0');
  const until = page.locator('.until-slot .cond-toggle');
  if (await until.isChecked()) await until.uncheck();
  await page.selectOption('#job-fleet', String(fleetId));
  await page.fill('#job-name', name);
  if (await page.isChecked('#job-repeat')) await page.uncheck('#job-repeat');
}
// Sets the condition editor in `scope` to the atom `world W: stock of R at least N`.
async function stockAtom(scope, label, world, resource, n) {
  const by = (l) => scope.getByLabel(`${label}: ${l}`, { exact: true });
  await by('subject').selectOption('world');
  await by('world id').fill(String(world));
  await by('test').selectOption('stock');
  await by('resource').fill(String(resource));
  await by('bound').selectOption('at_least');
  await by('count').fill(String(n));
}
async function submitted() {
  await page.click('#job-form button[type="submit"]');
  await waitFor(async () => /Job #\d+ created/.test(await page.textContent('.form-status')), 5000, 'created');
  const id = Number(/#(\d+)/.exec(await page.textContent('.form-status'))[1]);
  await page.locator('#job-view h2').filter({ hasText: `#${id}` }).waitFor({ timeout: 5000 });
  return id;
}
async function shot(locator, name) {
  const file = path.join(ARTIFACTS, name);
  await locator.screenshot({ path: file });
  log(`screenshot: ${file}`);
}
const apiEvents = async (id) => items(await get(`/v1/jobs/${id}/events?limit=1000`), 'events');

await step('reactive: cond.js words a condition as fleetd\'s cond_describe does (test_cond.c)', async () => {
  const got = await page.evaluate(async () => {
    const { describeCond } = await import(new URL('cond.js', document.baseURI).href);
    return describeCond({ any: [{ world: 1000, stock: { resource: 130, at_least: 40000 } },
      { not: { fleet: '$self', moving: true } }, { fleet: 5, at: '$here' },
      { world: 7, foreign_fleets: { below: 1 } }, { world: 7, battle: false }] });
  });
  const want = 'any of (world 1000: stock of 130 at least 40,000; not (fleet $self: moving); '
    + 'fleet 5: at world $here; world 7: foreign fleets below 1; world 7: not a battle on)';
  assert(got === want, `describeCond: "${got}"`);
});

await step('reactive: until and a wait until, in words; a bad world id beside its field; until met', async () => {
  const [f] = await idleFleets();
  assert(f, 'no idle fleet');
  const W = f.anchor, ORE = 130;
  const sim1 = await http(SIM, 'POST', '/sim/stock', { body: { object: W, resource: ORE, quantity: 1000 } });
  assert(sim1.status === 200, `/sim/stock: ${sim1.status} ${sim1.text}`);
  await freshForm(f.id, 'haul until ore');
  await page.check('#job-repeat');
  const untilSlot = page.locator('.until-slot');
  await untilSlot.getByLabel('Until a condition holds', { exact: false }).check();
  await stockAtom(untilSlot, 'until', 99999999, ORE, 40000);
  await page.selectOption('#job-op', 'wait');
  await page.click('button[name="add-step"]');
  const s0 = page.locator('fieldset[data-path="steps[0]"]');
  await page.fill('[data-path="steps[0].seconds"]', '');
  await s0.getByLabel('or until a condition holds').check();
  await stockAtom(s0, 'until', W, ORE, 40000);
  const words = `world ${W}: stock of ${ORE} at least 40,000`;
  assert((await s0.locator('.cond-words').first().textContent()) === `until ${words}`, 'the form does not put the wait\'s condition in words');
  // fleetd refuses the unknown world: its message beside the until's world id
  await page.click('#job-form button[type="submit"]');
  const err = page.locator('[data-path="until.world"] + .field-error');
  await err.waitFor({ timeout: 5000 });
  const text = await err.textContent();
  assert(text.startsWith('until.world:'), `error beside until.world says "${text}"`);
  await untilSlot.getByLabel('until: world id', { exact: true }).fill(String(W));
  await shot(page.locator('#new-job'), 'dashboard-reactive-form.png');
  const id = await submitted();
  const spec = (await apiEvents(id)).find((e) => e.type === 'job.created').data.spec;
  const u = spec.until;
  assert(u && u.world === W && u.stock && u.stock.resource === ORE && u.stock.at_least === 40000 && Object.keys(u).length === 2,
    `until sent: ${JSON.stringify(u)}`);
  assert(spec.repeat === true && spec.steps[0].until && spec.steps[0].seconds === undefined, `steps sent: ${JSON.stringify(spec.steps)}`);
  await waitFor(async () => (await page.locator('#job-view .wait-text').textContent({ timeout: 500 }).catch(() => '')) === words,
    15000, `"Waiting for ${words}" in the job view`);
  const w = (await get(`/v1/jobs/${id}`)).wait;
  assert(w && w.kind === 'cond', `API wait: ${JSON.stringify(w)}`);
  assert((await page.textContent('#job-view .until-text')).startsWith(words), 'the job\'s until not in words');
  assert((await page.textContent(`#jobs tr[data-job="${id}"]`)).includes(`on ${words}`), 'jobs table does not say what it waits for');
  const sim2 = await http(SIM, 'POST', '/sim/stock', { body: { object: W, resource: ORE, quantity: 40000 } });
  assert(sim2.status === 200, `/sim/stock: ${sim2.status} ${sim2.text}`);
  await waitFor(async () => (await rowState(page, id)) === 'succeeded', 30000, 'the loop to end succeeded');
  await waitFor(async () => /met before pass 2/.test(await page.textContent('#job-view .until-text')), 5000, 'until shown met');
  const hist = await page.locator('#job-view .history tbody').textContent();
  assert(hist.includes('job.until_met') && hist.includes('until held before pass 2'), 'history does not show until_met in words');
  assert((await apiEvents(id)).some((e) => e.type === 'job.until_met'), 'API has no job.until_met');
});

await step('reactive: a step whose if is false is skipped, and the job view says so', async () => {
  const [f] = await idleFleets();
  assert(f, 'no idle fleet');
  await freshForm(f.id, 'attack unless busy');
  await page.selectOption('#job-op', 'wait');
  await page.click('button[name="add-step"]');
  await page.fill('[data-path="steps[0].seconds"]', '1');
  const s0 = page.locator('fieldset[data-path="steps[0]"]');
  await s0.getByLabel('only if a condition holds', { exact: false }).check();
  const by = (l) => s0.getByLabel(`if: ${l}`, { exact: true });
  await by('subject').selectOption('world');
  await by('world id').fill('$here');
  await by('test').selectOption('battle');
  await by('holds').selectOption('true');
  await page.selectOption('#job-op', 'wait');
  await page.click('button[name="add-step"]');
  await page.fill('[data-path="steps[1].seconds"]', '1');
  const id = await submitted();
  await waitFor(async () => (await rowState(page, id)) === 'succeeded', 30000, 'job succeeded');
  const li = page.locator('#job-view ol.steps li[data-step="0"]');
  await waitFor(async () => (await li.getAttribute('data-skipped', { timeout: 500 }).catch(() => null)) === 'true', 5000, 'step 1 shown skipped');
  const t = await li.textContent();
  assert(t.includes('only if world $here: a battle on') && /skipped\s+its if was false/.test(t), `step 1 reads "${t}"`);
  assert(await page.locator('#job-view ol.steps li[data-step="1"][data-skipped]').count() === 0, 'step 2 shown skipped');
  const hist = await page.locator('#job-view .history tbody').textContent();
  assert(hist.includes('step 1 (wait) skipped: its if was false'), 'history does not show the skip in words');
  const sk = (await apiEvents(id)).filter((e) => e.type === 'job.step_skipped');
  assert(sk.length === 1 && sk[0].data.step === 0 && sk[0].data.value === false, `API skips: ${JSON.stringify(sk)}`);
});

await step('reactive: a move to the nearest trading hub shows the hub it resolved to', async () => {
  const [f] = await idleFleets();
  assert(f, 'no idle fleet');
  await freshForm(f.id, 'to the nearest hub');
  await page.selectOption('#job-op', 'move');
  await page.click('button[name="add-step"]');
  const s0 = page.locator('fieldset[data-path="steps[0]"]');
  await s0.getByLabel('to: pick', { exact: true }).selectOption('nearest');
  await s0.getByLabel('to: trading hub', { exact: true }).selectOption('true');
  assert((await s0.locator('fieldset.nearest .cond-words').textContent()) === 'nearest world (trading hub)', 'filter not in words');
  const id = await submitted();
  const li = page.locator('#job-view ol.steps li[data-step="0"]');
  await waitFor(async () => (await li.getAttribute('data-resolved', { timeout: 500 }).catch(() => null)) === 'true', 15000, 'step 1 shown resolved');
  const res = (await apiEvents(id)).find((e) => e.type === 'job.resolved');
  assert(res, 'API has no job.resolved');
  const hub = res.data.args.to;
  // the hub is the trading world nearest to the fleet (ties: the lower id)
  const at = apiWorlds.find((x) => x.id === f.anchor).position;
  const d = (x) => Math.hypot(x.position.x - at.x, x.position.y - at.y);
  const want = apiWorlds.filter((x) => x.trading).sort((a, b) => d(a) - d(b) || a.id - b.id)[0];
  assert(hub === want.id, `resolved to ${hub}, nearest trading hub is ${want.id}`);
  const t = await li.textContent();
  assert(t.includes('move to nearest world (trading hub)') && t.includes(`resolved: to ${want.name} #${hub}`), `step 1 reads "${t}"`);
  const hist = await page.locator('#job-view .history tbody').textContent();
  assert(hist.includes(`step 1 (move) resolved: to ${want.name} #${hub}`), 'history does not show the resolved hub in words');
  await shot(page.locator('#job-view'), 'dashboard-reactive-job.png');
  await freshForm(f.id, '');
});

// --------------------------------------------------------- world jobs
// The world panel (designation, improvements, industries, trade routes
// listed and drawn on the map), a world job built with the form (fleetd's
// message beside a world op's field), and a designation changed from the
// form showing up live in the panel.
const TRADE_SELECTED = [0x69, 0xf0, 0xae];   // map.js TRADE_SELECTED_RGB
const DESIGNATE_AGRI = 155, UNASSIGNED = 33;
let worldA = null, worldB = null, worldW = null;

// Centres the map on a world and zooms in until the map's own hit-test
// (map.js hit(): a fleet marker within reach wins over a world) gives the
// world at the centre: its on-screen point, or null while a fleet sits on
// it (no zoom separates them; the caller waits for the fleet to move on).
const WORLD_ZOOMS = [8, 32, 128, 512];
async function isolateWorld(id) {
  return page.evaluate(([wid, zooms]) => {
    const m = window.fleetdDashboard.map;
    const w = m.worldById.get(wid);
    for (const z of zooms) {
      m.view.scale = z;
      m.centreOn(w.x, w.y);
      m.draw();
      const [sx, sy] = m.toScreen(w.x, w.y);
      const hit = m.hit(sx, sy);
      if (hit && hit.kind === 'world' && hit.id === wid) return { sx, sy };
    }
    return null;
  }, [id, WORLD_ZOOMS]);
}

// What the map would select at its centre, and what it has selected, for
// a failure's message.
const mapWhy = () => page.evaluate(() => {
  const m = window.fleetdDashboard.map;
  const { w, h } = m.size();
  return JSON.stringify({ hit: m.hit(w / 2, h / 2), sel: m.selected, view: m.view,
    title: document.querySelector('#details-title').textContent });
});

// Waits until act() -- a click or a key at the isolated world -- has the
// map select world id.  A fleet that moves onto the world between the
// hit-test and the act leaves it unselected (the map is live): the act is
// made again, at the world's marker, once the map's hit-test gives the
// world there again.
async function selectOnMap(id, act, what) {
  await page.locator('#map').scrollIntoViewIfNeeded();
  await waitFor(async () => {
    const at = await isolateWorld(id);
    if (!at) return false;
    await act(at);
    const sel = await page.evaluate(() => window.fleetdDashboard.map.selected);
    return sel && sel.kind === 'world' && sel.id === id;
  }, 15000, what).catch(async (e) => { throw new Error(`${e.message}: ${await mapWhy()}`); });
  await waitFor(async () => (await page.textContent('#details-title')).endsWith(`#${id}`), 3000, `world ${id}'s panel`)
    .catch(async (e) => { throw new Error(`${e.message}: ${await mapWhy()}`); });
}

// Clicks a world's marker on the map (a click, as a person would).
async function clickWorld(id) {
  await selectOnMap(id, async (at) => {
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + at.sx, box.y + at.sy);
  }, `a click on world ${id}'s marker to select it`);
}
const designationShown = () => page.locator('#details-body dd[data-fact="designation"]').textContent({ timeout: 500 }).catch(() => '');

await step('world panel: designation, improvements, industries with allocations; a trade route listed and drawn on the map', async () => {
  const busyWorlds = new Set((await listAll('/v1/jobs', 'jobs')).filter((j) => j.world).map((j) => j.world));
  const d = (a, b) => Math.hypot(a.position.x - b.position.x, a.position.y - b.position.y);
  // clear of every fleet (where it is and where it goes): a click there is the world's
  const fleets = await listAll('/v1/fleets', 'fleets');
  const segDist = (p, a, b) => {
    const dx = b.x - a.x, dy = b.y - a.y, len = dx * dx + dy * dy;
    const t = len ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len)) : 0;
    return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
  };
  const clear = (w) => fleets.every((f) => segDist(w.position, f.position, f.destination || f.position) > 10);
  const mine = (await listAll('/v1/worlds?sovereign=me', 'worlds'))
    .filter((w) => w.designation !== 46 && !w.fleets.length && !w.in_battle && !busyWorlds.has(w.id) && clear(w));
  for (const a of mine) {
    worldB = mine.find((b) => b.id !== a.id && d(a, b) <= 150 && d(a, b) >= 20);
    if (worldB) { worldA = a; break; }
  }
  assert(worldA && worldB, 'no two idle worlds of the player 20 to 150 ly apart');
  worldW = mine.find((w) => w.designation === UNASSIGNED && w.id !== worldA.id && w.id !== worldB.id);
  assert(worldW, 'no unassigned world of the player');
  // the route, set through the API: the page must find it by itself
  const r = await http(API, 'POST', '/v1/jobs', { token: TOKEN, body: { world: worldA.id, name: 'route for the map',
    steps: [{ op: 'trade_route', from: worldB.id, kind: 'default' }] } });
  assert(r.status === 201, `trade route job: ${r.status} ${r.text}`);
  await waitFor(async () => (await jobState(r.json.id)) === 'succeeded', 30000, 'the trade route job to succeed');
  await clickWorld(worldA.id);
  const desig = await designationShown();
  assert(desig.startsWith(worldA.designation_name) && desig.includes(worldA.designation_unid), `designation shown "${desig}"`);
  // industries with their allocations, as the API lists them
  const inds = await page.locator('#details-body [data-list="industries"] li').allTextContents();
  assert(inds.length === worldA.industries.length, `${inds.length} industries shown, API ${worldA.industries.length}`);
  for (const [i, ind] of worldA.industries.entries()) {
    assert(inds[i].startsWith(`${ind.name}: `) && inds[i].includes(`${Number(ind.allocation.toFixed(1))}%`), `industry shown "${inds[i]}" for ${JSON.stringify(ind)}`);
  }
  const imps = await page.locator('#details-body [data-list="improvements"]').textContent();
  assert(worldA.improvements.length ? worldA.improvements.every((x) => imps.includes(x.name)) : imps === 'none', `improvements "${imps}"`);
  // the route shows up live (the page reads the player's worlds each watch)
  const route = page.locator(`#details-body [data-list="trade-routes"] li[data-partner="${worldB.id}"]`);
  await route.waitFor({ timeout: 10000 });
  const rt = await route.textContent();
  assert(rt.startsWith(`imports from ${worldB.name} #${worldB.id}`), `route shown "${rt}"`);
  // drawn as a line between the two worlds: sample points along it
  const hits = await page.evaluate(([a, b, want]) => {
    const m = window.fleetdDashboard.map;
    const wa = m.worldById.get(a), wb = m.worldById.get(b);
    m.fit();
    m.centreOn((wa.x + wb.x) / 2, (wa.y + wb.y) / 2);
    m.view.scale = Math.min(m.size().w, m.size().h) / (2 * Math.hypot(wa.x - wb.x, wa.y - wb.y));
    m.draw();
    // the frame's pixels as map.js put them on the canvas (its ImageData:
    // a second read-back of the canvas itself makes chromium warn)
    const c = m.canvas, img = m.image.data;
    let n = 0;
    for (const t of [0.25, 0.35, 0.45, 0.55, 0.65, 0.75]) {
      const [sx, sy] = m.toScreen(wa.x + (wb.x - wa.x) * t, wa.y + (wb.y - wa.y) * t);
      const i = (Math.round(sy * m.dpr) * c.width + Math.round(sx * m.dpr)) * 4;
      if (img[i] === want[0] && img[i + 1] === want[1] && img[i + 2] === want[2]) n++;
    }
    return n;
  }, [worldA.id, worldB.id, TRADE_SELECTED]);
  assert(hits >= 4, `only ${hits} of 6 points between the two worlds are the trade route's colour`);
  await shot(page.locator('#map-section'), 'dashboard-trade-route.png');
  // the keyboard's way in: Enter on the map opens what is nearest its centre
  await selectOnMap(worldB.id, async () => {
    await page.focus('#map');
    await page.keyboard.press('Enter');
  }, 'Enter opens the world at the centre');
  const back = page.locator(`#details-body [data-list="trade-routes"] li[data-partner="${worldA.id}"]`);
  await back.waitFor({ timeout: 5000 });
  assert((await back.textContent()).startsWith(`exports to ${worldA.name} #${worldA.id}`), 'the exporter does not list the route');
});

await step('world job in the form: fleetd\'s message beside a world op\'s field', async () => {
  page.rec.expected.push(/^422 POST .*\/v1\/jobs$/, /\/v1\/jobs$/);
  await clickWorld(worldW.id);
  await page.click('#details-body button[name="world-job"]');
  assert(await page.inputValue('#job-holder') === 'world', 'the form is not set to a world job');
  assert(await page.inputValue('#job-world') === String(worldW.id), 'the form does not hold the world');
  assert(await page.locator('#job-fleet').isHidden(), 'the fleet select still shows for a world job');
  const ops = await page.locator('#job-op option').evaluateAll((o) => o.map((x) => x.value));
  assert(!ops.includes('move') && ops.includes('wait') && ops.includes('designate') && ops.includes('trade_route'),
    `a world job offers ${ops}`);
  await page.fill('#job-name', 'shift to industry');
  await page.selectOption('#job-op', 'industry');
  await page.click('button[name="add-step"]');
  const ind = page.locator('[data-path="steps[0].industry"]');
  await waitFor(async () => (await ind.locator('option').count()) > 2, 5000, 'the industries from the catalogue');
  await ind.selectOption('core.heavyIndustry');
  await page.fill('[data-path="steps[0].percent"]', '150');
  await page.click('#job-form button[type="submit"]');
  const err = page.locator('[data-path="steps[0].percent"] + .field-error');
  await err.waitFor({ timeout: 5000 });
  const text = await err.textContent();
  assert(text.startsWith('steps[0].percent:'), `error beside steps[0].percent says "${text}"`);
  assert(await page.getAttribute('[data-path="steps[0].percent"]', 'aria-invalid') === 'true', 'field not marked invalid');
  await page.click('.step-list .remove >> nth=0');
});

await step('a designate job from the form: the world panel shows the new designation live', async () => {
  assert((await page.textContent('#details-title')).endsWith(`#${worldW.id}`), 'the world panel is not open');
  const before = await designationShown();
  assert(before.startsWith('Unassigned world'), `designation before: "${before}"`);
  await page.fill('#job-name', 'designate from the form');
  await page.selectOption('#job-op', 'designate');
  await page.click('button[name="add-step"]');
  const sel = page.locator('[data-path="steps[0].designation"]');
  await waitFor(async () => (await sel.locator('option').count()) > 2, 5000, 'the designations from the catalogue');
  const labels = await sel.locator('option').allTextContents();
  assert(labels.includes('Agricultural world') && labels.includes('Trading hub'), `designations offered: ${labels}`);
  await sel.selectOption({ label: 'Agricultural world' });
  const id = await submitted();
  const spec = (await apiEvents(id)).find((e) => e.type === 'job.created').data.spec;
  assert(spec.world === worldW.id && spec.fleet === undefined && spec.steps.length === 1 &&
    spec.steps[0].op === 'designate' && spec.steps[0].designation === 'core.agriculturalDesignation' &&
    spec.steps[0].world === undefined, `spec sent: ${JSON.stringify(spec)}`);
  assert((await page.textContent(`#jobs tr[data-job="${id}"]`)).includes(`world ${worldW.id}`), 'jobs table does not name the world');
  await waitFor(async () => (await designationShown()).startsWith('Agricultural world'), 30000,
    'the panel to show the new designation').catch(async (e) => {
    throw new Error(`${e.message} (shown: "${await designationShown()}", job ${await jobState(id)})`);
  });
  assert(await page.evaluate(() => window.__noReload) === 'still here', 'the page reloaded');
  assert((await get(`/v1/worlds/${worldW.id}`)).designation === DESIGNATE_AGRI, 'API disagrees');
  assert((await page.getAttribute('#details-body dd[data-fact="designation"]', 'data-id')) === String(DESIGNATE_AGRI), 'designation id');
  await waitFor(async () => (await rowState(page, id)) === 'succeeded', 10000, 'the job succeeded in the table');
  await shot(page.locator('#details'), 'dashboard-world-panel.png');
  // back to a fleet job for what follows
  await page.selectOption('#job-holder', 'fleet');
  while (await page.locator('.step-list .remove').count()) await page.click('.step-list .remove >> nth=0');
});

await step('queues panel: a waiting taker, then a hand-off shown live (item taken by the job, then used up)', async () => {
  const [f] = await idleFleets();
  assert(f, 'no idle fleet');
  const q = `handoff-${Date.now() % 100000}`;
  const r = await http(API, 'POST', '/v1/jobs', { token: TOKEN, body: { name: 'taker', fleet: f.id, steps: [
    { op: 'take', queue: q, as: 'w' }, { op: 'wait', seconds: 3 }] } });
  assert(r.status === 201, `taker: ${r.status} ${r.text.slice(0, 200)}`);
  const taker = r.json.id;
  const row = page.locator(`#queues tr[data-queue="${q}"]`);
  const cell = (c) => row.locator(`td[data-cell="${c}"]`);
  await waitFor(async () => (await cell('waiting').locator(`[data-job="${taker}"]`).count()) === 1, 10000,
    `taker #${taker} shown waiting on ${q}`);
  const p = await http(API, 'POST', `/v1/queues/${q}`, { token: TOKEN, body: { items: [4242] } });
  assert(p.status === 200, `POST queue: ${p.status} ${p.text.slice(0, 200)}`);
  await waitFor(async () => (await cell('taken').textContent()).includes('4242') &&
    (await cell('taken').locator(`[data-job="${taker}"]`).count()) === 1 &&
    (await cell('waiting').locator('[data-job]').count()) === 0, 10000, 'the item shown taken by the taker');
  assert((await get(`/v1/jobs/${taker}`)).vars.w === 4242, 'the taker did not bind the item');
  await cell('items').scrollIntoViewIfNeeded();
  await shot(page.locator('#queues'), 'dashboard-queues.png');
  await waitFor(async () => (await cell('taken').locator('[data-job]').count()) === 0 &&
    (await cell('items').locator('.item').count()) === 0, 15000, 'the item used up once the next step completed');
  assert(await page.evaluate(() => window.__noReload) === 'still here', 'the page reloaded');
});

await step('triggers panel: a fleet.arrived trigger made from its template fires when the fleet anchors, and its job shows', async () => {
  const [f] = await idleFleets();
  assert(f, 'no idle fleet');
  const worlds = await listAll('/v1/worlds', 'worlds');
  const at = worlds.find((w) => w.id === f.anchor);
  const d2 = (w) => (w.position.x - at.position.x) ** 2 + (w.position.y - at.position.y) ** 2;
  const to = worlds.filter((w) => w.id !== f.anchor).sort((a, b) => d2(a) - d2(b))[0];
  await page.selectOption('#trigger-on', 'fleet.arrived');
  const job = JSON.parse(await page.inputValue('#trigger-job'));
  assert(job.fleet === '$fleet' && job.steps[0].to === '$world', `template: ${JSON.stringify(job)}`);
  await page.fill('#trigger-name', 'sell where it lands');
  await page.fill('#trigger-where', JSON.stringify({ fleet: f.id }));
  await page.fill('#trigger-job', JSON.stringify({ fleet: '$fleet', steps: [{ op: 'wait', seconds: 1 }] }));
  await page.click('#trigger-form button[type="submit"]');
  await waitFor(async () => /Trigger #\d+ created/.test(await page.textContent('#trigger-form .form-status')), 5000, 'created');
  const tid = Number((await page.textContent('#trigger-form .form-status')).match(/#(\d+)/)[1]);
  const row = page.locator(`#triggers tr[data-id="${tid}"]`);
  assert((await row.textContent()).includes('never fired'), `new row: ${await row.textContent()}`);
  const mv = await http(`http://127.0.0.1:${sim.port}`, 'POST', '/sim/move', { body: { fleet: f.id, to: to.id } });
  assert(mv.status === 200, `/sim/move: ${mv.status} ${mv.text}`);
  await waitFor(async () => /job #\d+/.test(await row.locator('.last-firing').textContent()), 60000,
    'the row to show the firing\'s job');
  const t = await get(`/v1/triggers/${tid}`);
  assert(t.last_firing.state === 'fired' && t.last_firing.vars.fleet === f.id && t.last_firing.vars.world === to.id,
    `firing: ${JSON.stringify(t.last_firing)}`);
  await row.locator('.last-firing button').click();
  await waitFor(async () => (await page.textContent('#job-view')).includes(`#${t.last_firing.job_id}`), 5000, 'the job view');
  await row.locator('button[name="pause"]').click();
  await waitFor(async () => (await row.textContent()).includes('paused'), 5000, 'paused');
  await row.locator('button[name="delete"]').click();
  await waitFor(async () => (await page.locator(`#triggers tr[data-id="${tid}"]`).count()) === 0, 5000, 'deleted');
  await shot(page.locator('#triggers'), 'dashboard-triggers.png');
});

await step('after fleetd restarts the page reconnects by itself and shows the events it missed', async () => {
  const port = fleetd.port;
  const [f] = await idleFleets();   // one no job holds (the reactive ones may still run)
  assert(f, 'no idle fleet');
  const away = new RegExp(`127\\.0\\.0\\.1:${port}/`);
  const since = { console: page.rec.console.length, failedRequests: page.rec.failedRequests.length,
    badResponses: page.rec.badResponses.length };
  assert((await stop(fleetd.proc)) === 0, 'fleetd did not stop cleanly');
  await waitFor(async () => (await page.textContent('#h-stream')) !== 'live', 10000, 'page notices the drop');
  // While the page cannot reach it, a second fleetd on the same database
  // (another port) takes a job: its events must reach the page later.
  const side = await start('fleetd-side', FLEETD, fleetdArgs('127.0.0.1:0'));
  const sideApi = `http://127.0.0.1:${side.port}`;
  const r = await http(sideApi, 'POST', '/v1/jobs', { token: TOKEN, body: { name: 'while away', fleet: f.id, steps: [{ op: 'wait', seconds: 3600 }] } });
  assert(r.status === 201, `side submit: ${r.status} ${r.text}`);
  const awayJob = r.json.id;
  const c = await http(sideApi, 'POST', `/v1/jobs/${awayJob}/cancel`, { token: TOKEN });
  assert(c.status === 200, `side cancel: ${c.status} ${c.text}`);
  const evs = (await http(sideApi, 'GET', `/v1/jobs/${awayJob}/events`, { token: TOKEN })).json;
  const ids = items(evs, 'events').map((e) => String(e.id));
  assert(ids.length >= 2, `the job has ${ids.length} events`);
  assert((await stop(side.proc)) === 0, 'side fleetd did not stop cleanly');
  fleetd = await start('fleetd2', FLEETD, fleetdArgs(`127.0.0.1:${port}`));
  await waitFor(async () => (await page.textContent('#h-stream')) === 'live', 30000, 'page live again');
  await waitFor(async () => {
    const got = await page.locator('#event-log li').evaluateAll((li) => li.map((x) => x.dataset.id));
    return ids.every((id) => got.includes(id));
  }, 10000, `missed events ${ids} in the page's log`);
  await waitFor(async () => (await rowState(page, awayJob)) === 'cancelled', 10000, 'job made while away shown cancelled');
  await waitFor(() => page.locator('#banner').isHidden(), 5000, 'no error banner once back');
  assert(await page.evaluate(() => window.__noReload) === 'still here', 'the page reloaded');
  // Refused connections while fleetd was down were the point: forgive
  // those of this window only.
  for (const k of Object.keys(since)) {
    const kept = page.rec[k].slice(since[k]).filter((x) => !away.test(typeof x === 'string' ? x : x.url));
    page.rec[k].splice(since[k], Infinity, ...kept);
  }
});

await step('no console errors, page errors or unexpected failed requests (1280x800)', async () => {
  noProblems(page, 'same-origin page');
});

await step('every control has a label; keyboard focus is visible', async () => {
  const unlabelled = await page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('button, input, select, textarea, canvas[tabindex]')) {
      const name = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') ||
        (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent.trim()) ||
        (el.tagName === 'BUTTON' && el.textContent.trim());
      if (!name) bad.push(el.outerHTML.slice(0, 80));
    }
    return bad;
  });
  assert(unlabelled.length === 0, `unlabelled controls: ${unlabelled.join(' | ')}`);
  await page.focus('body');
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      const cs = getComputedStyle(el);
      return { tag: el.tagName, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth) };
    });
    assert(f.tag !== 'BODY' && f.style !== 'none' && f.width >= 2, `focus not visible on ${JSON.stringify(f)}`);
  }
});

await step('a live re-render keeps the keyboard focus on the control at its place', async () => {
  const r = await page.evaluate(async () => {
    const { replace, h } = await import(new URL('dom.js', document.baseURI).href);
    const box = document.createElement('div');
    document.body.append(box);
    const render = (n) => replace(box, ...Array.from({ length: n }, (_, i) =>
      h('button', { type: 'button', 'data-i': String(i) }, `b${i}`)));
    render(3);
    box.querySelectorAll('button')[1].focus();
    render(3); // new nodes: the old focused button is gone
    const same = document.activeElement.getAttribute('data-i');
    render(1); // fewer controls: the nearest one
    const fewer = document.activeElement.getAttribute('data-i');
    document.activeElement.blur();
    render(3); // focus elsewhere: left alone
    const elsewhere = document.activeElement.tagName;
    box.remove();
    return { same, fewer, elsewhere };
  });
  assert(r.same === '1' && r.fewer === '0' && r.elsewhere === 'BODY', `focus after re-render: ${JSON.stringify(r)}`);
});

await step('screenshot at 1280x800, with a fleet under way', async () => {
  await page.selectOption('#state-filter', '');
  // a fleet sent far away, so the map shows a route with its eta
  const s = await pageState(page);
  const worlds = await page.evaluate(() => window.fleetdDashboard.state.worlds.map((w) => ({ id: w.id, x: w.x, y: w.y })));
  const f = s.fleetList.find((x) => x.anchor && !x.job && x.id !== moved.fleet.id);
  assert(f, 'no idle fleet for the screenshot');
  const far = worlds.map((w) => [w, Math.hypot(w.x - f.x, w.y - f.y)]).sort((a, b) => a[1] - b[1]);
  const to = far[Math.floor(far.length * 0.6)][0];
  const r = await http(API, 'POST', '/v1/jobs', { token: TOKEN, body: { name: 'long haul', fleet: f.id, steps: [{ op: 'move', to: to.id }] } });
  assert(r.status === 201, `submit: ${r.status} ${r.text}`);
  await waitFor(() => page.evaluate((id) => !!window.fleetdDashboard.state.fleetById.get(id).dest, f.id), 20000, 'fleet under way on the map');
  await page.click('#zoom-fit');
  await page.click(`#jobs tr[data-job="${r.json.id}"] button`);
  await page.locator('#job-view h2').filter({ hasText: `#${r.json.id}` }).waitFor({ timeout: 5000 });
  if (await page.locator('#details').isVisible()) await page.click('#details-close');
  await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
  const shot = await screenshot(page, 'dashboard-1280x800.png');
  if (process.env.BROWSER_UPDATE_DOCS === '1') fs.copyFileSync(shot, path.join(TOP, 'docs/dashboard.png'));
});

// ------------------------------------------------- phone size, 390x844
await step('usable at 390x844: no sideways scrolling, map and tables visible', async () => {
  const phone = await openPage(context, { width: 390, height: 844 });
  phone.rec.expected.push(/^401 /, /\/v1\//);
  await phone.goto(`${API}/web/`);
  await giveToken(phone);
  phone.rec.expected.length = 0;
  phone.rec.badResponses.length = 0;
  phone.rec.console.length = 0;
  const m = await phone.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, inner: innerWidth,
    map: document.querySelector('#map').getBoundingClientRect().toJSON(),
  }));
  assert(m.scroll <= m.inner, `page is ${m.scroll}px wide in a ${m.inner}px viewport`);
  assert(m.map.width >= 300 && m.map.height >= 250, `map is ${m.map.width}x${m.map.height}`);
  await phone.locator('#jobs').scrollIntoViewIfNeeded();
  assert(await phone.locator('#jobs tbody tr').count() >= 2, 'jobs table empty on the phone');
  await phone.evaluate(() => window.scrollTo(0, 0));
  await screenshot(phone, 'dashboard-390x844.png');
  noProblems(phone, 'phone page');
  await phone.close();
});

// ---------------------------------------- another origin, --cors-origin
await step('served from another origin allowed with --cors-origin', async () => {
  const p2 = await openPage(context, { width: 1280, height: 800 });
  p2.rec.expected.push(/^401 /, /\/v1\//);
  await p2.goto(`${ORIGIN2}/index.html?api=${encodeURIComponent(API)}`);
  await confirmLink(p2, API);
  await giveToken(p2);
  p2.rec.expected.length = 0;
  p2.rec.badResponses.length = 0;
  p2.rec.console.length = 0;
  const s = await pageState(p2);
  assert(s.worlds === apiWorlds.length && s.fleets === apiFleets.length, `cross-origin page: ${s.worlds} worlds, ${s.fleets} fleets`);
  await waitFor(async () => (await p2.textContent('#h-stream')) === 'live', 5000, 'stream live cross-origin');
  // a job submitted from this page comes back through the event stream
  const f = s.fleetList.find((x) => !x.job && x.id !== moved.fleet.id) || s.fleetList[0];
  await p2.selectOption('#job-fleet', String(f.id));
  await p2.selectOption('#job-op', 'wait');
  await p2.click('button[name="add-step"]');
  await p2.fill('[data-path="steps[0].seconds"]', '1');
  await p2.click('#job-form button[type="submit"]');
  await waitFor(async () => /Job #\d+ created/.test(await p2.textContent('.form-status')), 5000, 'created cross-origin');
  const id = Number(/#(\d+)/.exec(await p2.textContent('.form-status'))[1]);
  await waitFor(async () => (await rowState(p2, id)) === 'succeeded', 30000, 'cross-origin job succeeded live');
  const evs = await p2.locator('#event-log li').allTextContents();
  assert(evs.some((t) => t.includes(`job #${id}`)), 'no live event for the job cross-origin');
  noProblems(p2, 'cross-origin page');
  await p2.close();
});

await step('an origin not allowed gets nothing (CORS), and the page says so', async () => {
  const p3 = await openPage(context, { width: 1280, height: 800 });
  p3.rec.expected.push(/./);   // every API call is blocked: that is the point
  await p3.goto(`http://localhost:${web2.port}/index.html?api=${encodeURIComponent(API)}`);
  await confirmLink(p3, API);
  await waitFor(async () => /not reachable/.test(await p3.textContent('#banner')), 10000, 'banner');
  assert(p3.rec.console.some((c) => /CORS/.test(c.text)), 'no CORS refusal seen');
  await p3.close();
});

// ------------------------------------------------------ map frame time
await step('map frame for 5,000 worlds and 300 fleets (measured, printed)', async () => {
  const r = await page.evaluate(() => {
    const d = window.fleetdDashboard;
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const worlds = Array.from({ length: 5000 }, (_, i) => ({
      id: i + 1, name: `W${i + 1}`, sovereign: 1 + Math.floor(rnd() * 40), x: rnd() * 3000 - 1500, y: rnd() * 3000 - 1500,
    }));
    const fleets = Array.from({ length: 300 }, (_, i) => {
      const w = worlds[Math.floor(rnd() * 5000)], t = worlds[Math.floor(rnd() * 5000)];
      return { id: 100000 + i, name: `F${i}`, sovereign: 1, x: w.x, y: w.y, anchor: i % 3 ? w.id : null,
        dest: i % 3 ? null : { id: t.id, x: t.x, y: t.y }, eta: i % 3 ? null : 12.5 };
    });
    d.map.setData({ worlds, fleets, player: 1 });
    d.map.fit();
    for (let i = 0; i < 5; i++) d.map.draw();           // warm up
    // JS: performance.now() around draw().  JS + raster: a one-pixel
    // read-back after it makes the canvas rasterise the frame right there.
    const js = [], full = [];
    for (let i = 0; i < 100; i++) {
      d.map.pan(1, 0);                                   // a new view each frame
      const t0 = performance.now();
      d.map.draw();
      const t1 = performance.now();
      d.map.ctx.getImageData(0, 0, 1, 1);
      const t2 = performance.now();
      js.push(t1 - t0);
      full.push(t2 - t0);
    }
    const q = (a, p) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];
    return { js: [q(js, 0.5), q(js, 0.95)], full: [q(full, 0.5), q(full, 0.95), q(full, 1)], css: d.map.size() };
  });
  const f = (x) => x.toFixed(1);
  const line = `map frame, 5,000 worlds + 300 fleets at ${r.css.w}x${r.css.h} CSS px: draw() median ${f(r.js[0])} ms, p95 ${f(r.js[1])} ms; draw + raster median ${f(r.full[0])} ms, p95 ${f(r.full[1])} ms, max ${f(r.full[2])} ms`;
  log(line);
  fs.writeFileSync(path.join(ARTIFACTS, 'map-frame.txt'), `${line}\n`);
});

await finish(context);
