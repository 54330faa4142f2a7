// cond.js -- reactive jobs in words: conditions (as fleetd's cond.c
// cond_describe() puts them, word for word: "world 1000: stock of 130 at
// least 40,000", "fleet $self: at world 20", "not (...)", "all of (a; b)",
// "any of (...)"), nearest-world filters, computed quantities and targets.
// Pure functions of the JSON fleetd accepts: no DOM, no requests.  Anything
// that is not of the expected shape is shown as its JSON rather than lost.

// The tests an atom may make: subject, argument kind and words, as cond.c's
// table lists them.
export const TESTS = {
  at: { subject: 'fleet', arg: 'world', words: 'at' },
  moving: { subject: 'fleet', arg: 'bool', words: 'moving' },
  exists: { subject: 'fleet', arg: 'bool', words: 'exists' },
  in_battle: { subject: 'fleet', arg: 'bool', words: 'in a battle' },
  cargo: { subject: 'fleet', arg: 'qty', words: 'cargo of' },
  mine: { subject: 'world', arg: 'bool', words: 'mine' },
  owner: { subject: 'world', arg: 'sov', words: 'owned by sovereign' },
  battle: { subject: 'world', arg: 'bool', words: 'a battle on' },
  stock: { subject: 'world', arg: 'qty', words: 'stock of' },
  foreign_fleets: { subject: 'world', arg: 'num', words: 'foreign fleets' },
};

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const json = (v) => JSON.stringify(v);

// 40000 -> "40,000" (not toLocaleString: the words must not depend on the
// browser's locale, and must match fleetd's).
export function fmtCount(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  const s = String(Math.trunc(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const ref = (v) => (typeof v === 'number' || typeof v === 'string' ? String(v) : json(v));

function bound(v) {
  if (!isObj(v)) return ` ${json(v)}`;
  if ('at_least' in v) return ` at least ${fmtCount(v.at_least)}`;
  if ('below' in v) return ` below ${fmtCount(v.below)}`;
  return ` ${json(v)}`;
}

function describeAtom(a) {
  const subject = 'fleet' in a ? 'fleet' : 'world' in a ? 'world' : null;
  const key = subject && Object.keys(a).find((k) => k !== subject && TESTS[k]);
  if (!key || TESTS[key].subject !== subject) return json(a);
  const t = TESTS[key];
  const v = a[key];
  let out = `${subject} ${ref(a[subject])}: `;
  if (t.arg === 'bool' && v !== true) out += 'not ';
  out += t.words;
  switch (t.arg) {
    case 'world': return `${out} world ${ref(v)}`;
    case 'sov': return `${out} ${ref(v)}`;
    case 'qty': return isObj(v) ? `${out} ${ref(v.resource)}${bound(v)}` : `${out} ${json(v)}`;
    case 'num': return out + bound(v);
    default: return out;
  }
}

// A condition (openapi.yaml: Condition) in words.
export function describeCond(c) {
  if (!isObj(c)) return json(c);
  if ('not' in c) return `not (${describeCond(c.not)})`;
  for (const op of ['all', 'any']) {
    if (op in c) {
      return Array.isArray(c[op]) ? `${op} of (${c[op].map(describeCond).join('; ')})` : json(c);
    }
  }
  return describeAtom(c);
}

// A nearest-world filter (WorldFilter): "nearest world (trading hub; not mine)".
export function describeFilter(f) {
  if (!isObj(f)) return `nearest world ${json(f)}`;
  const parts = [];
  for (const [k, v] of Object.entries(f)) {
    if (k === 'trading') parts.push(v ? 'trading hub' : 'not a trading hub');
    else if (k === 'mine') parts.push(v ? 'mine' : 'not mine');
    else if (k === 'owner') parts.push(`owned by sovereign ${ref(v)}`);
    else if (k === 'stock' && isObj(v)) parts.push(`stock of ${ref(v.resource)}${bound(v)}`);
    else if (k === 'exclude' && Array.isArray(v)) parts.push(`not ${v.map(ref).join(', ')}`);
    else parts.push(`${k} ${json(v)}`);
  }
  return `nearest world (${parts.join('; ')})`;
}

// A step's target (to, into, from): an id, a "$NAME", or {"nearest": ...}.
export function describeTarget(t) {
  if (isObj(t) && 'nearest' in t) return describeFilter(t.nearest);
  return ref(t);
}

// A computed quantity (StepQuantity) or a plain number.
export function describeQty(q) {
  if (typeof q === 'number') return fmtCount(q);
  if (q === 'all' || q === '-all') return q;
  if (isObj(q) && 'up_to' in q) return `up to ${fmtCount(q.up_to)}`;
  if (isObj(q) && 'all_but' in q) return `all but ${fmtCount(q.all_but)}`;
  return json(q);
}

// [id, qty, id, qty...] -> "90: up to 2,000, 130: all"
export function describeResources(r) {
  if (!Array.isArray(r)) return typeof r === 'string' ? r : json(r);
  const out = [];
  for (let i = 0; i + 1 < r.length; i += 2) out.push(`${ref(r[i])}: ${describeQty(r[i + 1])}`);
  if (r.length % 2) out.push(json(r[r.length - 1]));
  return out.join(', ');
}

export const TARGET_KEYS = ['to', 'into', 'from'];

// A step without its `if`, in words: "move to nearest world (trading hub)",
// "wait until world 1000: stock of 130 at least 40,000".
export function describeStep(s) {
  if (!isObj(s)) return json(s);
  const parts = [s.op || '?'];
  for (const [k, v] of Object.entries(s)) {
    if (k === 'op' || k === 'if') continue;
    if (TARGET_KEYS.includes(k)) parts.push(`${k} ${describeTarget(v)}`);
    else if (k === 'until') parts.push(`until ${describeCond(v)}`);
    else if (k === 'resources') parts.push(`resources ${describeResources(v)}`);
    else parts.push(`${k}=${typeof v === 'object' ? json(v) : v}`);
  }
  return parts.join(' ');
}
