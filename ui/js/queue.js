// queue.js - the review queue: filters (status, set, host, time), server-side
// paging, counts per status, j/k to move, Enter to open.
import { call } from './api.js';
import { el, show, when, candidateUrl, statusCell, urlText } from './dom.js';

const PAGE = 50;
const STATUSES = ['new', 'confirmed', 'taken_down', 'false_positive'];
let rows = [];
let sel = -1;

function params(m) {
  return new URLSearchParams((m && m[1] ? m[1] : '?status=new').slice(1));
}

function toQuery(p) {
  const q = new URLSearchParams();
  for (const [k, v] of p) if (v !== '') q.set(k, v);
  return q;
}

function date(v) {
  return v ? String(Math.floor(Date.parse(v + 'T00:00:00Z') / 1000)) : '';
}

function filterForm(p) {
  const status = el('select', { id: 'f-status', name: 'status' },
    el('option', { value: '' }, 'any'),
    STATUSES.map((s) => el('option', { value: s, selected: p.get('status') === s }, s)));
  const set = el('input', { id: 'f-set', name: 'set', value: p.get('set') || '', size: 12 });
  const host = el('input', { id: 'f-host', name: 'host', value: p.get('host') || '', size: 18 });
  const since = el('input', { id: 'f-since', name: 'since', type: 'date' });
  const until = el('input', { id: 'f-until', name: 'until', type: 'date' });
  const form = el('form', { class: 'filters', role: 'search' },
    el('div', {}, el('label', { for: 'f-status' }, 'Status'), status),
    el('div', {}, el('label', { for: 'f-set' }, 'Set'), set),
    el('div', {}, el('label', { for: 'f-host' }, 'Host'), host),
    el('div', {}, el('label', { for: 'f-since' }, 'Last seen from'), since),
    el('div', {}, el('label', { for: 'f-until' }, 'to'), until),
    el('button', { type: 'submit', class: 'primary' }, 'Filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = toQuery([['status', status.value], ['set', set.value], ['host', host.value],
      ['since', date(since.value)], ['until', date(until.value)]]);
    location.hash = `#/queue?${q}`;
  });
  return form;
}

function select(i) {
  if (!rows.length) return;
  sel = Math.max(0, Math.min(rows.length - 1, i));
  rows.forEach((r, k) => r.classList.toggle('selected', k === sel));
  rows[sel].focus();
}

export function key(k) {
  if (k === 'j') { select(sel + 1); return true; }
  if (k === 'k') { select(sel - 1); return true; }
  if (k === 'Enter' && sel >= 0) { rows[sel].click(); return true; }
  return false;
}

export async function render(view, m) {
  const p = params(m);
  const offset = Number(p.get('offset') || 0);
  const q = toQuery([...p].filter(([k]) => k !== 'offset'));
  q.set('limit', PAGE);
  q.set('offset', offset);
  const [list, status] = await Promise.all([
    call('GET', `/api/v1/candidates?${q}`), call('GET', '/api/v1/status')]);
  const counts = status.store.candidates;
  const quar = status.quarantine && status.quarantine.active;
  rows = list.items.map((c) => {
    const tr = el('tr', { tabindex: 0, 'data-id': c.id, onclick: () => { location.hash = `#/candidate/${c.id}`; } },
      el('td', {}, String(c.id)),
      el('td', {}, statusCell(c.status), c.quarantined ? el('span', { class: 'flag' }, ' quarantined') : null),
      el('td', {}, urlText(candidateUrl(c))),
      el('td', { class: 'wide' }, c.set),
      el('td', { class: 'wide' }, when(c.last_seen)),
      el('td', { class: 'wide' }, String(c.occurrences)));
    return tr;
  });
  sel = -1;
  const page = (d) => { const n = new URLSearchParams(p); n.set('offset', Math.max(0, offset + d)); return `#/queue?${n}`; };
  show(view,
    el('h1', {}, 'Review queue'),
    quar ? el('p', { class: 'flag', role: 'alert' }, `${quar} flood quarantine(s) wait for an admin: see Quarantine.`) : null,
    el('div', { class: 'counts', 'aria-label': 'Candidates per status' },
      STATUSES.map((s) => el('span', {}, `${s.replace('_', ' ')}: ${counts[s] || 0}`))),
    filterForm(p),
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'ID'), el('th', {}, 'Status'), el('th', {}, 'URL'),
        el('th', { class: 'wide' }, 'Set'), el('th', { class: 'wide' }, 'Last seen'),
        el('th', { class: 'wide' }, 'Seen'))),
      el('tbody', {}, rows)),
    el('div', { class: 'pager' },
      offset > 0 ? el('a', { href: page(-PAGE) }, '← Previous') : null,
      el('span', {}, `${list.total ? offset + 1 : 0}–${offset + list.items.length} of ${list.total}`),
      offset + list.items.length < list.total ? el('a', { href: page(PAGE) }, 'Next →') : null));
}
