// harness.mjs -- shared by the browser tests: starts real fleetd / fleetsim /
// static-server processes on loopback (port 0, real port read from their
// log), launches Debian's chromium through playwright-core (never a
// downloaded browser), records every console message, page error and
// failed request, and reports TAP-like lines.  Processes it started are
// killed on exit.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const env = process.env;
export const TOP = env.TOP_SRCDIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const FLEETD = env.FLEETD || path.join(TOP, 'build/fleetd');
export const FLEETSIM = env.FLEETSIM || path.join(TOP, 'build/fleetsim');
export const SCRATCH = fs.mkdtempSync(path.join(env.TMPDIR || os.tmpdir(), 'fleetd-browser.'));
// Where screenshots go (printed by the test, so scripts/test shows them).
export const ARTIFACTS = env.BROWSER_ARTIFACTS || path.join(process.cwd(), 'browser-artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const depsDir = env.BROWSER_DEPS_DIR || path.join(TOP, 'tests/browser');
const require = createRequire(path.join(depsDir, 'package.json'));
const { chromium } = require('playwright-core');

const children = [];
let failures = 0, count = 0;

export function log(...a) { console.log('#', ...a); }

// step(name, fn): one numbered check; a throw is a failure (the run goes
// on to report the rest unless fn's failure makes that pointless).
export async function step(name, fn) {
  count++;
  try {
    await fn();
    console.log(`ok ${count} - ${name}`);
    return true;
  } catch (e) {
    failures++;
    console.log(`not ok ${count} - ${name}`);
    for (const line of String(e && e.stack || e).split('\n').slice(0, 8)) console.log(`#   ${line}`);
    return false;
  }
}

export function assert(cond, msg) { if (!cond) throw new Error(msg); }

// A fresh API token and the demo password in files under SCRATCH, for
// fleetd's --api-token-file and --password-file.
export function credentials() {
  const token = `tok-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const tokenFile = path.join(SCRATCH, 'token');
  const pwFile = path.join(SCRATCH, 'password');
  fs.writeFileSync(tokenFile, `${token}\n`);
  fs.writeFileSync(pwFile, 'demo\n');
  return { token, tokenFile, pwFile };
}

// An unhandled rejection ends the test as a failure, closing what
// browser() returns (the context, once there is one).
export function finishOnUnhandled(browser) {
  process.on('unhandledRejection', async (e) => {
    console.log(`not ok - unhandled: ${e && e.stack || e}`);
    await finish(browser());
  });
}

export async function finish(browser) {
  if (browser) await browser.close().catch(() => {});
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (failures) {
    for (const c of children) {
      log(`--- ${c.logPath} (last 25 lines)`);
      try {
        for (const l of fs.readFileSync(c.logPath, 'utf8').trim().split('\n').slice(-25)) log(l);
      } catch { /* no log */ }
    }
  }
  if (!env.KEEP_SCRATCH) fs.rmSync(SCRATCH, { recursive: true, force: true });
  console.log(`1..${count}`);
  console.log(`# ${count - failures} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}

// start(name, cmd, args, portRe) -> {proc, port}; the port is read from
// the log ("listening ... port=N" for our daemons).
export async function start(name, cmd, args, { portRe = /msg="listening".* port=(\d+)/, cwd = SCRATCH } = {}) {
  const logPath = path.join(SCRATCH, `${name}.log`);
  const out = fs.openSync(logPath, 'a');
  const proc = spawn(cmd, args, { cwd, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  proc.logPath = logPath;
  children.push(proc);
  const port = await waitFor(async () => {
    if (proc.exitCode !== null) throw new Error(`${name} exited ${proc.exitCode}: ${fs.readFileSync(logPath, 'utf8').slice(-600)}`);
    const m = portRe.exec(fs.readFileSync(logPath, 'utf8'));
    return m ? Number(m[1]) : null;
  }, 10000, `${name} to listen`);
  return { proc, port, logPath };
}

// fleetsim (listening on port 0, with simArgs) and fleetd on it, without
// an API token: {sim, SIM, fleetd, API, get}, SIM and API their base
// URLs, get(p) fleetd's JSON answer to GET p (asserted 200).
export async function startGame(simArgs) {
  const pwFile = path.join(SCRATCH, 'password');
  fs.writeFileSync(pwFile, 'demo\n');
  const sim = await start('fleetsim', FLEETSIM, ['--listen', '127.0.0.1:0', ...simArgs]);
  const SIM = `http://127.0.0.1:${sim.port}`;
  const fleetd = await start('fleetd', FLEETD, ['--listen', '127.0.0.1:0',
    '--db', path.join(SCRATCH, 'fleetd.db'), '--upstream', `${SIM}/api/`, '--game', 'sim',
    '--username', 'demo', '--password-file', pwFile, '--rate', '1000']);
  const API = `http://127.0.0.1:${fleetd.port}`;
  const get = async (p) => {
    const r = await http(API, 'GET', p);
    assert(r.status === 200, `GET ${p}: ${r.status} ${r.text.slice(0, 200)}`);
    return r.json;
  };
  return { sim, SIM, fleetd, API, get };
}

export async function stop(proc, signal = 'SIGTERM') {
  if (proc.exitCode !== null) return proc.exitCode;
  const done = new Promise((r) => proc.once('exit', (code) => r(code)));
  proc.kill(signal);
  return done;
}

export async function waitFor(fn, ms = 10000, what = 'condition') {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
      if (/exited/.test(e.message)) throw e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Plain HTTP from the test itself (not the page): to check what the page
// shows against what the API lists.
export async function http(base, method, p, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

// A persistent context on a fresh profile directory: that is how
// playwright takes --user-data-dir.  Returns the context (one browser).
export async function launch() {
  const profile = fs.mkdtempSync(path.join(SCRATCH, 'profile.'));
  return chromium.launchPersistentContext(profile, {
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    serviceWorkers: 'block',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page whose console errors, uncaught exceptions and failed requests
// are all recorded; `expect` lists URL patterns of HTTP errors a step
// provokes on purpose (a 401 before the token, refused connections
// while fleetd restarts) -- anything else is an error of the page.
export async function openPage(context, { width = 1280, height = 800 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  const rec = { console: [], pageErrors: [], badResponses: [], failedRequests: [], expected: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') rec.console.push({ text: `${m.type()}: ${m.text()}`, url: m.location().url || '' });
  });
  page.on('pageerror', (e) => rec.pageErrors.push(String(e && e.stack || e)));
  page.on('response', (r) => { if (r.status() >= 400) rec.badResponses.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  page.on('requestfailed', (r) => {
    const f = r.failure() ? r.failure().errorText : '';
    // an aborted stream (the page dropping it on purpose) is not a failure
    if (f !== 'net::ERR_ABORTED') rec.failedRequests.push(`${f} ${r.method()} ${r.url()}`);
  });
  page.rec = rec;
  return page;
}

// The page's own problems, minus what the test provoked: console errors
// the browser logs for an expected failed load are matched by URL too.
export function unexpectedProblems(page) {
  const rec = page.rec;
  const ok = (s) => rec.expected.some((re) => re.test(s));
  return [
    ...rec.pageErrors.map((e) => `page error: ${e}`),
    ...rec.console.filter((c) => !(/Failed to load resource/.test(c.text) && ok(c.url)))
      .map((c) => `console ${c.text} (${c.url})`),
    ...rec.badResponses.filter((r) => !ok(r)).map((r) => `response ${r}`),
    ...rec.failedRequests.filter((r) => !ok(r)).map((r) => `request failed ${r}`),
  ];
}

export async function screenshot(page, name) {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  console.log(`# screenshot: ${file}`);
  return file;
}
