// condedit.js -- the new-job form's controls for reactive jobs: a condition
// (one atom, optionally negated, or any condition typed as JSON), made
// optional behind a checkbox (a job's `until`, a step's `if`, a wait's
// `until`), and a step target that is a world id or the nearest world
// matching a filter.  Each widget keeps its own elements across the form's
// re-renders (so what is typed survives adding or removing a step) and
// marks its inputs with data-path = the JSON path of the value they make,
// so fleetd's 422 message ("until.world: unknown world 9") lands beside
// the input it names.

import { h } from './dom.js';
import { TESTS, describeCond, describeFilter } from './cond.js';

let uidCounter = 0;
const uid = (what) => `c${++uidCounter}-${what}`;

const NUM = /^-?\d+$/;
// "1000" -> 1000; "$self", "$here", "$NAME" and anything else as typed
// (fleetd's validation names what is wrong).
function refValue(text) {
  const t = text.trim();
  return NUM.test(t) ? Number(t) : t;
}
function numValue(text) {
  const t = text.trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

// A label "until: count" shows as "count": the part before ": " is for
// screen readers (several conditions may be on screen at once).
function labelParts(label) {
  const i = label.indexOf(': ');
  return i < 0 ? [label] : [h('span', { class: 'vh' }, label.slice(0, i + 2)), label.slice(i + 2)];
}
function setLabel(fieldEl, label) {
  fieldEl.querySelector('label').replaceChildren(...labelParts(label).map((x) => (typeof x === 'string' ? document.createTextNode(x) : x)));
}
function field(label, control, cls) {
  return h('div', { class: cls ? `field ${cls}` : 'field' }, h('label', { for: control.id }, labelParts(label)), control);
}

function select(what, options, value) {
  return h('select', { id: uid(what) },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
}

function input(what, { placeholder, value = '', numeric } = {}) {
  return h('input', { id: uid(what), type: 'text', autocomplete: 'off', value, placeholder,
    inputmode: numeric ? 'numeric' : null });
}

// ------------------------------------------------------------ a condition
export class CondEditor {
  // name: what the condition is for, in the labels ("until", "if").
  constructor(name, path) {
    this.name = name;
    this.path = path;
    const c = this.c = {
      subject: select('subject', [['world', 'world'], ['fleet', 'fleet'], ['json', 'JSON (all, any, not…)']], 'world'),
      ref: input('ref', { placeholder: 'id, $here' }),
      test: select('test', [], ''),
      bool: select('bool', [['true', 'yes'], ['false', 'no']], 'true'),
      arg: input('arg'),
      resource: input('resource', { placeholder: 'resource id', numeric: true }),
      bound: select('bound', [['at_least', 'at least'], ['below', 'below']], 'at_least'),
      n: input('n', { placeholder: 'count', numeric: true }),
      not: h('input', { id: uid('not'), type: 'checkbox' }),
      json: h('textarea', { id: uid('json'), rows: 2, spellcheck: 'false',
        placeholder: '{"all": [{"world": 1000, "mine": true}, {"not": {"world": "$here", "battle": true}}]}' }),
    };
    this.words = h('p', { class: 'cond-words muted', 'aria-live': 'polite' });
    this.f = {
      ref: field(`${name}: world id`, c.ref),
      test: field(`${name}: test`, c.test),
      bool: field(`${name}: holds`, c.bool),
      arg: field(`${name}: value`, c.arg),
      resource: field(`${name}: resource`, c.resource),
      bound: field(`${name}: bound`, c.bound),
      n: field(`${name}: count`, c.n),
      not: field(`${name}: negate (not)`, c.not, 'check'),
      json: field(`${name}: condition as JSON`, c.json, 'wide'),
    };
    this.el = h('fieldset', { class: 'cond' },
      h('legend', {}, name),
      field(`${name}: subject`, c.subject),
      Object.values(this.f),
      this.words);
    for (const el of Object.values(c)) {
      el.addEventListener('change', () => this.update());
      el.addEventListener('input', () => this.update(false));
    }
    this.fillTests();
    this.update();
  }

  fillTests() {
    const subject = this.c.subject.value;
    const keep = this.c.test.value;
    this.c.test.replaceChildren(...Object.entries(TESTS).filter(([, t]) => t.subject === subject)
      .map(([k, t]) => h('option', { value: k, selected: k === keep }, t.words)));
  }

  // Shows the controls the subject and test need, sets the paths, and
  // puts the condition in words beneath.
  update(structural = true) {
    const c = this.c, f = this.f;
    const subject = c.subject.value;
    if (structural) {
      if (subject !== 'json' && this.lastSubject !== subject) {
        this.fillTests();
        c.ref.placeholder = subject === 'fleet' ? 'id, $self' : 'id, $here';
        setLabel(f.ref, `${this.name}: ${subject} id`);
      }
      this.lastSubject = subject;
      const t = TESTS[c.test.value];
      const arg = subject === 'json' || !t ? null : t.arg;
      for (const k of ['ref', 'test', 'not']) f[k].hidden = subject === 'json';
      f.json.hidden = subject !== 'json';
      f.bool.hidden = arg !== 'bool';
      f.arg.hidden = arg !== 'world' && arg !== 'sov';
      if (arg === 'world' || arg === 'sov') {
        setLabel(f.arg, `${this.name}: ${arg === 'world' ? 'world (id, $here)' : 'sovereign id'}`);
      }
      f.resource.hidden = arg !== 'qty';
      f.bound.hidden = arg !== 'qty' && arg !== 'num';
      f.n.hidden = arg !== 'qty' && arg !== 'num';
      this.setPath(this.path);
    }
    const v = this.value();
    this.words.textContent = typeof v === 'object' ? `${this.name} ${describeCond(v)}` : '';
  }

  setPath(path) {
    this.path = path;
    const c = this.c;
    const subject = c.subject.value;
    const test = c.test.value;
    const p = c.not.checked ? `${path}.not` : path;
    const set = (el, v) => { el.dataset.path = v; };
    this.el.dataset.path = path;
    set(c.json, path);
    set(c.ref, `${p}.${subject}`);
    set(c.bool, `${p}.${test}`);
    set(c.arg, `${p}.${test}`);
    set(c.resource, `${p}.${test}.resource`);
    set(c.n, `${p}.${test}.${c.bound.value}`);
  }

  // The condition as JSON; text that is not JSON is sent as typed, so
  // fleetd answers with the path.
  value() {
    const c = this.c;
    if (c.subject.value === 'json') {
      const t = c.json.value.trim();
      try { return JSON.parse(t); } catch { return t; }
    }
    const test = c.test.value;
    const t = TESTS[test];
    let arg;
    switch (t && t.arg) {
      case 'bool': arg = c.bool.value === 'true'; break;
      case 'world': arg = refValue(c.arg.value); break;
      case 'sov': arg = numValue(c.arg.value); break;
      case 'qty': arg = { resource: numValue(c.resource.value), [c.bound.value]: numValue(c.n.value) }; break;
      case 'num': arg = { [c.bound.value]: numValue(c.n.value) }; break;
      default: arg = true;
    }
    const atom = { [c.subject.value]: refValue(c.ref.value), [test]: arg };
    return c.not.checked ? { not: atom } : atom;
  }

  // For tests and people: set it from an atom.
  focus() { (this.c.subject.value === 'json' ? this.c.json : this.c.ref).focus(); }
}

// --------------------------------------- an optional condition (checkbox)
export class OptionalCond {
  constructor(name, path, label) {
    this.box = h('input', { id: uid('on'), type: 'checkbox', class: 'cond-toggle' });
    this.editor = new CondEditor(name, path);
    this.editor.el.hidden = true;
    this.box.addEventListener('change', () => {
      this.editor.el.hidden = !this.box.checked;
      if (this.box.checked) this.editor.focus();
    });
    this.el = h('div', { class: 'cond-opt' },
      h('div', { class: 'field check' }, this.box, h('label', { for: this.box.id }, label)),
      this.editor.el);
  }

  get on() { return this.box.checked; }
  set on(v) { this.box.checked = !!v; this.editor.el.hidden = !v; }
  setPath(path) { this.editor.setPath(path); }
  value() { return this.on ? this.editor.value() : undefined; }
}

// ------------------------------------- a target: an id or the nearest world
export class TargetField {
  // name: the step's key (to, into, from); label: the id input's label.
  constructor(name, label, path, value = '') {
    this.name = name;
    this.mode = select('by', [['id', 'an id'], ['nearest', 'the nearest world']], 'id');
    this.id = input(name, { value, placeholder: 'id or $NAME' });
    this.id.inputMode = 'decimal';
    this.trading = select('trading', [['', 'either'], ['true', 'yes'], ['false', 'no']], '');
    this.mine = select('mine', [['', 'either'], ['true', 'yes'], ['false', 'no']], '');
    this.owner = input('owner', { placeholder: 'sovereign id', numeric: true });
    this.exclude = input('exclude', { placeholder: 'world ids' });
    this.words = h('p', { class: 'cond-words muted', 'aria-live': 'polite' });
    this.idField = field(label, this.id);
    this.filter = h('fieldset', { class: 'nearest', hidden: true },
      h('legend', {}, `${name}: nearest world that is`),
      field(`${name}: trading hub`, this.trading),
      field(`${name}: mine`, this.mine),
      field(`${name}: owned by`, this.owner),
      field(`${name}: not one of`, this.exclude),
      this.words);
    this.el = h('div', { class: 'target' }, field(`${name}: pick`, this.mode), this.idField, this.filter);
    for (const el of [this.mode, this.trading, this.mine, this.owner, this.exclude]) {
      el.addEventListener('change', () => this.update());
      el.addEventListener('input', () => this.update());
    }
    this.setPath(path);
    this.update();
  }

  update() {
    const nearest = this.mode.value === 'nearest';
    this.idField.hidden = nearest;
    this.filter.hidden = !nearest;
    const v = this.value();
    this.words.textContent = nearest && v && typeof v.nearest === 'object' ? describeFilter(v.nearest) : '';
  }

  setPath(path) {
    const p = `${path}.nearest`;
    this.id.dataset.path = path;
    this.filter.dataset.path = p;
    this.trading.dataset.path = `${p}.trading`;
    this.mine.dataset.path = `${p}.mine`;
    this.owner.dataset.path = `${p}.owner`;
    this.exclude.dataset.path = `${p}.exclude`;
  }

  // undefined when nothing is given (fleetd then says the field is missing).
  value() {
    if (this.mode.value !== 'nearest') {
      const t = this.id.value.trim();
      return t === '' ? undefined : refValue(t);
    }
    const f = {};
    if (this.trading.value) f.trading = this.trading.value === 'true';
    if (this.mine.value) f.mine = this.mine.value === 'true';
    if (this.owner.value.trim()) f.owner = numValue(this.owner.value);
    const ex = this.exclude.value.split(/[\s,]+/).filter(Boolean).map(refValue);
    if (ex.length) f.exclude = ex;
    return { nearest: f };
  }
}
