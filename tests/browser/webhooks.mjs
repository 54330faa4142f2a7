// webhooks.mjs -- the dashboard's webhook panel in Debian's chromium,
// against real fleetd and fleetsim processes and a receiver (a node HTTP
// server) that is down at first.
//
// A webhook whose receiver is down gets a dead letter (fleetd runs with a
// one-second --webhook-max-age); the panel lists the webhook with one dead
// delivery, its attempts, last error and a Redeliver button; with the
// receiver up, Redeliver sends it again (the receiver gets the signed
// body) and the panel then shows it delivered.  No secret appears on the
// page; no console errors.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  FLEETD, FLEETSIM, SCRATCH, step, assert, finish, start, waitFor, launch, openPage,
  unexpectedProblems, screenshot, http as call,
} from './harness.mjs';

const SECRET = `browser-secret-${Date.now()}`;
const pwFile = path.join(SCRATCH, 'password');
fs.writeFileSync(pwFile, 'demo\n');

let context = null;
process.on('unhandledRejection', async (e) => {
  console.log(`not ok - unhandled: ${e && e.stack || e}`);
  await finish(context);
});

// the receiver: a port taken, then freed so that the first attempts fail
const got = [];
const receiver = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    got.push({ headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(204);
    res.end();
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const RPORT = receiver.address().port;
await new Promise((r) => receiver.close(r));

const sim = await start('fleetsim', FLEETSIM, ['--listen', '127.0.0.1:0', '--watch-ms', '1500',
  '--seed', '7', '--worlds', '60', '--fleets', '6']);
const fleetd = await start('fleetd', FLEETD, ['--listen', '127.0.0.1:0',
  '--db', path.join(SCRATCH, 'fleetd.db'), '--upstream', `http://127.0.0.1:${sim.port}/api/`,
  '--game', 'sim', '--username', 'demo', '--password-file', pwFile, '--webhook-max-age', '1']);
const API = `http://127.0.0.1:${fleetd.port}`;

let hook = null, dead = null;
await step('a webhook whose receiver is down ends with a dead letter', async () => {
  const r = await call(API, 'POST', '/v1/webhooks', {
    body: { url: `http://127.0.0.1:${RPORT}/hook`, events: ['job.cancelled'], secret: SECRET },
  });
  assert(r.status === 201, `POST /v1/webhooks: ${r.status} ${r.text}`);
  hook = r.json.id;
  // one of the player's fleets, once fleetd has the galaxy
  const fleet = await waitFor(async () => {
    const f = await call(API, 'GET', '/v1/fleets');
    return f.status === 200 && f.json.fleets.length ? f.json.fleets[0].id : null;
  }, 20000, 'the galaxy');
  const j = await call(API, 'POST', '/v1/jobs', { body: { fleet, steps: [{ op: 'wait', seconds: 3600 }] } });
  assert(j.status === 201, `POST /v1/jobs: ${j.status} ${j.text}`);
  const c = await call(API, 'POST', `/v1/jobs/${j.json.id}/cancel`);
  assert(c.status === 200, `cancel: ${c.status}`);
  dead = await waitFor(async () => {
    const d = await call(API, 'GET', `/v1/webhooks/${hook}/deliveries?state=dead`);
    return d.json.deliveries[0];
  }, 15000, 'a dead letter');
});

context = await launch();
const page = await openPage(context);

await step('the panel lists the webhook and its dead delivery with Redeliver', async () => {
  await page.goto(`${API}/web/`);
  const row = page.locator(`#webhooks tr[data-delivery="${dead.id}"]`);
  await row.waitFor({ timeout: 15000 });
  assert(await row.getAttribute('data-state') === 'dead', 'row state');
  const text = await row.innerText();
  assert(/job\.cancelled/.test(text) && /dead/.test(text), `row: ${text}`);
  assert(/connect/i.test(text), `the last error is shown: ${text}`);
  const list = await page.locator('#webhooks .webhook-list').innerText();
  assert(list.includes(`#${hook}`) && /1 dead/.test(list), `list: ${list}`);
  assert(!(await page.content()).includes(SECRET), 'the secret is on the page');
  await page.locator('#webhooks').scrollIntoViewIfNeeded();
  await screenshot(page, 'webhooks-dead.png');
});

await step('Redeliver sends it again once the receiver is up; the panel shows it delivered', async () => {
  await new Promise((r) => receiver.listen(RPORT, '127.0.0.1', r));
  await page.getByRole('button', { name: `Redeliver delivery ${dead.id}` }).click();
  await waitFor(() => got.length > 0, 15000, 'the receiver to get the redelivery');
  const sig = 'sha256=' + crypto.createHmac('sha256', SECRET).update(got[0].body).digest('hex');
  assert(got[0].headers['x-fleetd-signature'] === sig, 'signature');
  await waitFor(async () => {
    await page.locator('#webhooks button[name="refresh"]').click();
    return await page.locator(`#webhooks tr[data-delivery="${dead.id}"]`).getAttribute('data-state') === 'delivered';
  }, 15000, 'the row to show delivered');
  await page.locator('#webhooks').scrollIntoViewIfNeeded();
  await screenshot(page, 'webhooks-delivered.png');
});

await step('no console errors', async () => {
  const p = unexpectedProblems(page);
  assert(p.length === 0, p.join('\n'));
});

receiver.close();
await finish(context);
