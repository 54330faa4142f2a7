// token_origin.mjs -- the dashboard's token stays with the API origin it
// was entered for, in Debian's chromium against real fleetd and fleetsim
// processes, with a second local HTTP server playing the attacker.
//
// The attacker answers every CORS preflight with "yes, send anything" and
// everything else with 401, so a page that would send it the token could.
// Three paths must leave it without a single Authorization header:
//   1. a link (?api=attacker) opened in a tab that holds the token, or in a
//      new tab opened from it (which inherits its session storage): the
//      base is shown and nothing is sent until the user confirms; declined,
//      the page goes on with its own fleetd; confirmed, the attacker gets
//      requests without the token and the prompt names its origin;
//   2. a fresh tab after the link: the link's base was not stored, so the
//      tab talks to fleetd;
//   3. the API base changed by hand in Settings: the new base starts with
//      no token; back to the first, its token is used again, unasked.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  FLEETD, FLEETSIM, SCRATCH, step, assert, finish, start, waitFor, launch, openPage,
} from './harness.mjs';

const TOKEN = `tok-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const tokenFile = path.join(SCRATCH, 'token');
const pwFile = path.join(SCRATCH, 'password');
fs.writeFileSync(tokenFile, `${TOKEN}\n`);
fs.writeFileSync(pwFile, 'demo\n');

let context = null;
process.on('unhandledRejection', async (e) => {
  console.log(`not ok - unhandled: ${e && e.stack || e}`);
  await finish(context);
});

// ------------------------------------------------------------ the attacker
const seen = [];   // {method, url, authorization}
const attacker = http.createServer((req, res) => {
  seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization || null });
  const origin = req.headers.origin || '*';
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] || '*');
    res.writeHead(204);
    res.end();
    return;
  }
  res.setHeader('WWW-Authenticate', 'Bearer realm="fleetd"');
  res.writeHead(401, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end('{"error":{"code":"unauthorized","message":"send the token"}}');
});
await new Promise((r) => attacker.listen(0, '127.0.0.1', r));
// another host name than the API's, so another origin by any measure
const ATTACKER = `http://localhost:${attacker.address().port}`;
const leaks = () => seen.filter((s) => s.authorization);
const noLeak = (what) => assert(leaks().length === 0,
  `${what}: the attacker got the token: ${JSON.stringify(leaks().slice(0, 3))}`);

// ------------------------------------------------------------ fleetd
const sim = await start('fleetsim', FLEETSIM, ['--listen', '127.0.0.1:0', '--watch-ms', '1500',
  '--seed', '3', '--worlds', '60', '--fleets', '6']);
const fleetd = await start('fleetd', FLEETD, ['--listen', '127.0.0.1:0',
  '--db', path.join(SCRATCH, 'fleetd.db'), '--upstream', `http://127.0.0.1:${sim.port}/api/`,
  '--username', 'demo', '--password-file', pwFile, '--api-token-file', tokenFile]);
const API = `http://127.0.0.1:${fleetd.port}`;
const LINK = `${API}/web/?api=${encodeURIComponent(ATTACKER)}`;

context = await launch();

// ------------------------------------------------------------ helpers
const visible = (page, sel) => page.locator(sel).isVisible();
// The prompt must name the origin the token goes to (read softly, so that
// a page without the label still gets its token and shows where it sends it).
const promptOrigin = (page) => page.locator('#token-origin').textContent({ timeout: 1000 }).catch(() => null);
async function giveToken(page) {
  await page.locator('#token-dialog').waitFor({ state: 'visible', timeout: 10000 });
  const origin = await promptOrigin(page);
  await page.fill('#token-input', TOKEN);
  await page.click('#token-form button[type="submit"]');
  assert(origin === API, `the prompt names ${origin}, not ${API}`);
  await loaded(page);
}
async function loaded(page) {
  await page.locator('body[data-loaded="true"]').waitFor({ timeout: 20000 });
  await waitFor(async () => (await page.textContent('#h-stream')) === 'live', 10000, 'event stream live');
}
// The attacker's origin asks for its own token: the prompt says whose it
// is; the user declines, as often as the page's next requests ask again.
async function refuseAttackerPrompt(page) {
  await page.locator('#token-dialog').waitFor({ state: 'visible', timeout: 10000 });
  for (let calm = 0; calm < 15;) {
    if (await visible(page, '#token-dialog')) {
      const origin = await promptOrigin(page);
      assert(origin === ATTACKER, `the prompt for the new base names ${origin}`);
      await page.click('#token-cancel');
      calm = 0;
    } else {
      calm++;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
// A click the attacker's prompts may get in the way of: the event stream
// retries on its own and asks again, and the user declines again.
async function clickPast(page, sel) {
  for (let i = 0; ; i++) {
    if (await visible(page, '#token-dialog')) {
      const origin = await promptOrigin(page);
      assert(origin === ATTACKER, `a prompt names ${origin}`);
      await page.click('#token-cancel');
    }
    try {
      await page.click(sel, { timeout: 1000 });
      return;
    } catch (e) {
      if (i === 10) throw e;
    }
  }
}
const storedBase = (page) => page.evaluate(() => localStorage.getItem('fleetd.api'));
const tokenKeys = (page) => page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('fleetd.token')));
const quiet = () => new Promise((r) => setTimeout(r, 1500));

// ------------------------------------------------------------ the paths
const a = await openPage(context);
a.rec.expected.push(/./);
await step('a tab holds the token for its fleetd, stored under that origin', async () => {
  await a.goto(`${API}/web/`);
  await giveToken(a);
  const keys = await tokenKeys(a);
  assert(keys.length === 1 && keys[0] === `fleetd.token@${API}`, `token keys: ${keys}`);
});

await step('path 1: a link in that tab shows the base and sends nothing before the user answers', async () => {
  const before = seen.length;
  await a.goto(LINK);
  await a.locator('#link-dialog').waitFor({ state: 'visible', timeout: 10000 });
  const shown = await a.textContent('#link-api');
  assert(shown === ATTACKER, `the dialog shows "${shown}"`);
  await quiet();
  assert(seen.length === before, `the attacker got ${seen.length - before} requests before any answer`);
  assert(await storedBase(a) === null, `stored before confirming: ${await storedBase(a)}`);
  noLeak('link shown');
});

await step('path 1: declined, the tab goes on with its own fleetd and its token, unasked', async () => {
  await a.click('#link-cancel');
  await loaded(a);
  assert(!(await visible(a, '#token-dialog')), 'asked for the token again');
  assert(!a.url().includes('api='), `the link's base is still in the address: ${a.url()}`);
  assert(await storedBase(a) === null, `stored although declined: ${await storedBase(a)}`);
  assert(seen.length === 0, `the attacker got ${seen.length} requests`);
});

await step('path 2: a fresh tab after the link talks to fleetd, never to the link\'s base', async () => {
  const b = await openPage(context);
  b.rec.expected.push(/./);
  await b.goto(`${API}/web/`);
  await giveToken(b);
  await quiet();
  assert(seen.length === 0, `the attacker got ${seen.length} requests from a fresh tab`);
  await b.close();
  noLeak('fresh tab');
});

await step('path 1: a new tab opened from the token\'s tab by the link asks too, and confirmed, sends no token', async () => {
  const [c] = await Promise.all([
    context.waitForEvent('page'),
    a.evaluate((u) => { window.open(u, '_blank'); }, LINK),
  ]);
  await c.waitForLoadState();
  const inherited = await tokenKeys(c);
  assert(inherited.includes(`fleetd.token@${API}`), `the new tab did not inherit the token: ${inherited}`);
  await c.locator('#link-dialog').waitFor({ state: 'visible', timeout: 10000 });
  assert(seen.length === 0, 'requests before the answer');
  await c.click('#link-form button[type="submit"]');
  await waitFor(() => seen.length > 0, 10000, 'the confirmed base to be used');
  await refuseAttackerPrompt(c);
  await quiet();
  noLeak('confirmed link in a tab holding the token');
  assert(await storedBase(c) === ATTACKER, `a confirmed base is kept: ${await storedBase(c)}`);
  assert(!(await tokenKeys(c)).includes(`fleetd.token@${ATTACKER}`), 'a token was stored for the attacker');
  await c.close();
});

await step('path 3: the base changed by hand starts without a token; back, the first token is used again', async () => {
  // tab a still talks to its own fleetd (its base was settled when it
  // loaded); its user types the attacker's base in Settings, then empties
  // the field again
  const n = seen.length;
  await a.click('#btn-settings');
  await a.fill('#api-base', ATTACKER);
  await a.click('#settings-form button[type="submit"]');
  await waitFor(() => seen.length > n, 10000, 'requests to the new base');
  await refuseAttackerPrompt(a);
  await quiet();
  noLeak('settings changed by hand');
  await clickPast(a, '#btn-settings');
  await a.fill('#api-base', '');
  await clickPast(a, '#settings-form button[type="submit"]');
  await waitFor(async () => (await a.textContent('#h-stream')) === 'live', 10000, 'live again on fleetd');
  await waitFor(async () => !(await visible(a, '#token-dialog')), 2000, 'no prompt');
  assert(await storedBase(a) === null, `the empty base is not stored: ${await storedBase(a)}`);
  const keys = await tokenKeys(a);
  assert(keys.length === 1 && keys[0] === `fleetd.token@${API}`, `token keys: ${keys}`);
});

await step('the attacker never saw an Authorization header', async () => {
  noLeak('all paths');
  assert(seen.length > 0, 'the attacker was never reached: the test proves nothing');
  console.log(`# the attacker got ${seen.length} requests, none with a token`);
});

attacker.close();
await finish(context);
