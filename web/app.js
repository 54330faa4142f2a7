// app.js -- the dashboard's entry point: wires the API client, the live
// event stream, the galaxy map, the tables and the forms together.
//
// A worked example of a fleetd front end: it uses only the public REST API
// (/healthz, /v1/fleets, /v1/worlds, /v1/jobs...) and the /v1/events
// stream.  Start-up loads a snapshot; afterwards every event names what
// changed and only that is fetched again (a world job's world when the job
// moves; the player's worlds, for designations and trade routes, each watch).

import { Api, ApiError, apiOrigin } from './api.js';
import { EventStream } from './events.js';
import { GalaxyMap, sovereignColour } from './map.js';
import { JobsTable, JobView, JobForm, jobFleet, jobWorld } from './jobs.js';
import { QueuesPanel } from './queues.js';
import { SchedulesPanel } from './schedules.js';
import { h, $, replace, fmtRelative } from './dom.js';
import { WebhooksPanel } from './webhooks.js';
import { TriggersPanel, TRIGGER_EVENTS } from './triggers.js';

const API_KEY = 'fleetd.api';   // the API base is not a secret: localStorage is fine

const state = {
  health: null,
  worlds: [],
  worldById: new Map(),
  fleets: [],
  fleetById: new Map(),
  player: 0,
  selected: null,
  events: [],
};

// --------------------------------------------------------------- settings
// The API base the user chose: in Settings, or from a link they confirmed.
function savedBase() {
  try { return localStorage.getItem(API_KEY) || ''; } catch { return ''; }
}

function saveBase(base) {
  try {
    if (base) localStorage.setItem(API_KEY, base);
    else localStorage.removeItem(API_KEY);
  } catch { /* ignore */ }
}

const normBase = (b) => String(b || '').trim().replace(/\/+$/, '');

// Where an API base points, for people: the page's own origin for ''.
const baseLabel = (b) => b || `${location.origin} (this page's origin)`;

// One modal dialog as a promise of its returnValue ('' when dismissed).
function dialogAnswer(dlg, cancelButton) {
  return new Promise((resolve) => {
    const onCancel = () => { dlg.returnValue = ''; dlg.close(); };
    const onClose = () => {
      dlg.removeEventListener('close', onClose);
      cancelButton.removeEventListener('click', onCancel);
      resolve(dlg.returnValue);
    };
    dlg.addEventListener('close', onClose);
    cancelButton.addEventListener('click', onCancel);
    dlg.returnValue = '';
    if (!dlg.open) dlg.showModal();
  });
}

// ?api= in the URL: a link can name any server, so its base is shown and
// used only once the user confirms it, and stored only then.  Nothing is
// sent to it before.  The parameter is taken out of the address either
// way, so a reload does not ask again.
async function linkedBase(current) {
  const params = new URLSearchParams(location.search);
  if (!params.has('api')) return current;
  const base = normBase(params.get('api'));
  params.delete('api');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  if (base === current) return current;
  if (!apiOrigin(base)) {
    banner(`The link's API base "${base}" is not an http(s) URL; it was not used.`);
    return current;
  }
  $('#link-api').textContent = baseLabel(base);
  $('#link-current').textContent = baseLabel(current);
  const answer = await dialogAnswer($('#link-dialog'), $('#link-cancel'));
  if (answer !== 'ok') {
    banner(`The link's API base ${base} was not used.`);
    return current;
  }
  saveBase(base);
  return base;
}

// ------------------------------------------------------------------ token
// The prompt names the origin the token is for: it is sent there only.
function askToken(reason, origin) {
  const dlg = $('#token-dialog');
  const input = $('#token-input');
  $('#token-reason').textContent = reason;
  $('#token-origin').textContent = origin;
  input.value = '';
  return new Promise((resolve) => {
    const done = (value) => {
      dlg.removeEventListener('close', onClose);
      $('#token-cancel').removeEventListener('click', onCancel);
      resolve(value);
    };
    const onClose = () => done(dlg.returnValue === 'ok' && input.value.trim() ? input.value.trim() : null);
    const onCancel = () => { dlg.returnValue = ''; dlg.close(); };
    dlg.addEventListener('close', onClose);
    $('#token-cancel').addEventListener('click', onCancel);
    dlg.returnValue = '';
    if (!dlg.open) dlg.showModal();
    input.focus();
  });
}

// The link's base (if any) is settled in start(), before any request.
const api = new Api(savedBase(), askToken);

// ------------------------------------------------- reading the API answers
const num = (v) => (v === undefined || v === null || v === '' ? undefined : Number(v));

function normWorld(w) {
  const p = w.position || w.pos || {};
  return {
    id: w.id,
    name: w.name || '',
    sovereign: w.sovereign ?? w.sovereign_id ?? 0,
    x: num(w.x ?? p.x ?? (Array.isArray(p) ? p[0] : undefined)) ?? 0,
    y: num(w.y ?? p.y ?? (Array.isArray(p) ? p[1] : undefined)) ?? 0,
    mine: w.mine,
    // trade partners' ids, for the map's lines
    routes: Array.isArray(w.trade_routes) ? w.trade_routes.map((r) => r.partner).filter((x) => typeof x === 'number') : [],
    raw: w,
  };
}

function isMineWorld(w) {
  return w.mine !== undefined ? !!w.mine : !!state.player && w.sovereign === state.player;
}

function normFleet(f) {
  const p = f.position || f.pos || {};
  let dest = f.destination ?? f.dest ?? null;
  let d = null;
  if (dest && typeof dest === 'object') {
    const dp = dest.position || {};
    d = { id: dest.id ?? dest.world, x: num(dest.x ?? dp.x), y: num(dest.y ?? dp.y) };
  } else if (dest || f.dest_id) {
    d = { id: dest || f.dest_id, x: num(f.dest_x), y: num(f.dest_y) };
  }
  if (d && (d.x === undefined || d.y === undefined)) {
    const w = state.worldById.get(d.id);
    if (w) { d.x = w.x; d.y = w.y; } else d = null;
  }
  return {
    id: f.id,
    name: f.name || '',
    sovereign: f.sovereign ?? f.sovereign_id,
    ftl: f.ftl_type ?? f.ftl ?? '',
    x: num(f.x ?? p.x ?? (Array.isArray(p) ? p[0] : undefined)) ?? 0,
    y: num(f.y ?? p.y ?? (Array.isArray(p) ? p[1] : undefined)) ?? 0,
    anchor: f.anchor ?? f.anchor_world ?? f.anchored_at ?? null,
    dest: d,
    eta: f.eta ?? (dest && typeof dest === 'object' ? dest.eta : undefined) ?? null,
    job: f.job ?? f.job_id ?? null,
    mine: f.mine,
    raw: f,
  };
}

// eta: {watch, estimated_at, estimated_ms} as fleetd gives it; a bare
// number is read as a watch, a string as a time.
function formatEta(f) {
  const e = f.eta;
  if (e === null || e === undefined) return '';
  if (typeof e === 'object') {
    if (e.estimated_ms) return `eta ${fmtRelative(e.estimated_ms)}`;
    if (e.estimated_at) return `eta ${fmtRelative(e.estimated_at)}`;
    return e.watch !== undefined ? etaWatch(e.watch) : '';
  }
  if (typeof e === 'string') return `eta ${fmtRelative(e)}`;
  return etaWatch(e);
}

function etaWatch(watch) {
  const w = state.health && typeof state.health.watch === 'number' ? state.health.watch : null;
  return w !== null ? `eta ${Math.max(watch - w, 0).toFixed(1)} watches` : `eta watch ${watch}`;
}

function resourcesText(res) {
  if (!Array.isArray(res) || !res.length) return '—';
  if (typeof res[0] === 'object') return res.map((r) => `${r.name || `#${r.id}`} ${r.qty}`).join(', ');
  const out = [];
  for (let i = 0; i + 1 < res.length; i += 2) out.push(`#${res[i]} ${res[i + 1]}`);
  return out.join(', ');
}

// ----------------------------------------------------------------- header
function renderHealth() {
  const hz = state.health || {};
  const up = hz.upstream && typeof hz.upstream === 'object' ? hz.upstream.state : hz.upstream;
  const badge = $('#h-upstream');
  badge.textContent = up || 'unknown';
  badge.className = `badge up-${up || 'unknown'}`;
  const watch = hz.watch ?? (hz.upstream && hz.upstream.watch);
  $('#h-watch').textContent = watch === null || watch === undefined ? '—' : String(watch);
  const jobs = hz.jobs || {};
  // counts by state ("live" is their sum: not shown twice)
  const parts = typeof jobs === 'object'
    ? Object.entries(jobs).filter(([k, n]) => k !== 'live' && typeof n === 'number' && n > 0).map(([k, n]) => `${n} ${k}`)
    : [String(jobs)];
  $('#h-jobs').textContent = parts.length ? parts.join(' · ') : 'none';
}

function setStream(s, detail) {
  const b = $('#h-stream');
  b.textContent = s;
  b.className = `badge stream-${s}`;
  b.title = detail || '';
}

function banner(msg) {
  const b = $('#banner');
  b.textContent = msg || '';
  b.hidden = !msg;
}

// -------------------------------------------------------------- the map
const map = new GalaxyMap($('#map'), { onSelect: (sel) => showDetails(sel), formatEta });
$('#zoom-in').addEventListener('click', () => map.zoom(1.4));
$('#zoom-out').addEventListener('click', () => map.zoom(1 / 1.4));
$('#zoom-fit').addEventListener('click', () => map.fit());

function pushMapData() {
  map.setData({ worlds: state.worlds, fleets: state.fleets, player: state.player });
  $('#map-counts').textContent = `${state.worlds.length} worlds · ${state.fleets.length} fleets`;
  legend();
}

function legend() {
  const own = document.querySelector('.legend .key.own');
  if (own) own.style.background = sovereignColour(state.player, state.player);
}

// ---------------------------------------------------------------- details
function holdingJob(fleetId) {
  const f = state.fleetById.get(fleetId);
  if (f && f.job) return f.job;
  const j = jobsTable.holding(fleetId);
  return j ? j.id : null;
}

function jobButton(id) {
  return h('button', { type: 'button', class: 'link', onclick: () => openJob(id) }, `job #${id}`);
}

function showDetails(sel) {
  state.selected = sel;
  const panel = $('#details');
  if (!sel) { panel.hidden = true; return; }
  const body = $('#details-body');
  if (sel.kind === 'fleet') {
    body.dataset.key = '';
    const f = state.fleetById.get(sel.id);
    if (!f) { panel.hidden = true; return; }
    const job = holdingJob(f.id);
    const where = f.anchor ? worldLabel(f.anchor) : `${f.x.toFixed(1)}, ${f.y.toFixed(1)}`;
    const res = f.raw.resources;
    $('#details-title').textContent = `Fleet ${f.name || ''} #${f.id}`;
    replace(body, h('dl', { class: 'facts' },
      h('dt', {}, 'Position'), h('dd', {}, where),
      h('dt', {}, 'FTL'), h('dd', {}, f.ftl || '—'),
      h('dt', {}, 'Destination'), h('dd', {}, f.dest ? `${worldLabel(f.dest.id)} (${formatEta(f)})` : '—'),
      h('dt', {}, 'Resources'), h('dd', {}, resourcesText(res)),
      h('dt', {}, 'Job'), h('dd', {}, job ? jobButton(job) : 'none')),
    h('button', { type: 'button', onclick: () => { jobForm.pickFleet(f.id); $('#job-name').focus(); } }, 'New job for this fleet'));
  } else {
    const w = state.worldById.get(sel.id);
    if (!w) { panel.hidden = true; return; }
    // drawn again only when something it shows changed: a live refresh
    // must not replace a button between the press and the release of a click
    const key = JSON.stringify([w.raw, state.player, worldJobs(w), state.fleets.filter((f) => f.anchor === w.id).map((f) => f.id)]);
    if (panel.hidden || body.dataset.key !== key) {
      $('#details-title').textContent = `World ${w.name} #${w.id}`;
      replace(body, worldFacts(w));
      body.dataset.key = key;
    }
  }
  panel.hidden = false;
}

// The world panel: who holds it, its designation, improvements, industries
// with their allocations, trade routes (each partner a button that goes
// there), the fleets and jobs at it.
const pct = (v) => (typeof v === 'number' ? `${Number(v.toFixed(1))}%` : '—');

function industryItem(ind) {
  const alloc = ind.allocation === null && ind.target_allocation === null ? 'allocation not shown'
    : ind.target_allocation !== null && ind.target_allocation !== ind.allocation
      ? `${pct(ind.allocation)} (set to ${pct(ind.target_allocation)})` : pct(ind.allocation ?? ind.target_allocation);
  const build = Array.isArray(ind.build) && ind.build.length
    ? `builds ${ind.build.map((b) => `${b.name || `#${b.resource}`} ${pct(b.percent)}`).join(', ')}` : '';
  return h('li', { dataset: { id: ind.id } },
    `${ind.name || ind.unid || `#${ind.id}`}: `, h('span', { class: 'alloc' }, alloc),
    build ? [h('br'), h('span', { class: 'muted' }, build)] : null);
}

function flowText(flows) {
  return (flows || []).map((f) => `${f.name || `#${f.resource}`} ${pct(f.percent)}${typeof f.amount === 'number' ? ` (${f.amount})` : ''}`).join(', ');
}

// The game lists a route on both worlds; `return` marks the exporter's
// entry (the partner imports from this world).
function routeItem(r) {
  const exporting = r.return === true;
  const flows = exporting ? r.exports : r.imports;
  const goTo = h('button', { type: 'button', class: 'link', onclick: () => selectWorld(r.partner) }, worldLabel(r.partner));
  return h('li', { dataset: { partner: r.partner } },
    exporting ? 'exports to ' : 'imports from ', goTo,
    flowText(flows) ? [h('br'), h('span', { class: 'muted' }, flowText(flows))] : null);
}

// The live jobs about a world: its world job, its fleets', those going there.
function worldJobs(w) {
  const jobs = new Set(state.fleets.filter((f) => f.anchor === w.id).map((f) => holdingJob(f.id)).filter(Boolean));
  const held = jobsTable.holdingWorld(w.id);
  if (held) jobs.add(held.id);
  for (const j of jobsTable.jobs.values())
    if ((j.steps || []).some((s) => s.to === w.id) && ['queued', 'running', 'waiting', 'paused'].includes(j.state)) jobs.add(j.id);
  return [...jobs];
}

function worldFacts(w) {
  const raw = w.raw;
  const here = state.fleets.filter((f) => f.anchor === w.id);
  const jobs = worldJobs(w);
  const held = jobsTable.holdingWorld(w.id);
  const list = (name, items, render) => (items.length
    ? h('ul', { class: 'world-list', dataset: { list: name } }, items.map(render))
    : h('span', { dataset: { list: name } }, 'none'));
  const improvements = Array.isArray(raw.improvements) ? raw.improvements : [];
  const industries = Array.isArray(raw.industries) ? raw.industries : [];
  const routes = Array.isArray(raw.trade_routes) ? raw.trade_routes : [];
  const designation = raw.designation_name || (raw.designation ? `#${raw.designation}` : '—');
  const mine = isMineWorld(w);
  return [h('dl', { class: 'facts' },
    h('dt', {}, 'Sovereign'), h('dd', {}, h('span', { class: 'swatch', style: { background: sovereignColour(w.sovereign, state.player) } }),
      ` ${w.sovereign === state.player ? 'you' : w.sovereign || 'independent'} (${w.sovereign})`),
    h('dt', {}, 'Position'), h('dd', {}, `${w.x.toFixed(1)}, ${w.y.toFixed(1)}`),
    h('dt', {}, 'Designation'), h('dd', { dataset: { fact: 'designation', id: raw.designation ?? '' } }, designation,
      raw.designation_unid ? h('span', { class: 'muted' }, ` (${raw.designation_unid})`) : null),
    raw.tech_level !== undefined ? [h('dt', {}, 'Tech level'), h('dd', {}, raw.tech_level)] : null,
    raw.population !== undefined ? [h('dt', {}, 'Population'), h('dd', {}, raw.population)] : null,
    h('dt', {}, 'Improvements'), h('dd', {}, list('improvements', improvements,
      (i) => h('li', { dataset: { id: i.id } }, i.name || i.unid || `#${i.id}`))),
    h('dt', {}, 'Industries'), h('dd', {}, list('industries', industries, industryItem)),
    h('dt', {}, 'Trade routes'), h('dd', {}, list('trade-routes', routes, routeItem)),
    h('dt', {}, 'Your fleets here'), h('dd', {}, here.length ? here.map((f) => `${f.name} #${f.id}`).join(', ') : 'none'),
    h('dt', {}, 'Jobs'), h('dd', {}, jobs.length ? jobs.map((id) => [jobButton(id), ' ']) : 'none')),
  mine ? h('div', { class: 'panel-actions' },
    h('button', { type: 'button', name: 'world-job', disabled: !!held, title: held ? `held by job #${held.id}` : null,
      onclick: () => { jobForm.pickWorld(w.id); $('#job-name').focus(); } }, 'New job for this world')) : null];
}

function selectWorld(id) {
  const w = state.worldById.get(id);
  if (!w) return;
  map.centreOn(w.x, w.y);
  map.select({ kind: 'world', id });
  showDetails({ kind: 'world', id });
  $('#details-title').focus();
}

function worldLabel(id) {
  const w = state.worldById.get(id);
  return w ? `${w.name} #${id}` : `world #${id}`;
}

$('#details-close').addEventListener('click', () => { map.select(null); showDetails(null); });

// ------------------------------------------------------------ fleets table
function renderFleets() {
  const rows = state.fleets.filter(isMine)
    .map((f) => {
      const job = holdingJob(f.id);
      return h('tr', { dataset: { fleet: f.id } },
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => selectFleet(f.id) }, `${f.name || 'fleet'} #${f.id}`)),
        h('td', {}, f.anchor ? worldLabel(f.anchor) : 'in transit'),
        h('td', {}, f.dest ? `${worldLabel(f.dest.id)} · ${formatEta(f)}` : ''),
        h('td', {}, job ? jobButton(job) : ''));
    });
  replace($('#fleets tbody'), rows);
}

function isMine(f) {
  if (f.mine !== undefined) return !!f.mine;
  return !state.player || f.sovereign === undefined || f.sovereign === state.player;
}

function selectFleet(id) {
  const f = state.fleetById.get(id);
  if (!f) return;
  map.centreOn(f.x, f.y);
  map.select({ kind: 'fleet', id });
  showDetails({ kind: 'fleet', id });
  $('#details-title').focus();
}

// ------------------------------------------------------------------- jobs
const jobsTable = new JobsTable($('#jobs'), { onOpen: (id) => openJob(id), onFilter: () => loadJobs() });
const jobView = new JobView($('#job-view'), api, {
  onChange: (job) => { jobsTable.upsert(job); later('health', loadHealth); },
  onError: (msg) => banner(msg),
  onFleet: (id) => selectFleet(id),
  onWorld: (id) => selectWorld(id),
  worldLabel: (id) => worldLabel(id),
  onJob: (id) => openJob(id),
  jobs: () => jobsTable.jobs,
});
const jobForm = new JobForm($('#job-form'), api, {
  onCreated: (job) => { jobsTable.upsert(job); openJob(job.id); },
});

const triggers = new TriggersPanel($('#triggers'), api, {
  onError: (msg) => banner(msg),
  onJob: (id) => openJob(id),
});

async function openJob(id) {
  try { await jobView.open(id); } catch (e) { banner(`job #${id}: ${e.message}`); }
}

// ---------------------------------------------------------------- loading
async function loadHealth() {
  // /healthz needs no token; it goes through the same client all the same.
  state.health = await api.get('/healthz');
  renderHealth();
}

async function loadFleets() {
  const list = await api.list('/v1/fleets', 'fleets');
  state.fleets = list.map(normFleet);
  state.fleetById = new Map(state.fleets.map((f) => [f.id, f]));
  if (!state.player) {
    const sov = state.health && (state.health.player ?? state.health.sovereign);
    const mine = state.fleets.find((f) => f.mine) || state.fleets.find((f) => f.sovereign);
    state.player = sov || (mine ? mine.sovereign : 0);
  }
  jobForm.setFleets(state.fleets.filter(isMine));
  renderFleets();
  pushMapData();
}

async function loadWorlds() {
  const list = await api.list('/v1/worlds?limit=1000', 'worlds');
  state.worlds = list.map(normWorld);
  state.worldById = new Map(state.worlds.map((w) => [w.id, w]));
  worldsChanged();
}

// After worlds were read again: the map, the form's world choices and an
// open world panel follow.
function worldsChanged() {
  jobForm.setWorlds(state.worlds.filter(isMineWorld));
  if (state.fleets.length || state.worlds.length) pushMapData();
  if (state.selected && state.selected.kind === 'world') showDetails(state.selected);
}

function putWorld(w) {
  const i = state.worlds.findIndex((x) => x.id === w.id);
  if (i >= 0) state.worlds[i] = w; else state.worlds.push(w);
  state.worldById.set(w.id, w);
}

async function loadWorld(id) {
  try {
    putWorld(normWorld(await api.get(`/v1/worlds/${id}`)));
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  worldsChanged();
}

// The player's worlds, each watch: designations, industries and trade
// routes change there.  A world no longer listed (lost) is read alone.
async function loadMyWorlds() {
  const list = (await api.list('/v1/worlds?sovereign=me&limit=1000', 'worlds')).map(normWorld);
  const now = new Set(list.map((w) => w.id));
  const lost = state.worlds.filter((w) => isMineWorld(w) && !now.has(w.id)).map((w) => w.id);
  for (const w of list) putWorld(w);
  for (const id of lost) {
    try { putWorld(normWorld(await api.get(`/v1/worlds/${id}`))); } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
    }
  }
  worldsChanged();
}

const schedules = new SchedulesPanel(api, (id) => openJob(id), banner);

async function loadJobs() {
  const f = jobsTable.filter;
  const list = await api.list(`/v1/jobs${f ? `?state=${encodeURIComponent(f)}` : ''}`, 'jobs', 2000);
  jobsTable.setAll(list);
  renderFleets();
}

async function loadFleet(id) {
  try {
    const f = normFleet(await api.get(`/v1/fleets/${id}`));
    state.fleetById.set(f.id, f);
    const i = state.fleets.findIndex((x) => x.id === f.id);
    if (i >= 0) state.fleets[i] = f; else state.fleets.push(f);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    state.fleetById.delete(id);    // destroyed or disbanded
    state.fleets = state.fleets.filter((x) => x.id !== id);
  }
  renderFleets();
  pushMapData();
  if (state.selected && state.selected.kind === 'fleet' && state.selected.id === id) showDetails(state.selected);
}

async function loadJob(id) {
  const job = await api.get(`/v1/jobs/${id}`);
  jobsTable.upsert(job);
  if (jobView.isOpen(id)) await jobView.refresh();
  // a child's change shows in its group's counts (groups.js)
  if (typeof job.parent === 'number' && jobView.isOpen(job.parent)) await jobView.refresh();
  const fid = jobFleet(job);
  if (fid) later(`fleet-${fid}`, () => loadFleet(fid));
  // a world job's step changes its world: read it again
  const wid = jobWorld(job);
  if (wid) later(`world-${wid}`, () => loadWorld(wid));
  if (state.selected && state.selected.kind === 'world') showDetails(state.selected);
}

async function loadAll() {
  banner('');
  const failed = [];
  const run = (what, fn) => fn().catch((e) => { failed.push([what, e]); });
  await run('health', loadHealth);
  await run('worlds', loadWorlds);
  await Promise.all([run('fleets', loadFleets), run('jobs', loadJobs),
    run('schedules', () => schedules.load()), run('queues', () => queuesPanel.load()),
    run('webhooks', () => webhooks.load()),
    run('triggers', () => triggers.load())]);
  if (!failed.length) {
    document.body.dataset.loaded = 'true';
    return;
  }
  const [, first] = failed[0];
  banner(first instanceof ApiError && first.status === 0
    ? `${first.message}. Check Settings (the API base) or start fleetd.`
    : `Loading failed: ${failed.map(([w, e]) => `${w}: ${e.message}`).join('; ')}`);
}

// Coalesce refetches: many events about one thing -> one request.
const timers = new Map();
function later(key, fn, ms = 120) {
  if (timers.has(key)) return;
  timers.set(key, setTimeout(() => {
    timers.delete(key);
    Promise.resolve().then(fn).catch((e) => banner(e.message));
  }, ms));
}

// ------------------------------------------------------------ live events
function eventRefs(ev) {
  const d = ev.data && typeof ev.data === 'object' ? ev.data : {};
  const inner = d.data && typeof d.data === 'object' ? d.data : {};
  const jobId = d.job_id || inner.job_id || (d.job && d.job.id) || (ev.type.startsWith('job') ? d.id : 0) || 0;
  const fleetId = d.fleet_id || inner.fleet_id || inner.fleet || (typeof d.fleet === 'number' ? d.fleet : 0) ||
    (ev.type.startsWith('fleet') ? d.id : 0) || 0;
  return { jobId, fleetId };
}

function onEvent(ev) {
  const { jobId, fleetId } = eventRefs(ev);
  state.events.unshift(ev);
  state.events.length = Math.min(state.events.length, 200);
  const log = $('#event-log');
  $('#event-empty').hidden = true;
  log.prepend(h('li', { dataset: { id: ev.id ?? '', type: ev.type } },
    h('span', { class: 'ev-id' }, `#${ev.id ?? ''}`), ' ', h('span', { class: 'ev-type' }, ev.type),
    jobId ? ` job #${jobId}` : '', fleetId ? ` fleet #${fleetId}` : ''));
  while (log.children.length > 200) log.lastChild.remove();

  if (jobId) later(`job-${jobId}`, () => loadJob(jobId));
  queuesPanel.onEvent(ev);
  if (fleetId) later(`fleet-${fleetId}`, () => loadFleet(fleetId));
  // a firing makes a job (job.created) or is skipped at a watch
  if (ev.type === 'watch' || ev.type === 'job.created') later('schedules', () => schedules.load(), 300);
  if (ev.type === 'watch' || ev.type.startsWith('upstream')) {
    later('fleets', loadFleets, 200);
    later('my-worlds', loadMyWorlds, 300);
  }
  // an event a trigger may watch, or a job one made: its list and last firing
  if (TRIGGER_EVENTS.includes(ev.type) || ev.type === 'job.created' ||
      (ev.type === 'job.state' && /^(failed|succeeded)$/.test(((ev.data && ev.data.data) || {}).to || ''))) {
    later('triggers', () => triggers.load(), 300);
  }
  later('health', loadHealth, 250);
  // an event a webhook may get: its deliveries move soon after
  if (ev.type === 'job.state' || ev.type.startsWith('fleet.') || ev.type.startsWith('world.')) {
    later('webhooks', () => webhooks.load(), 1000);
  }
}

const queuesPanel = new QueuesPanel(api, $('#queues'), {
  openJob: (id) => openJob(id),
  onError: (e) => banner(e.message),
});
const webhooks = new WebhooksPanel($('#webhooks'), api, { onError: (e) => banner(e.message) });
$('#webhooks button[name="refresh"]').addEventListener('click', () => webhooks.load().catch((e) => banner(e.message)));

let dropped = false;
const stream = new EventStream(api, {
  onEvent,
  onState: (s, detail) => {
    setStream(s, detail);
    if (s === 'reconnecting') dropped = true;
    // Back after a drop: the stream replays the events we missed
    // (Last-Event-ID); what failed to load meanwhile is loaded again.
    if (s === 'live') {
      later('health', loadHealth, 50);
      if (dropped) {
        dropped = false;
        banner('');
        later('fleets', loadFleets, 50);
        later('jobs', loadJobs, 50);
        later('my-worlds', loadMyWorlds, 50);
        later('queues', () => queuesPanel.load(), 50);
      }
    }
  },
});

// ------------------------------------------------------------- settings UI
$('#btn-settings').addEventListener('click', () => {
  const dlg = $('#settings-dialog');
  $('#api-base').value = api.base;
  dlg.showModal();
});
$('#settings-cancel').addEventListener('click', () => $('#settings-dialog').close());
// A new base starts without a token unless one was entered for its origin
// in this tab: the old base's token is never sent to it.
$('#settings-dialog').addEventListener('close', () => {
  const dlg = $('#settings-dialog');
  if (dlg.returnValue !== 'ok') return;
  const base = normBase($('#api-base').value);
  if (base && !apiOrigin(base)) {
    banner(`"${base}" is not an http(s) URL; the API base was not changed.`);
    return;
  }
  if (base === api.base) return;
  saveBase(base);
  const tokenDlg = $('#token-dialog');
  if (tokenDlg.open) { tokenDlg.returnValue = ''; tokenDlg.close(); }
  api.setBase(base);
  stream.reconnect();
  loadAll();
});
$('#btn-forget').addEventListener('click', () => { api.setToken(''); banner('Token forgotten.'); });

// Refresh the relative times ("in 2m 10s", the map's eta labels) without
// refetching anything.
setInterval(() => {
  if (!$('#jobs tbody').contains(document.activeElement)) jobsTable.render();
  if (state.fleets.some((f) => f.dest)) map.requestDraw();
}, 5000);

// For people (and tests) measuring the map: window.fleetdDashboard.map.draw()
// returns the time of one whole frame in ms.
window.fleetdDashboard = { map, state, stream };

async function start() {
  const base = await linkedBase(api.base);
  if (base !== api.base) api.setBase(base);
  stream.start();
  loadAll();
}

start();
