// groups.js -- group jobs in the dashboard (spec: "Fleets working
// together"): which rows of the jobs table a group's parent folds its
// children under, its children counted by state, and the group part of a
// parent's job view.  Reads only the job answers it is handed (a parent
// carries `children` and `children_states`, a child `parent`); the
// controls of a group are the parent's own buttons (fleetd passes them to
// every live child).

import { h } from './dom.js';

export function isParent(j) { return Array.isArray(j.children); }
export function parentOf(j) { return typeof j.parent === 'number' ? j.parent : null; }

// A parent's children by state: counted from the children the table
// holds, which the live stream keeps current, when it holds all of them;
// else the parent's own `children_states` as last read.
export function childCounts(parent, jobs) {
  const counts = {};
  let seen = 0;
  for (const id of parent.children) {
    const c = jobs.get(id);
    if (!c) continue;
    counts[c.state] = (counts[c.state] || 0) + 1;
    seen++;
  }
  return seen === parent.children.length ? counts : { ...(parent.children_states || {}) };
}

// "3 running · 1 failed" as badges, in the order of states.
export function countBadges(counts, states) {
  return h('span', { class: 'group-counts' }, states.filter((s) => counts[s])
    .map((s) => h('span', { class: `badge state-${s}`, dataset: { count: s } }, `${counts[s]} ${s}`)));
}

// The rows of the table in order: jobs that are no child of a parent the
// table holds (newest first), each expanded parent followed by its
// children (oldest first).  keep(j) is the state filter.
export function foldRows(jobs, expanded, keep) {
  const top = [...jobs.values()].filter((j) => {
    const p = parentOf(j);
    return p === null || !jobs.has(p);
  }).sort((a, b) => b.id - a.id);
  const rows = [];
  for (const j of top) {
    if (keep(j)) rows.push({ job: j, child: false });
    if (!isParent(j) || !expanded.has(j.id)) continue;
    for (const id of [...j.children].sort((a, b) => a - b)) {
      const c = jobs.get(id);
      if (c && keep(c)) rows.push({ job: c, child: true });
    }
  }
  return rows;
}

// A parent's job view: the group in numbers and a link to each child.
export function groupFacts(parent, jobs, states, onJob) {
  const counts = childCounts(parent, jobs);
  return [
    h('h3', {}, `Group of ${parent.children.length} fleets`),
    h('p', { class: 'group-summary' }, countBadges(counts, states),
      ' — pause, resume and cancel here reach every live child.'),
    h('ul', { class: 'group-children', 'aria-label': `Children of job ${parent.id}` },
      parent.children.map((id) => {
        const c = jobs.get(id);
        return h('li', { dataset: { child: id, state: c ? c.state : '' } },
          h('button', { type: 'button', class: 'link', onclick: () => onJob(id) }, `#${id}`),
          c && c.fleet ? ` fleet #${c.fleet} ` : ' ',
          c ? h('span', { class: `badge state-${c.state}` }, c.state) : null);
      })),
  ];
}
