// queues.js -- the queues panel: every durable queue (GET /v1/queues) with
// the ids in it (front first), the items taken and not yet used up (with
// the job holding each) and the takes waiting, first come first served
// (GET /v1/queues/{name}).  Kept live by the SSE stream: app.js calls
// onEvent() for every event and the panel reloads (coalesced) on the
// queue events and on job state changes, which is when takers come and go.
// Everything shown is text (dom.js h()): nothing from the API is HTML.

import { h, replace } from './dom.js';

const SHOWN = 12; // ids listed per cell; the count says how many more

export class QueuesPanel {
  // root: the <section>; openJob(id) opens a job's view.
  constructor(api, root, { openJob, onError }) {
    this.api = api;
    this.root = root;
    this.openJob = openJob;
    this.onError = onError;
    this.queues = [];
    this.timer = null;
  }

  async load() {
    const list = (await this.api.get('/v1/queues')).queues || [];
    this.queues = await Promise.all(list.map((q) =>
      this.api.get(`/v1/queues/${encodeURIComponent(q.name)}`)));
    this.render();
  }

  // Reload at most every 150 ms, however many events come.
  onEvent(ev) {
    const t = ev.type || '';
    if (!t.startsWith('queue.') && t !== 'job.state' && t !== 'job.wait') return;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.load().catch((e) => this.onError(e));
    }, 150);
  }

  jobLink(id) {
    return h('button', { type: 'button', class: 'link', dataset: { job: id }, onclick: () => this.openJob(id) }, `#${id}`);
  }

  ids(list, total, cell) {
    const shown = list.slice(0, SHOWN).map((x) => [cell(x), ' ']);
    return [shown, total > SHOWN ? h('span', { class: 'muted' }, `+${total - SHOWN} more`) : '',
      total ? '' : h('span', { class: 'muted' }, 'none')];
  }

  render() {
    const rows = this.queues.map((q) => h('tr', { dataset: { queue: q.name } },
      h('th', { scope: 'row' }, q.name),
      h('td', { dataset: { cell: 'items' } },
        this.ids(q.items, q.size, (i) => h('span', { class: 'item', dataset: { value: i.value } }, String(i.value)))),
      h('td', { dataset: { cell: 'taken' } },
        this.ids(q.taken, q.taken_count, (t) => h('span', { class: 'item', dataset: { value: t.value } },
          `${t.value} → `, this.jobLink(t.job)))),
      h('td', { dataset: { cell: 'waiting' } },
        this.ids(q.waiting, q.waiting_count, (w) => this.jobLink(w.job)))));
    replace(this.root.querySelector('tbody'), rows);
    this.root.querySelector('.empty').hidden = rows.length > 0;
  }
}
