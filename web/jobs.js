// jobs.js -- the jobs table, the job view (steps, history, controls) and
// the "new job" form.  Reads and writes only through the Api passed in;
// the live stream (app.js) calls upsert() when a job changes.

import { h, replace, fmtTime, fmtRelative } from './dom.js';
import { describeCond, describeStep, describeResources, TARGET_KEYS } from './cond.js';
import { OptionalCond, TargetField } from './condedit.js';
import { isParent, childCounts, countBadges, foldRows, groupFacts } from './groups.js';

export const STATES = ['queued', 'running', 'waiting', 'paused', 'succeeded', 'failed', 'cancelled'];
const LIVE = new Set(['queued', 'running', 'waiting']);

// The ten ops and their fields, as the spec lists them.  kind says how the
// text typed is turned into JSON; anything that does not parse is sent as
// typed, so fleetd's own validation answers (with the field's path).
// 'target': an id or the nearest world matching a filter; 'cond': an
// optional condition (condedit.js).
export const OPS = {
  move: [{ name: 'to', label: 'to (world id)', kind: 'target' }],
  wait: [{ name: 'seconds', label: 'seconds', kind: 'num', value: '60', optional: true },
    { name: 'watches', label: 'or watches', kind: 'num', optional: true },
    { name: 'until', label: 'or until a condition holds', kind: 'cond', optional: true },
    { name: 'timeout_seconds', label: 'timeout (s, with until)', kind: 'num', optional: true }],
  explore: [{ name: 'max', label: 'max worlds', kind: 'int', optional: true },
    { name: 'radius', label: 'radius (ly)', kind: 'num', optional: true },
    { name: 'group', label: 'group', kind: 'str', optional: true }],
  attack: [{ name: 'objective', label: 'objective', kind: 'choice', choices: ['spaceSupremacy', 'invasion', 'reinforceSiege'] },
    { name: 'enemies', label: 'enemies (sovereign ids)', kind: 'intlist', optional: true }],
  transfer: [{ name: 'to', label: 'to (object id)', kind: 'target' },
    { name: 'resources', label: 'resources (id, qty, ...)', kind: 'intlist' }],
  deploy: [{ name: 'from', label: 'from (world or fleet id)', kind: 'target' },
    { name: 'resources', label: 'resources (id, qty, ...)', kind: 'intlist' }],
  sell: [{ name: 'to', label: 'to (world id)', kind: 'target' },
    { name: 'resources', label: 'resources ("all" or id, qty, ...)', kind: 'intlist', value: 'all' }],
  buy: [{ name: 'item', label: 'item (resource id)', kind: 'int' },
    { name: 'count', label: 'count', kind: 'int' }],
  disband: [{ name: 'into', label: 'into (object id)', kind: 'target' }],
  rename: [{ name: 'name', label: 'new name', kind: 'str' }],
  // world ops: in a world job they act on its world; in a fleet job on
  // the step's `world` (default $here, where the fleet is anchored).
  // 'catalogue': a choice from GET /v1/catalogue?category=...; 'myworld':
  // one of the player's worlds.
  designate: [{ name: 'designation', label: 'designation', kind: 'catalogue', categories: ['designation'] }],
  build: [{ name: 'improvement', label: 'improvement', kind: 'catalogue', categories: ['improvement'] }],
  demolish: [{ name: 'improvement', label: 'improvement', kind: 'catalogue', categories: ['improvement'] }],
  industry: [{ name: 'industry', label: 'industry', kind: 'catalogue', categories: ['industry', 'improvement'] },
    { name: 'percent', label: 'percent (0-100)', kind: 'num' }],
  products: [{ name: 'industry', label: 'industry', kind: 'catalogue', categories: ['industry', 'improvement'] },
    { name: 'alloc', label: 'products (id, percent, ...)', kind: 'intlist' }],
  trade_route: [{ name: 'from', label: 'from (exporter)', kind: 'myworld' },
    { name: 'kind', label: 'kind', kind: 'choice', choices: ['default', 'export', 'consumption', 'quota', 'tech'] },
    { name: 'resource', label: 'resource id (consumption, quota)', kind: 'int', optional: true },
    { name: 'value', label: 'value (percent; tech: level 1-10)', kind: 'num', optional: true }],
  stop_trade_route: [{ name: 'with', label: 'with (partner)', kind: 'myworld' }],
  launch_lams: [{ name: 'target', label: 'target (world or fleet id)', kind: 'int' }],
};

// The ops that act on a world; a world job holds these and `wait` only.
export const WORLD_OPS = new Set(['designate', 'build', 'demolish', 'industry', 'products',
  'trade_route', 'stop_trade_route', 'launch_lams']);
const WORLD_JOB_OPS = (op) => op === 'wait' || WORLD_OPS.has(op);
// In a fleet job a world op may name its world.
const OP_WORLD = { name: 'world', label: 'world (id or $here; default $here)', kind: 'int', optional: true };
function opFields(op, holder) {
  return WORLD_OPS.has(op) && holder === 'fleet' ? [...OPS[op], OP_WORLD] : OPS[op];
}

// --- reading a job answer (field names as fleetd's openapi.yaml gives) ---
export function jobStepIndex(j) { return j.step ?? j.current_step ?? j.step_index ?? 0; }
export function jobSteps(j) { return Array.isArray(j.steps) ? j.steps : []; }
export function jobNextWake(j) { return j.next_wake ?? j.next_wake_at ?? j.wake_at ?? null; }
export function jobError(j) {
  const e = j.last_error ?? j.error ?? null;
  if (!e) return '';
  return typeof e === 'string' ? e : e.message || JSON.stringify(e);
}
export function jobFleet(j) { return j.fleet ?? j.fleet_id ?? null; }
export function jobWorld(j) { return j.world ?? null; }
// What a waiting job waits on, in words (fleetd's `wait` object).
export function jobWaitText(j) {
  const w = j.wait;
  if (!w || typeof w !== 'object') return '';
  switch (w.kind) {
    case 'anchored': return `fleet ${w.fleet} to anchor at world ${w.world}`;
    case 'battle_over': return `the battle at world ${w.world} to end`;
    case 'watch': return `watch ${w.watch}`;
    case 'fleet': return `news of fleet ${w.fleet}`;
    case 'mirror_ready': return 'the game state to load';
    case 'children': return 'its children to end';
    case 'cond': {
      const s = jobSteps(j)[jobStepIndex(j)];
      return s && s.until !== undefined ? describeCond(s.until) : 'a condition';
    }
    default: return w.kind || JSON.stringify(w);
  }
}
function wakeText(j) {
  const t = jobNextWake(j);
  if (t) return fmtRelative(t);
  const w = jobWaitText(j);
  return w ? `on ${w}` : '';
}
export function stepSummary(j) {
  const steps = jobSteps(j);
  if (!steps.length) return '';
  const i = Math.min(jobStepIndex(j), steps.length - 1);
  return `${i + 1}/${steps.length} ${steps[i].op || ''}`;
}

// What the events of a job say about its reactive parts: the job's `until`
// (from job.created: the job answer does not carry it), whether it was
// met, and per step the last pass's decisions (job.step_started resets a
// step; job.step_skipped and job.resolved follow it).
export function reactiveFacts(events) {
  const out = { until: undefined, untilMet: null, steps: new Map() };
  for (const e of events) {
    const d = e.data && typeof e.data === 'object' ? e.data : {};
    if (e.type === 'job.created' && d.spec && typeof d.spec === 'object') out.until = d.spec.until;
    else if (e.type === 'job.until_met') out.untilMet = { iteration: d.iteration, ts: e.ts };
    else if (typeof d.step === 'number') {
      if (e.type === 'job.step_started') out.steps.set(d.step, { iteration: d.iteration });
      const info = out.steps.get(d.step) || {};
      if (e.type === 'job.step_skipped') info.skipped = { value: d.value, reason: d.reason };
      else if (e.type === 'job.resolved') info.resolved = d.args || {};
      out.steps.set(d.step, info);
    }
  }
  return out;
}

function skippedText(sk) {
  return sk.reason ? `skipped: ${sk.reason}` : 'skipped: its if was false';
}

// job.resolved's args in words: "to Irsol 7 #1222; resources 90: 350"
function resolvedText(args, worldLabel) {
  return Object.entries(args).map(([k, v]) => (TARGET_KEYS.includes(k) && typeof v === 'number'
    ? `${k} ${worldLabel(v)}` : k === 'resources' ? `resources ${describeResources(v) || 'none'}`
      : `${k} ${JSON.stringify(v)}`)).join('; ');
}

// A history line's detail: the reactive events in words, others as JSON.
function eventDetail(e, worldLabel) {
  const d = e.data;
  if (!d || typeof d !== 'object') return d ? String(d) : '';
  const step = typeof d.step === 'number' ? `step ${d.step + 1} (${d.op}) ` : '';
  if (e.type === 'job.step_skipped') return step + skippedText(d);
  if (e.type === 'job.resolved') return `${step}resolved: ${resolvedText(d.args || {}, worldLabel)}`;
  if (e.type === 'job.until_met') return `until held before pass ${(d.iteration ?? 0) + 1}: the job is done`;
  if (e.type === 'job.retried') return `retried as job #${d.job}`;
  if (e.type === 'job.created' && d.retry_of) {
    return `retry of job #${d.retry_of}: starts at step ${d.step + 1}${d.iteration ? ` in pass ${d.iteration + 1}` : ''}`;
  }
  return JSON.stringify(d);
}

function stateBadge(state) {
  return h('span', { class: `badge state-${state}` }, state);
}

// ------------------------------------------------------------- the table
export class JobsTable {
  constructor(root, { onOpen, onFilter }) {
    this.root = root;
    this.jobs = new Map();
    this.filter = '';
    this.expanded = new Set(); // parents whose children are shown
    this.onOpen = onOpen;
    this.tbody = root.querySelector('tbody');
    this.empty = root.querySelector('.empty');
    const select = root.querySelector('select[name="state-filter"]');
    for (const s of STATES) select.append(h('option', { value: s }, s));
    select.addEventListener('change', () => {
      this.filter = select.value;
      onFilter(this.filter);
    });
  }

  setAll(list) {
    this.jobs = new Map(list.map((j) => [j.id, j]));
    this.render();
  }

  upsert(job) {
    this.jobs.set(job.id, job);
    this.render();
  }

  toggle(id) {
    if (this.expanded.has(id)) this.expanded.delete(id); else this.expanded.add(id);
    this.render();
  }

  // A group's parent folds its children under it (groups.js): a toggle
  // beside its id, and its children counted by state in the step column.
  render() {
    const rows = foldRows(this.jobs, this.expanded, (j) => !this.filter || j.state === this.filter)
      .map(({ job: j, child }) => h('tr', { class: child ? 'group-child' : isParent(j) ? 'group-parent' : null,
        dataset: { job: j.id, state: j.state } },
        h('td', {}, isParent(j) ? h('button', { type: 'button', class: 'fold', name: 'fold',
          'aria-expanded': String(this.expanded.has(j.id)),
          'aria-label': `${this.expanded.has(j.id) ? 'Hide' : 'Show'} the ${j.children.length} children of job ${j.id}`,
          onclick: () => this.toggle(j.id) }, this.expanded.has(j.id) ? '▾' : '▸') : null,
        h('button', { type: 'button', class: 'link', onclick: () => this.onOpen(j.id),
          'aria-label': `Open job ${j.id}` }, `#${j.id}`), j.name ? ` ${j.name}` : ''),
        h('td', {}, isParent(j) ? `group of ${j.children.length}`
          : jobFleet(j) ?? (jobWorld(j) ? `world ${jobWorld(j)}` : '')),
        h('td', {}, stateBadge(j.state)),
        h('td', { class: 'step' }, isParent(j) ? countBadges(childCounts(j, this.jobs), STATES) : stepSummary(j)),
        h('td', {}, LIVE.has(j.state) && !isParent(j) ? wakeText(j) : ''),
        h('td', { class: 'error-text' }, jobError(j))));
    replace(this.tbody, rows);
    this.empty.hidden = rows.length > 0;
  }

  holding(fleetId) {
    for (const j of this.jobs.values())
      if (jobFleet(j) === fleetId && (LIVE.has(j.state) || j.state === 'paused')) return j;
    return null;
  }

  // The live job holding a world (a world job), or null.
  holdingWorld(worldId) {
    for (const j of this.jobs.values())
      if (jobWorld(j) === worldId && (LIVE.has(j.state) || j.state === 'paused')) return j;
    return null;
  }
}

// ---------------------------------------------------------- the job view
export class JobView {
  constructor(root, api, { onChange, onError, onFleet, onWorld, worldLabel, onJob, jobs }) {
    this.root = root;
    this.api = api;
    this.onChange = onChange;
    this.onError = onError;
    this.onFleet = onFleet;
    this.onWorld = onWorld || (() => {});
    this.worldLabel = worldLabel || ((id) => `world #${id}`);
    this.onJob = onJob || (() => {});
    this.jobsKnown = jobs || (() => new Map()); // the table's jobs (a group's children)
    this.job = null;
    this.events = [];
  }

  // The job's history from after `after` (0: all of it), page by page
  // (fleetd's next_after); null when it could not be read.
  async loadEvents(id, after) {
    const out = [];
    for (let page = 0; page < 50; page++) {
      let r;
      try {
        r = await this.api.get(`/v1/jobs/${id}/events?limit=1000${after ? `&after=${after}` : ''}`);
      } catch {
        return page ? out : null;
      }
      const got = Array.isArray(r) ? r : r.events || r.items || [];
      out.push(...got);
      const next = Array.isArray(r) ? null : r.next_after;
      if (!next || !got.length) break;
      after = next;
    }
    return out;
  }

  lastEventId() {
    return this.events.length ? Number(this.events[this.events.length - 1].id) || 0 : 0;
  }

  async open(id) {
    this.root.hidden = false;
    const [job, events] = await Promise.all([this.api.get(`/v1/jobs/${id}`), this.loadEvents(id, 0)]);
    this.job = job;
    this.events = events || [];
    this.render();
    this.root.querySelector('h2').focus();
  }

  isOpen(id) { return this.job && this.job.id === id && !this.root.hidden; }

  async refresh() {
    if (!this.job || this.root.hidden) return;
    const id = this.job.id;
    // only what is new since the last read
    const after = this.lastEventId();
    const [job, events] = await Promise.all([this.api.get(`/v1/jobs/${id}`), this.loadEvents(id, after)]);
    if (!this.job || this.job.id !== id) return;
    this.job = job;
    if (events && after === this.lastEventId()) this.events.push(...events);
    this.render();
  }

  close() {
    this.root.hidden = true;
    this.job = null;
  }

  async control(action) {
    const id = this.job.id;
    try {
      const job = await this.api.post(`/v1/jobs/${id}/${action}`);
      if (job && job.id) this.job = job;
      this.onChange(this.job);
      await this.refresh();
    } catch (e) {
      this.onError(`${action} job ${id}: ${e.message}`);
    }
  }

  // A failed job run again from its failed step: a new job (retry_of this
  // one), which the view then shows.  The button is disabled while the
  // request is out, and the key makes a resent request answer the same job.
  async retry() {
    const id = this.job.id;
    const p = this.layout();
    p.retry.disabled = true;
    try {
      const key = `dash-retry-${id}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const job = await this.api.post(`/v1/jobs/${id}/retry`, undefined, { 'Idempotency-Key': key });
      this.onChange(job);
      await this.open(job.id);
    } catch (e) {
      this.onError(`retry job ${id}: ${e.message}`);
      if (this.job && this.job.id === id) p.retry.disabled = p.retry.hidden;
    }
  }

  // The control buttons are made once and only enabled or disabled by a
  // render: a live refresh (an event of this job) must not replace a button
  // between the press and the release of a click, which loses the click.
  layout() {
    if (this.parts) return this.parts;
    const button = (name, label, cls) => h('button', { type: 'button', name, class: cls || null,
      onclick: () => this.control(name) }, label);
    const p = {
      head: h('div', {}),
      pause: button('pause', 'Pause'),
      resume: button('resume', 'Resume'),
      cancel: button('cancel', 'Cancel', 'danger'),
      retry: h('button', { type: 'button', name: 'retry', title: 'Run a new job from the step that failed',
        onclick: () => this.retry() }, 'Retry from failed step'),
      body: h('div', {}),
    };
    replace(this.root, p.head,
      h('div', { class: 'controls', role: 'group', 'aria-label': 'Job controls' }, p.pause, p.resume, p.cancel, p.retry),
      p.body);
    this.parts = p;
    return p;
  }

  render() {
    const j = this.job;
    const steps = jobSteps(j);
    const cur = jobStepIndex(j);
    const live = LIVE.has(j.state);
    const facts = reactiveFacts(this.events);
    const until = j.until ?? facts.until;
    const p = this.layout();
    replace(p.head,
      h('div', { class: 'panel-head' },
        h('h2', { tabindex: '-1' }, `Job #${j.id}`, j.name ? ` — ${j.name}` : ''),
        h('button', { type: 'button', class: 'close', 'aria-label': 'Close job view', onclick: () => this.close() }, '×')),
      h('p', {}, 'State: ', stateBadge(j.state), ' · step ', stepSummary(j)));
    p.pause.disabled = !live;
    p.resume.disabled = j.state !== 'paused';
    p.cancel.disabled = !(live || j.state === 'paused');
    // a group is retried child by child (its failed children's views)
    p.retry.hidden = j.state !== 'failed' || isParent(j);
    p.retry.disabled = p.retry.hidden;
    replace(p.body,
      h('dl', { class: 'facts' },
        jobWorld(j) ? [h('dt', {}, 'World'), h('dd', {}, h('button', { type: 'button', class: 'link',
          onclick: () => this.onWorld(jobWorld(j)) }, this.worldLabel(jobWorld(j))))]
          : [h('dt', {}, 'Fleet'), h('dd', {}, jobFleet(j) ? h('button', { type: 'button', class: 'link',
            onclick: () => this.onFleet(jobFleet(j)) }, `fleet #${jobFleet(j)}`) : isParent(j) ? 'one per child' : '—')],
        typeof j.parent === 'number' ? [h('dt', {}, 'Group'), h('dd', {}, h('button', { type: 'button', class: 'link',
          onclick: () => this.onJob(j.parent) }, `parent #${j.parent}`))] : null,
        h('dt', {}, 'Next wake'), h('dd', {}, jobNextWake(j) ? `${fmtTime(jobNextWake(j))} (${fmtRelative(jobNextWake(j))})` : '—'),
        jobWaitText(j) && j.state === 'waiting' ? [h('dt', {}, 'Waiting for'), h('dd', { class: 'wait-text' }, jobWaitText(j))] : null,
        until !== undefined ? [h('dt', {}, 'Until'), h('dd', { class: 'until-text' }, describeCond(until),
          facts.untilMet ? [' ', h('span', { class: 'badge state-succeeded' }, `met before pass ${(facts.untilMet.iteration ?? 0) + 1}`)] : null)] : null,
        j.retry_of ? [h('dt', {}, 'Retry of'), h('dd', {}, h('button', { type: 'button', class: 'link retry-of',
          onclick: () => this.open(j.retry_of) }, `job #${j.retry_of}`))] : null,
        h('dt', {}, 'Attempts'), h('dd', {}, j.attempts ?? 0),
        h('dt', {}, 'Last error'), h('dd', { class: jobError(j) ? 'error-text' : '' }, jobError(j) || '—'),
        h('dt', {}, 'Created'), h('dd', {}, fmtTime(j.created_at ?? j.created) || '—'),
        h('dt', {}, 'Updated'), h('dd', {}, fmtTime(j.updated_at ?? j.updated) || '—')),
      isParent(j) ? groupFacts(j, this.jobsKnown(), STATES, this.onJob) : null,
      h('h3', {}, 'Steps'),
      h('ol', { class: 'steps' }, steps.map((s, i) => {
        const info = facts.steps.get(i) || {};
        const pass = j.repeat && typeof info.iteration === 'number' ? ` (pass ${info.iteration + 1})` : '';
        return h('li', {
          class: i < cur || j.state === 'succeeded' ? 'done' : i === cur && (live || j.state === 'paused') ? 'current' : '',
          'aria-current': i === cur && live ? 'step' : null,
          dataset: { step: i, ...(info.skipped ? { skipped: 'true' } : {}), ...(info.resolved ? { resolved: 'true' } : {}) },
        }, h('span', { class: 'step-text' }, describeStep(s)),
        s.if !== undefined ? h('span', { class: 'step-if' }, `only if ${describeCond(s.if)}`) : null,
        info.skipped ? h('span', { class: 'step-skipped' }, h('span', { class: 'badge skipped' }, 'skipped'),
          ` ${skippedText(info.skipped).replace(/^skipped: /, '')}${pass}`) : null,
        info.resolved ? h('span', { class: 'step-resolved' },
          `resolved: ${resolvedText(info.resolved, this.worldLabel)}${pass}`) : null);
      })),
      h('h3', {}, 'History'),
      h('div', { class: 'history-wrap', tabindex: '0', role: 'region', 'aria-label': `History of job ${j.id}` }, h('table', { class: 'history' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'id'), h('th', { scope: 'col' }, 'time'),
          h('th', { scope: 'col' }, 'event'), h('th', { scope: 'col' }, 'detail'))),
        h('tbody', {}, this.events.map((e) => h('tr', {},
          h('td', {}, e.id), h('td', {}, fmtTime(e.ts ?? e.time)), h('td', {}, e.type),
          h('td', { class: 'detail' }, eventDetail(e, this.worldLabel))))))));
  }
}

// ----------------------------------------------------------- the form
function parseValue(kind, text) {
  const t = text.trim();
  if (kind === 'str' || kind === 'choice') return t;
  if (kind === 'intlist') {
    if (t === 'all') return 'all';
    return t.split(/[\s,]+/).filter(Boolean).map((x) => (/^-?\d+(\.\d+)?$/.test(x) ? Number(x) : x));
  }
  // numbers (ids, a catalogue id) as numbers; a unid, "$here" as typed
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

// "steps[1].to: must be ..." -> "steps[1].to"
export function errorPath(err) {
  const b = err.body && err.body.error;
  if (b && typeof b.path === 'string') return b.path;
  const m = /^([A-Za-z_]\w*(?:\[\d+\])*(?:\.[A-Za-z_]\w*(?:\[\d+\])*)*)\s*:\s/.exec(err.message || '');
  return m ? m[1] : '';
}

export class JobForm {
  constructor(form, api, { onCreated }) {
    this.form = form;
    this.api = api;
    this.onCreated = onCreated;
    this.steps = [];
    this.worlds = [];           // the player's worlds: [{id, name}]
    this.worldsKey = '';
    this.catalogue = new Map(); // category -> {entries, failed, loading}
    this.list = form.querySelector('.step-list');
    this.fleetSelect = form.querySelector('select[name="fleet"]');
    this.worldSelect = form.querySelector('select[name="world"]');
    this.holderSelect = form.querySelector('select[name="holder"]');
    this.opSelect = form.querySelector('select[name="op"]');
    this.fillOps();
    this.holderSelect.addEventListener('change', () => this.holderChanged());
    form.querySelector('button[name="add-step"]').addEventListener('click', () => {
      this.addStep(this.opSelect.value);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.status = form.querySelector('.form-status');
    // the job's `until`, checked before each pass
    this.until = new OptionalCond('until', 'until', 'Until a condition holds (checked before each pass; then the job succeeds)');
    form.querySelector('.until-slot').append(this.until.el);
    this.holderChanged();
  }

  // 'fleet' or 'world': what the job holds.
  get holder() { return this.holderSelect.value === 'world' ? 'world' : 'fleet'; }

  holderChanged() {
    const world = this.holder === 'world';
    this.fleetSelect.closest('.field').hidden = world;
    this.worldSelect.closest('.field').hidden = !world;
    this.fillOps();
    this.renderSteps();   // a world op's `world` field is for fleet jobs only
  }

  // The step templates the holder can run: a world job holds `wait` and
  // the world ops only.
  fillOps() {
    const keep = this.opSelect.value;
    const ops = Object.keys(OPS).filter((op) => this.holder === 'fleet' || WORLD_JOB_OPS(op));
    replace(this.opSelect, ops.map((op) => h('option', { value: op }, WORLD_OPS.has(op) ? `${op} (world)` : op)));
    if (ops.includes(keep)) this.opSelect.value = keep;
    else if (this.holder === 'world') this.opSelect.value = 'designate';
  }

  setFleets(fleets) {
    const keep = this.fleetSelect.value;
    replace(this.fleetSelect, h('option', { value: '' }, '— choose a fleet —'),
      fleets.map((f) => h('option', { value: f.id }, `${f.name || 'fleet'} (#${f.id})${f.job ? ` · job #${f.job}` : ''}`)));
    this.fleetSelect.value = keep;
  }

  // The player's worlds, for the world select and the steps that name one
  // (a trade route's exporter).  Re-rendered only when the list changes.
  setWorlds(worlds) {
    const list = worlds.map((w) => ({ id: w.id, name: w.name || '' })).sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    const key = list.map((w) => `${w.id}:${w.name}`).join(',');
    if (key === this.worldsKey) return;
    this.worldsKey = key;
    this.worlds = list;
    const keep = this.worldSelect.value;
    replace(this.worldSelect, h('option', { value: '' }, '— choose one of your worlds —'), this.worldOptions(keep));
    this.worldSelect.value = keep;
    if (this.steps.some((st) => OPS[st.op].some((f) => f.kind === 'myworld'))) this.renderSteps();
  }

  worldOptions(selected) {
    const opts = this.worlds.map((w) => h('option', { value: w.id, selected: String(w.id) === String(selected) }, `${w.name} (#${w.id})`));
    // a value typed before the list came (or a world no longer listed) stays
    if (selected && !this.worlds.some((w) => String(w.id) === String(selected))) {
      opts.push(h('option', { value: selected, selected: true }, `world #${selected}`));
    }
    return opts;
  }

  pickFleet(id) {
    this.holderSelect.value = 'fleet';
    this.holderChanged();
    this.fleetSelect.value = String(id);
  }

  pickWorld(id) {
    this.holderSelect.value = 'world';
    this.holderChanged();
    if (![...this.worldSelect.options].some((o) => o.value === String(id))) {
      this.worldSelect.append(h('option', { value: id }, `world #${id}`));
    }
    this.worldSelect.value = String(id);
  }

  // GET /v1/catalogue?category=..., once per category; the steps are
  // drawn again when it arrives (what was chosen is kept).
  loadCatalogue(category) {
    if (this.catalogue.has(category)) return;
    const c = { entries: [], failed: false, loading: true };
    this.catalogue.set(category, c);
    this.api.list(`/v1/catalogue?category=${encodeURIComponent(category)}`, 'catalogue')
      .then((entries) => { c.entries = entries; })
      .catch(() => { c.failed = true; })
      .finally(() => { c.loading = false; this.renderSteps(); });
  }

  // A catalogue choice: a select of the categories' entries (value: the
  // unid, else the id), or a text input when the catalogue cannot be read.
  catalogueInput(f, id, val, data) {
    const cats = f.categories.map((cat) => {
      this.loadCatalogue(cat);
      return [cat, this.catalogue.get(cat)];
    });
    if (cats.every(([, c]) => c.failed)) {
      return h('input', { id, name: id, type: 'text', value: val, autocomplete: 'off', placeholder: 'id or unid', dataset: data });
    }
    const loading = cats.some(([, c]) => c.loading);
    let found = false;
    const option = (e) => {
      const v = String(e.unid ?? e.id);
      const on = v === String(val) || String(e.id) === String(val);
      if (on) found = true;
      return h('option', { value: v, selected: on }, e.name ? `${e.name}` : v);
    };
    const groups = cats.map(([cat, c]) => (cats.length > 1
      ? h('optgroup', { label: cat }, c.entries.map(option)) : c.entries.map(option)));
    return h('select', { id, name: id, dataset: data, 'aria-busy': loading ? 'true' : null },
      h('option', { value: '' }, loading ? 'loading the catalogue…' : `— choose ${f.label === 'industry' ? 'an industry' : `a ${f.label}`} —`),
      groups,
      val && !found ? h('option', { value: val, selected: true }, String(val)) : null);
  }

  addStep(op, values = {}) {
    const path = `steps[${this.steps.length}]`;
    // the reactive controls keep their elements across re-renders
    const widgets = {};
    for (const f of OPS[op]) {
      if (f.kind === 'target') widgets[f.name] = new TargetField(f.name, f.label, `${path}.${f.name}`, values[f.name] ?? '');
      else if (f.kind === 'cond') widgets[f.name] = new OptionalCond(f.name, `${path}.${f.name}`, f.label);
    }
    widgets.if = new OptionalCond('if', `${path}.if`, 'only if a condition holds (else skipped)');
    this.steps.push({ op, values, widgets });
    this.renderSteps();
    const first = this.list.querySelector(`fieldset[data-path="${path}"]`)
      .querySelector('input:not([hidden]), select');
    if (first) first.focus();
  }

  readSteps() {
    // keep what the user typed across re-renders
    this.list.querySelectorAll('[data-field]').forEach((el) => {
      const m = /^(\d+)\.(\w+)$/.exec(el.dataset.field);
      if (m && this.steps[m[1]]) this.steps[m[1]].values[m[2]] = el.value;
    });
  }

  renderSteps() {
    this.readSteps();
    replace(this.list, this.steps.map((s, i) => {
      const path = `steps[${i}]`;
      const fields = opFields(s.op, this.holder).map((f) => {
        const w = s.widgets[f.name];
        if (w) {
          w.setPath(`${path}.${f.name}`);
          return w.el;
        }
        const id = `f-${i}-${f.name}`;
        const val = s.values[f.name] ?? f.value ?? '';
        const data = { path: `${path}.${f.name}`, field: `${i}.${f.name}` };
        let input;
        if (f.kind === 'choice') {
          input = h('select', { id, name: id, dataset: data },
            f.choices.map((c) => h('option', { value: c, selected: c === val }, c)));
        } else if (f.kind === 'catalogue') {
          input = this.catalogueInput(f, id, val, data);
        } else if (f.kind === 'myworld') {
          input = h('select', { id, name: id, dataset: data },
            h('option', { value: '' }, '— choose one of your worlds —'), this.worldOptions(val));
        } else {
          input = h('input', { id, name: id, type: 'text', value: val, autocomplete: 'off',
            inputmode: f.kind === 'int' || f.kind === 'num' ? 'decimal' : null, dataset: data });
        }
        return h('div', { class: 'field' }, h('label', { for: id }, f.label), input);
      });
      s.widgets.if.setPath(`${path}.if`);
      return h('fieldset', { class: 'step', dataset: { path } },
        h('legend', {}, `Step ${i + 1}: ${s.op}`),
        fields,
        s.widgets.if.el,
        h('button', { type: 'button', class: 'remove', 'aria-label': `Remove step ${i + 1}`,
          onclick: () => { this.readSteps(); this.steps.splice(i, 1); this.renderSteps(); } }, 'Remove'));
    }));
  }

  // The job as JSON, from what is typed.  Empty optional fields are left
  // out; a required one left empty is left out too, and fleetd says so.
  build() {
    this.readSteps();
    const job = {};
    const name = this.form.querySelector('input[name="name"]').value.trim();
    if (name) job.name = name;
    if (this.holder === 'world') {
      const world = this.worldSelect.value;
      if (world) job.world = parseValue('int', world);
    } else {
      const fleet = this.fleetSelect.value;
      if (fleet) job.fleet = parseValue('int', fleet);
    }
    const until = this.until.value();
    if (until !== undefined) job.until = until;
    job.steps = this.steps.map((s) => {
      const step = { op: s.op };
      for (const f of opFields(s.op, this.holder)) {
        if (s.widgets[f.name]) {
          const v = s.widgets[f.name].value();
          if (v !== undefined) step[f.name] = v;
          continue;
        }
        const text = String(s.values[f.name] ?? f.value ?? '');
        if (text.trim() === '') continue;
        step[f.name] = parseValue(f.kind, text);
      }
      const cond = s.widgets.if.value();
      if (cond !== undefined) step.if = cond;
      return step;
    });
    if (this.form.querySelector('input[name="repeat"]').checked) job.repeat = true;
    return job;
  }

  clearErrors() {
    this.form.querySelectorAll('.field-error').forEach((e) => e.remove());
    this.form.querySelectorAll('[aria-invalid]').forEach((e) => {
      e.removeAttribute('aria-invalid');
      e.removeAttribute('aria-describedby');
    });
    this.status.textContent = '';
    this.status.className = 'form-status';
  }

  // Puts the server's message beside the field its path names (or the
  // nearest enclosing one: steps[1] for steps[1].foo, the form otherwise).
  showError(err) {
    const path = errorPath(err);
    const nameInput = this.form.querySelector('input[name="name"]');
    let target = null;
    for (let p = path; p && !target;) {
      target = p === 'fleet' ? this.fleetSelect : p === 'world' ? this.worldSelect : p === 'name' ? nameInput
        : this.form.querySelector(`[data-path="${CSS.escape(p)}"]`);
      if (target && target.closest('[hidden]')) target = null;   // e.g. the id input of a nearest target
      const shorter = p.replace(/(\.\w+|\[\d+\])$/, '');
      if (shorter === p) break;
      p = shorter;
    }
    const msg = h('p', { class: 'field-error', id: `err-${Math.random().toString(36).slice(2)}`, role: 'alert' },
      err.message);
    if (target) {
      const field = target.tagName === 'FIELDSET' ? target.querySelector('legend') : target;
      field.after(msg);
      if (target.tagName !== 'FIELDSET') {
        target.setAttribute('aria-invalid', 'true');
        target.setAttribute('aria-describedby', msg.id);
        target.focus();
      }
    } else {
      this.status.className = 'form-status field-error';
      this.status.textContent = err.message;
    }
  }

  async submit() {
    this.clearErrors();
    const job = this.build();
    const button = this.form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const key = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
      const created = await this.api.post('/v1/jobs', job, { 'Idempotency-Key': key });
      this.status.textContent = `Job #${created.id} created.`;
      this.onCreated(created);
    } catch (e) {
      this.showError(e);
    } finally {
      button.disabled = false;
    }
  }
}
