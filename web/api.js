// api.js -- the dashboard's client for fleetd's public REST API.
//
// Every request goes through request(): it adds the bearer token (kept in
// sessionStorage only, never in a URL, a log line or localStorage), turns
// fleetd's error body {"error":{"code","message"}} into an ApiError, and on
// a 401 asks the user for a token once (concurrent requests share the one
// prompt) and retries.  Nothing here touches the DOM.

const TOKEN_KEY = 'fleetd.token';

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;   // 0 when fleetd could not be reached
    this.code = code;
    this.body = body;
  }
}

export function loadToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

export function saveToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage disabled: the token lives in memory only */ }
}

export class Api {
  // base: '' for the page's own origin, or e.g. 'http://127.0.0.1:8080'.
  // askToken(reason) -> Promise<string|null>: null means the user gave up.
  constructor(base, askToken) {
    this.base = base.replace(/\/+$/, '');
    this.token = loadToken();
    this.askToken = askToken;
    this.pendingAsk = null;
  }

  url(path) { return this.base + path; }

  setToken(token) {
    this.token = token || '';
    saveToken(this.token);
  }

  headers(extra = {}) {
    const h = { Accept: 'application/json', ...extra };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    return h;
  }

  // One prompt for all requests that met a 401 at the same time.
  async reauth(reason) {
    if (!this.pendingAsk) {
      this.pendingAsk = Promise.resolve(this.askToken(reason)).finally(() => {
        this.pendingAsk = null;
      });
    }
    const token = await this.pendingAsk;
    if (token) this.setToken(token);
    return !!token;
  }

  // fetch() with the token; retries after a successful token prompt.
  // Returns the Response (for streams) -- callers check .ok themselves.
  async raw(path, init = {}) {
    for (;;) {
      const sentToken = this.token;
      let res;
      try {
        res = await fetch(this.url(path), {
          cache: 'no-store',
          credentials: 'omit',
          ...init,
          headers: this.headers(init.headers),
        });
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        throw new ApiError(0, 'unreachable', `fleetd is not reachable at ${this.base || location.origin}`);
      }
      if (res.status !== 401) return res;
      // Another request may already have got a fresh token: just retry.
      if (this.token && this.token !== sentToken) continue;
      const reason = sentToken ? 'The token was refused.' : 'fleetd asks for an API token.';
      if (!(await this.reauth(reason))) return res;
    }
  }

  async request(method, path, body, extraHeaders = {}) {
    const init = { method, headers: { ...extraHeaders } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await this.raw(path, init);
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch { data = null; }
    }
    if (!res.ok) {
      const err = data && data.error ? data.error : {};
      throw new ApiError(res.status, err.code || `http_${res.status}`,
        err.message || `${method} ${path}: HTTP ${res.status}`, data);
    }
    return data;
  }

  get(path) { return this.request('GET', path); }
  post(path, body, headers) { return this.request('POST', path, body, headers); }

  // Follows a cursor-paginated list to the end.  `key` names the array in
  // the page object; a bare array answer is accepted too.
  async list(path, key, limit = 100000) {
    const out = [];
    let next = path;
    while (next && out.length < limit) {
      const page = await this.get(next);
      const items = Array.isArray(page) ? page : (page && (page[key] || page.items)) || [];
      out.push(...items);
      const cursor = page && !Array.isArray(page) ? (page.next_cursor ?? page.next ?? page.cursor) : null;
      if (!cursor || items.length === 0) break;
      if (typeof cursor === 'string' && cursor.startsWith('/')) next = cursor;
      else next = path + (path.includes('?') ? '&' : '?') + 'cursor=' + encodeURIComponent(cursor);
    }
    return out;
  }
}
