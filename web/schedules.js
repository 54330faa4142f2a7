// schedules.js -- the dashboard's schedules section (spec: "Schedules,
// triggers and notifications"): the list of schedules with their last and
// next firing, pause / resume / delete, and a form that makes a schedule
// from a job template (the JSON POST /v1/jobs takes).  Reads and writes
// only /v1/schedules through the Api it is given; the jobs a schedule
// fires reach the jobs table through the live stream like any other job.

import { h, $, replace, fmtTime } from './dom.js';

const EXAMPLE = '{"fleet": FLEET, "steps": [{"op": "wait", "seconds": 5}]}';

const ONE = { watches: 'watch', seconds: 'second' };

function every(s) {
  const [[unit, n]] = Object.entries(s.every || { watches: 0 });
  return n === 1 ? `every ${ONE[unit] || unit}` : `every ${n} ${unit}`;
}

function dueText(f) {
  if (!f) return '';
  if ('due_watch' in f) return f.due_watch === null ? 'its first watch' : `watch ${f.due_watch}`;
  return fmtTime(f.due_at);
}

export class SchedulesPanel {
  // onJob(id) opens a job's view; onError(message) shows a banner.
  constructor(api, onJob, onError) {
    this.api = api;
    this.onJob = onJob;
    this.onError = onError;
    this.list = [];
    this.root = $('#schedules');
    this.form = $('#schedule-form');
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.create(); });
    $('#schedule-job').placeholder = EXAMPLE;
  }

  async load() {
    this.list = await this.api.list('/v1/schedules', 'schedules', 1000);
    this.render();
  }

  lastCell(s) {
    const f = s.last_firing;
    if (!f) return h('td', { class: 'muted' }, 'not yet');
    return h('td', { dataset: { outcome: f.outcome } },
      h('span', { class: `badge ${f.outcome === 'fired' ? 'state-succeeded' : 'skipped'}` }, f.outcome),
      ' ', f.job ? h('button', { type: 'button', class: 'link', onclick: () => this.onJob(f.job) }, `#${f.job}`) : '',
      f.reason ? h('span', { class: 'muted' }, ` ${f.reason}`) : '');
  }

  row(s) {
    const act = (name, label, fn) => h('button', { type: 'button', name, 'aria-label': `${label} ${s.name}`,
      onclick: () => fn().catch((e) => this.onError(e.message)) }, label);
    return h('tr', { dataset: { id: s.id } },
      h('th', { scope: 'row' }, `#${s.id} `, s.name),
      h('td', {}, every(s)),
      this.lastCell(s),
      h('td', { class: 'next' }, s.paused ? h('span', { class: 'badge state-paused' }, 'paused')
        : `#${s.next_firing.number} at ${dueText(s.next_firing)}`),
      h('td', {}, s.paused ? act('resume', 'Resume', () => this.control(s, 'resume'))
        : act('pause', 'Pause', () => this.control(s, 'pause')),
      ' ', act('delete', 'Delete', () => this.remove(s))));
  }

  render() {
    replace($('tbody', this.root), this.list.map((s) => this.row(s)));
    $('.empty', this.root).hidden = this.list.length > 0;
  }

  async control(s, verb) {
    const next = await this.api.post(`/v1/schedules/${s.id}/${verb}`);
    this.list = this.list.map((x) => (x.id === s.id ? next : x));
    this.render();
  }

  async remove(s) {
    if (!window.confirm(`Delete schedule "${s.name}"? Its jobs keep running.`)) return;
    await this.api.request('DELETE', `/v1/schedules/${s.id}`);
    this.list = this.list.filter((x) => x.id !== s.id);
    this.render();
  }

  // The form as a POST /v1/schedules body, or an error message.
  body() {
    const f = this.form.elements;
    let job;
    try {
      job = JSON.parse(f.job.value);
    } catch (e) {
      return { error: `Job template: not JSON (${e.message})` };
    }
    const n = Number(f.count.value);
    return { body: { name: f.name.value.trim(), every: { [f.unit.value]: n }, job,
      overlap: f.overlap.value, catch_up: f.catch_up.value } };
  }

  async create() {
    const status = $('.form-status', this.form);
    const { body, error } = this.body();
    if (error) { status.textContent = error; return; }
    try {
      const s = await this.api.post('/v1/schedules', body);
      status.textContent = `Schedule #${s.id} created.`;
      this.list = this.list.filter((x) => x.id !== s.id).concat([s]);
      this.render();
    } catch (e) {
      status.textContent = e.message;   // the path first: "job.steps[0].to: ..."
    }
  }
}
