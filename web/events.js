// events.js -- follows fleetd's Server-Sent Events stream (/v1/events).
//
// EventSource cannot send an Authorization header, so the stream is read
// with fetch() and a streaming body, parsed here by the SSE rules (id:,
// event:, data:, retry:, blank line ends an event, ':' lines are comments).
// After a drop it reconnects by itself with Last-Event-ID set to the last
// id it saw, so the server replays what was missed.

export class EventStream {
  // onEvent({id, type, data}); onState('connecting'|'live'|'reconnecting'|'stopped', detail)
  constructor(api, { onEvent, onState }) {
    this.api = api;
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastId = null;
    this.retryMs = 1000;
    this.abort = null;
    this.running = false;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop();
  }

  stop() {
    this.running = false;
    if (this.abort) this.abort.abort();
    this.onState('stopped');
  }

  // Ends the current connection; the loop reconnects (used after a new
  // token or API base, and by the tests' "drop" button).
  reconnect() {
    if (this.abort) this.abort.abort();
  }

  async loop() {
    let failures = 0;
    while (this.running) {
      this.onState(failures ? 'reconnecting' : 'connecting');
      try {
        await this.connectOnce(() => { failures = 0; });
      } catch (e) {
        if (e.name !== 'AbortError') this.onState('reconnecting', e.message);
      }
      if (!this.running) break;
      failures++;
      // Backoff with jitter, capped; the server's retry: sets the base.
      const wait = Math.min(this.retryMs * 2 ** Math.min(failures - 1, 4), 15000);
      await sleep(wait * (0.75 + Math.random() * 0.5));
    }
  }

  async connectOnce(onOpen) {
    this.abort = new AbortController();
    const headers = { Accept: 'text/event-stream' };
    if (this.lastId !== null) headers['Last-Event-ID'] = this.lastId;
    const res = await this.api.raw('/v1/events', { headers, signal: this.abort.signal });
    if (res.status === 401) {
      // The user declined to give a token: wait for one rather than ask
      // again every few seconds.
      this.onState('stopped', 'needs the API token');
      const sent = this.api.token;
      while (this.running && this.api.token === sent) await sleep(1000);
      throw new Error('token changed');
    }
    if (!res.ok || !res.body) {
      throw new Error(`event stream: HTTP ${res.status}`);
    }
    onOpen();
    this.onState('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let ev = blank();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
        if (line === '') {
          this.dispatch(ev);
          ev = blank();
        } else {
          this.field(ev, line);
        }
      }
    }
    throw new Error('event stream ended');
  }

  field(ev, line) {
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') ev.data.push(value);
    else if (name === 'event') ev.type = value;
    else if (name === 'id' && !value.includes('\0')) ev.id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  dispatch(ev) {
    if (ev.id !== null) this.lastId = ev.id;
    if (ev.data.length === 0) return;
    const text = ev.data.join('\n');
    let data;
    try { data = JSON.parse(text); } catch { data = text; }
    const type = ev.type || (data && data.type) || 'message';
    this.onEvent({ id: ev.id ?? this.lastId, type, data });
  }
}

function blank() { return { id: null, type: '', data: [] }; }
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
