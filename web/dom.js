// dom.js -- the few DOM helpers the dashboard needs (no framework).
// Builds elements with text content only: nothing from the API is ever
// parsed as HTML, so a world named "<img onerror=...>" stays text.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    // through the CSSOM: the page's CSP forbids style="" attributes
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);

const FOCUSABLE = 'button, input, select, textarea, a[href], [tabindex]';

// Re-render el's content.  Live data re-renders parts of the page while a
// keyboard user may be on a control inside them: the focus then moves to
// the control at the same place in the new content instead of falling
// back to the page.
export function replace(el, ...children) {
  const active = document.activeElement;
  const at = active && el.contains(active) ? [...el.querySelectorAll(FOCUSABLE)].indexOf(active) : -1;
  el.replaceChildren();
  append(el, children);
  if (at >= 0) {
    const again = el.querySelectorAll(FOCUSABLE);
    const target = again[Math.min(at, again.length - 1)];
    if (target) target.focus({ preventScroll: true });
  }
}

// Wall-clock ms or an RFC 3339 string -> "14:03:07" today, else date + time.
export function fmtTime(t) {
  if (t === undefined || t === null || t === '') return '';
  const d = typeof t === 'number' ? new Date(t) : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

// "in 3m 05s" / "2m ago" relative to now, for next-wake columns.
export function fmtRelative(t) {
  if (t === undefined || t === null || t === '') return '';
  const ms = (typeof t === 'number' ? t : Date.parse(t)) - Date.now();
  if (Number.isNaN(ms)) return String(t);
  const s = Math.round(Math.abs(ms) / 1000);
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
