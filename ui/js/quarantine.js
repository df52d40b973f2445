// quarantine.js - flood quarantines: digests that matched on too many hosts
// or URLs and are report-only until an admin releases or confirms them.
import { call, can } from './api.js';
import { el, show, when } from './dom.js';

async function decide(view, q, what, msg) {
  try {
    await call('POST', `/api/v1/quarantine/${q.id}/${what}`);
    await render(view);
  } catch (e) {
    msg.textContent = `Not done: ${e.message}`;
  }
}

export async function render(view) {
  const list = await call('GET', '/api/v1/quarantine?limit=100');
  const msg = el('p', { class: 'error', role: 'alert' });
  show(view,
    el('h1', {}, 'Flood quarantine'),
    el('p', {}, 'A digest that matched on more distinct hosts or URLs than the thresholds allow is recorded but not enforced. Release it (enforced again) or confirm the list entry (enforced, never quarantined again).'),
    msg,
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'ID'), el('th', {}, 'State'), el('th', {}, 'Since'),
        el('th', {}, 'Hosts'), el('th', {}, 'URLs'), el('th', {}, 'Set'), el('th', { class: 'wide' }, 'Digest'),
        el('th', {}, 'Decision'))),
      el('tbody', {}, list.items.map((q) => el('tr', {},
        el('td', {}, String(q.id)), el('td', { class: q.state === 'active' ? 'flag' : '' }, q.state),
        el('td', {}, when(q.since)), el('td', {}, String(q.hosts)), el('td', {}, String(q.urls)),
        el('td', {}, q.set), el('td', { class: 'wide mono' }, `${q.algo}:${q.digest}`),
        el('td', {}, q.state !== 'active' ? `${q.state} by ${q.actor}, ${when(q.decided)}`
          : can('admin') ? el('span', { class: 'actions' },
            el('button', { type: 'button', onclick: () => decide(view, q, 'release', msg) }, 'Release'),
            el('button', { type: 'button', onclick: () => decide(view, q, 'confirm', msg) }, 'Confirm entry'))
            : 'waiting for an admin'))))));
}
