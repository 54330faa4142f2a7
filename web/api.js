// api.js -- the dashboard's client for fleetd's public REST API.
//
// Every request goes through request(): it adds the bearer token, turns
// fleetd's error body {"error":{"code","message"}} into an ApiError, and on
// a 401 asks the user for a token once (concurrent requests share the one
// prompt) and retries.  Nothing here touches the DOM.
//
// A token is bound to the API origin it was entered for: it is kept in
// sessionStorage under that origin (never in a URL, a log line or
// localStorage) and sent only to that origin.  Another API base -- from a
// link or typed in the settings -- starts without a token and asks for its
// own, naming its origin; redirects are not followed, so no answer can
// carry the header elsewhere either.

const TOKEN_PREFIX = 'fleetd.token@';   // + the API origin it was entered for
const UNBOUND_TOKEN_KEY = 'fleetd.token'; // older pages kept one token for any base

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;   // 0 when fleetd could not be reached
    this.code = code;
    this.body = body;
  }
}

// The origin requests to `base` go to ('' is the page's own), or null
// when base is no http(s) URL.
export function apiOrigin(base) {
  try {
    const u = new URL(base || location.origin, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

export function loadToken(origin) {
  if (!origin) return '';
  try { return sessionStorage.getItem(TOKEN_PREFIX + origin) || ''; } catch { return ''; }
}

export function saveToken(origin, token) {
  if (!origin) return;
  try {
    if (token) sessionStorage.setItem(TOKEN_PREFIX + origin, token);
    else sessionStorage.removeItem(TOKEN_PREFIX + origin);
  } catch { /* storage disabled: the token lives in memory only */ }
}

// A token stored by an older page names no origin: it is dropped rather
// than guessed at.
function dropUnboundToken() {
  try { sessionStorage.removeItem(UNBOUND_TOKEN_KEY); } catch { /* ignore */ }
}

export class Api {
  // base: '' for the page's own origin, or e.g. 'http://127.0.0.1:8080'.
  // askToken(reason, origin) -> Promise<string|null>: null means the user
  // gave up; the token is for `origin` only.
  constructor(base, askToken) {
    dropUnboundToken();
    this.askToken = askToken;
    this.pendingAsk = null;
    this.setBase(base);
  }

  // A new API base takes the token entered for its origin in this tab, if
  // any -- never the token of the base before it.
  setBase(base) {
    this.base = String(base || '').replace(/\/+$/, '');
    this.origin = apiOrigin(this.base);
    this.token = loadToken(this.origin);
    this.pendingAsk = null;
  }

  url(path) { return this.base + path; }

  setToken(token) {
    this.token = token || '';
    saveToken(this.origin, this.token);
  }

  // The token goes only to the origin it was entered for.
  headers(url, extra = {}) {
    const h = { Accept: 'application/json', ...extra };
    if (this.token && this.origin && apiOrigin(url) === this.origin) {
      h.Authorization = `Bearer ${this.token}`;
    }
    return h;
  }

  // One prompt for all requests that met a 401 at the same time.
  // The token is kept only if the base is still the one it was asked for.
  async reauth(reason) {
    const origin = this.origin;
    if (!origin) return false;
    if (!this.pendingAsk) {
      const ask = Promise.resolve(this.askToken(reason, origin)).finally(() => {
        if (this.pendingAsk === ask) this.pendingAsk = null;
      });
      this.pendingAsk = ask;
    }
    const token = await this.pendingAsk;
    if (!token || this.origin !== origin) return false;
    this.setToken(token);
    return true;
  }

  // fetch() with the token; retries after a successful token prompt.
  // Returns the Response (for streams) -- callers check .ok themselves.
  async raw(path, init = {}) {
    for (;;) {
      const sentToken = this.token;
      const url = this.url(path);
      let res;
      try {
        res = await fetch(url, {
          cache: 'no-store',
          credentials: 'omit',
          ...init,
          redirect: 'error',
          headers: this.headers(url, init.headers),
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
