// webhooks.js -- the dashboard's webhook panel: every webhook with the
// count of its deliveries by state, and for the one chosen its latest
// deliveries (attempts, last status and error, dead letters) with a
// Redeliver button.  Uses only GET /v1/webhooks, GET
// /v1/webhooks/{id}/deliveries and POST .../redeliver; never sees a
// secret (no answer holds one after the 201).

import { h, replace, fmtTime } from './dom.js';

const PAGE = 50;

export class WebhooksPanel {
  constructor(root, api, { onError } = {}) {
    this.root = root;
    this.api = api;
    this.onError = onError || (() => {});
    this.hooks = [];
    this.chosen = null;
    this.list = root.querySelector('.webhook-list');
    this.deliveries = root.querySelector('.webhook-deliveries');
    this.empty = root.querySelector('.empty');
    this.status = root.querySelector('.form-status');
  }

  async load() {
    const page = await this.api.get('/v1/webhooks');
    this.hooks = (page && page.webhooks) || [];
    if (!this.hooks.some((w) => w.id === this.chosen)) {
      this.chosen = this.hooks.length ? this.hooks[0].id : null;
    }
    this.renderList();
    await this.loadDeliveries();
  }

  renderList() {
    this.empty.hidden = this.hooks.length > 0;
    replace(this.list, this.hooks.map((w) => h('li', { dataset: { webhook: w.id } },
      h('button', {
        type: 'button', class: 'link', 'aria-pressed': String(w.id === this.chosen),
        onclick: () => { this.chosen = w.id; this.renderList(); this.loadDeliveries().catch(this.onError); },
      }, `#${w.id} ${w.format}`),
      ' ', h('span', { class: 'muted url' }, w.url),
      ' ', h('span', { class: 'muted' }, w.events.join(', ')),
      ' ', h('span', { class: 'counts' },
        `${w.deliveries.pending} pending · ${w.deliveries.delivered} delivered · `,
        h('span', { class: w.deliveries.dead ? 'badge failed' : '' }, `${w.deliveries.dead} dead`)))));
  }

  async loadDeliveries() {
    if (this.chosen === null) {
      replace(this.deliveries);
      return;
    }
    const id = this.chosen;
    const page = await this.api.get(`/v1/webhooks/${id}/deliveries?limit=${PAGE}`);
    if (id !== this.chosen) return;
    this.renderDeliveries(id, (page && page.deliveries) || []);
  }

  renderDeliveries(hook, list) {
    replace(this.deliveries, list.map((d) => h('tr', { dataset: { delivery: d.id, state: d.state } },
      h('td', {}, `#${d.id}`),
      h('td', {}, d.event),
      h('td', {}, h('span', { class: `badge ${d.state === 'dead' ? 'failed' : d.state === 'delivered' ? 'succeeded' : 'waiting'}` }, d.state)),
      h('td', {}, String(d.attempts)),
      h('td', {}, d.last_status === null ? '' : String(d.last_status)),
      h('td', { class: 'error-text' }, d.last_error || ''),
      h('td', {}, fmtTime(d.last_attempt_ms)),
      h('td', {}, d.state === 'pending' ? '' : h('button', {
        type: 'button', 'aria-label': `Redeliver delivery ${d.id}`,
        onclick: (ev) => this.redeliver(hook, d.id, ev.currentTarget),
      }, 'Redeliver')))));
  }

  async redeliver(hook, id, button) {
    button.disabled = true;
    try {
      await this.api.post(`/v1/webhooks/${hook}/deliveries/${id}/redeliver`);
      this.status.textContent = `Delivery #${id} queued again.`;
      await this.load();
    } catch (e) {
      this.status.textContent = `Redeliver failed: ${e.message}`;
      button.disabled = false;
    }
  }
}
