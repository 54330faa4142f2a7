// triggers.js -- the dashboard's triggers panel: the list of triggers
// (event, filter, cooldown, last firing and its job or why it was
// skipped), pause / resume / delete, and a form that creates one from a
// job template.  Only /v1/triggers and the event stream (app.js calls
// load() when an event may have fired one); nothing else of the page.

import { h, replace, fmtTime } from './dom.js';

export const TRIGGER_EVENTS = ['world.attacked', 'fleet.sighted', 'fleet.arrived',
  'world.lost', 'world.gained', 'job.failed', 'job.succeeded'];

// A job template per event: what a player usually wants it to start.
const TEMPLATES = {
  'world.attacked': { label: 'defend the world (its citadel fires)', where: { world: 0 },
    job: { world: '$world', steps: [{ op: 'launch_lams', target: { nearest: {} } }] } },
  'fleet.sighted': { label: 'hold the world a watch', where: { world: 0 },
    job: { world: '$world', steps: [{ op: 'wait', watches: 1 }] } },
  'fleet.arrived': { label: 'sell the cargo where it anchors', where: { fleet: 0 },
    job: { fleet: '$fleet', steps: [{ op: 'sell', to: '$world', resources: 'all' }] } },
  'world.lost': { label: 'note it (a short world wait)', where: {},
    job: { world: '$world', steps: [{ op: 'wait', seconds: 1 }] } },
  'world.gained': { label: 'a short wait on the new world', where: {},
    job: { world: '$world', steps: [{ op: 'wait', seconds: 1 }] } },
  'job.failed': { label: 'a job for one of your fleets', where: { name: 'upkeep' },
    job: { fleet: 0, steps: [{ op: 'wait', seconds: 1 }] } },
  'job.succeeded': { label: 'a job for one of your fleets', where: { name: 'upkeep' },
    job: { fleet: 0, steps: [{ op: 'wait', seconds: 1 }] } },
};

function firingText(f) {
  if (!f) return 'never fired';
  const when = fmtTime(f.at);
  if (f.state === 'fired') return `${when}: job #${f.job_id}`;
  if (f.state === 'skipped') return `${when}: skipped — ${f.reason}`;
  return `${when}: pending`;
}

export class TriggersPanel {
  // root: the <section id="triggers">; opts.onError(msg), opts.onJob(id)
  constructor(root, api, opts = {}) {
    this.root = root;
    this.api = api;
    this.opts = opts;
    this.items = [];
    this.form = root.querySelector('form');
    const on = this.form.elements.on;
    for (const ev of TRIGGER_EVENTS) on.append(h('option', { value: ev }, ev));
    on.addEventListener('change', () => this.useTemplate());
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.create(); });
    this.useTemplate();
  }

  // The chosen event's template into the where and job fields.
  useTemplate() {
    const t = TEMPLATES[this.form.elements.on.value];
    this.form.elements.where.value = JSON.stringify(t.where);
    this.form.elements.job.value = JSON.stringify(t.job, null, 1);
    this.root.querySelector('.template-hint').textContent = `Template: ${t.label}.`;
  }

  status(text, bad = false) {
    const p = this.root.querySelector('.form-status');
    p.textContent = text;
    p.classList.toggle('field-error', bad);
  }

  parseField(name) {
    const text = this.form.elements[name].value.trim();
    if (!text) return undefined;
    try { return JSON.parse(text); } catch (e) {
      throw new Error(`${name}: not JSON (${e.message})`);
    }
  }

  async create() {
    let body;
    try {
      body = { name: this.form.elements.name.value, on: this.form.elements.on.value,
        job: this.parseField('job') };
      const where = this.parseField('where');
      if (where && Object.keys(where).length) body.where = where;
      const cd = this.form.elements.cooldown.value.trim();
      if (cd) body.cooldown_seconds = Number(cd);
    } catch (e) {
      this.status(e.message, true);
      return;
    }
    try {
      const t = await this.api.post('/v1/triggers', body);
      this.status(`Trigger #${t.id} created.`);
      await this.load();
    } catch (e) {
      this.status(e.message, true);
    }
  }

  async act(t, what) {
    try {
      if (what === 'delete') await this.api.request('DELETE', `/v1/triggers/${t.id}`);
      else await this.api.post(`/v1/triggers/${t.id}/${what}`);
      await this.load();
    } catch (e) {
      if (this.opts.onError) this.opts.onError(`trigger #${t.id}: ${e.message}`);
    }
  }

  async load() {
    this.items = await this.api.list('/v1/triggers', 'triggers');
    this.render();
  }

  row(t) {
    const f = t.last_firing;
    const job = f && f.state === 'fired' && this.opts.onJob
      ? h('button', { type: 'button', class: 'link', onclick: () => this.opts.onJob(f.job_id) },
        firingText(f))
      : firingText(f);
    const pause = t.paused ? 'resume' : 'pause';
    return h('tr', { dataset: { id: t.id } },
      h('td', {}, `#${t.id} ${t.name}`),
      h('td', {}, t.on),
      h('td', {}, Object.keys(t.where).length ? JSON.stringify(t.where) : 'any'),
      h('td', {}, t.paused ? 'paused' : 'active',
        t.cooldown_seconds ? ` (cooldown ${t.cooldown_seconds}s)` : ''),
      h('td', { class: 'last-firing' }, job,
        t.firing_counts ? ` · ${t.firing_counts.fired} fired, ${t.firing_counts.skipped} skipped` : ''),
      h('td', {},
        h('button', { type: 'button', name: pause, 'aria-label': `${pause} trigger ${t.name}`,
          onclick: () => this.act(t, pause) }, pause === 'pause' ? 'Pause' : 'Resume'), ' ',
        h('button', { type: 'button', name: 'delete', 'aria-label': `delete trigger ${t.name}`,
          onclick: () => this.act(t, 'delete') }, 'Delete')));
  }

  render() {
    replace(this.root.querySelector('tbody'), this.items.map((t) => this.row(t)));
    this.root.querySelector('.empty').hidden = this.items.length > 0;
  }
}
