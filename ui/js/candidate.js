// candidate.js - one candidate: its URL as text (copy button, never a link
// or a preview), the list entry, digests, sightings and a small chart of
// its serves drawn here, the review trail, and the review actions the role
// allows, each with a required note.
import { call, can } from './api.js';
import { el, show, when, candidateUrl, statusCell, urlText } from './dom.js';

const ACTIONS = [['confirmed', 'c', 'Confirm'], ['taken_down', 't', 'Taken down'],
  ['false_positive', 'f', 'False positive'], ['new', 'n', 'Back to new']];
let id = 0;
let buttons = {};

function field(dt, dd) {
  return [el('dt', {}, dt), el('dd', {}, dd)];
}

/* Serves per day of the recent occurrences, as bars on a canvas. */
function chart(occ) {
  const c = el('canvas', { class: 'chart', width: 600, height: 90, role: 'img',
    'aria-label': `Serves over time: ${occ.length} recent occurrences` });
  const days = new Map();
  for (const o of occ) {
    const d = Math.floor(o.seen / 86400);
    days.set(d, (days.get(d) || 0) + 1);
  }
  const keys = [...days.keys()].sort((a, b) => a - b);
  const ctx = c.getContext('2d');
  if (!ctx || !keys.length) return c;
  const first = keys[0], span = keys[keys.length - 1] - first + 1;
  const max = Math.max(...days.values()), w = 600 / span;
  ctx.fillStyle = '#0b5cad';
  for (const [d, n] of days) {
    const h = Math.max(2, (n / max) * 80);
    ctx.fillRect((d - first) * w + 1, 90 - h, Math.max(1, w - 2), h);
  }
  return c;
}

function reviewForm(c) {
  if (!can('reviewer')) return el('p', {}, 'Your role may view, not review.');
  const note = el('textarea', { id: 'note', required: true, maxlength: 1024,
    'aria-describedby': 'note-help' });
  const msg = el('p', { id: 'review-msg', role: 'status' });
  buttons = {};
  const acts = ACTIONS.filter(([s]) => s !== c.status).map(([s, k, label]) => {
    const b = el('button', { type: 'button', 'data-status': s, 'aria-keyshortcuts': k },
      `${label} (${k})`);
    b.addEventListener('click', async () => {
      if (!note.value.trim()) {
        msg.textContent = 'A note is required.';
        msg.className = 'error';
        note.focus();
        return;
      }
      try {
        await call('POST', `/api/v1/candidates/${c.id}/review`, { status: s, note: note.value });
        msg.textContent = `Marked ${s.replace('_', ' ')}.`;
        msg.className = 'ok';
        await render(document.getElementById('view'), [null, String(c.id)]);
      } catch (e) {
        msg.textContent = `Not reviewed: ${e.message}`;
        msg.className = 'error';
      }
    });
    buttons[k] = b;
    return b;
  });
  return el('form', { class: 'review', onsubmit: (ev) => ev.preventDefault() },
    el('h2', {}, 'Review'),
    el('label', { for: 'note' }, 'Note (required)'), note,
    el('p', { id: 'note-help', class: 'help' }, 'Why: what you checked. It goes into the review trail and the audit trail.'),
    el('div', { class: 'actions' }, acts), msg);
}

export function key(k) {
  if (buttons[k]) { buttons[k].click(); return true; }
  return false;
}

export async function render(view, m) {
  id = Number(m[1]);
  const c = await call('GET', `/api/v1/candidates/${id}`);
  const url = candidateUrl(c);
  show(view,
    el('p', {}, el('a', { href: '#/queue' }, '← Queue')),
    el('h1', {}, `Candidate ${c.id} `, statusCell(c.status),
      c.quarantined ? el('span', { class: 'flag' }, ' quarantined: not enforced') : null),
    el('dl', { class: 'fields' },
      field('URL', urlText(url)),
      field('Host', c.host === null ? '(none: the server stands in)' : c.host),
      field('Set', `${c.set} (version ${c.set_version})`),
      field('List entry', `category ${c.category}, hotline reference ${c.ref}`),
      field('Digest', el('span', { class: 'mono' }, `${c.algo}:${c.digest}`)),
      c.algo === 'pdq' && c.pdq_distance !== undefined ? field('PDQ distance', String(c.pdq_distance)) : [],
      field('Server', `${c.server_ip} port ${c.server_port}`),
      field('First seen', when(c.first_seen)),
      field('Last seen', when(c.last_seen)),
      field('Occurrences', String(c.occurrences)),
      c.reopened ? field('Reopened', String(c.reopened)) : []),
    el('h2', {}, 'Serves over time'),
    chart(c.recent_occurrences),
    reviewForm(c),
    el('h2', {}, 'Review trail'),
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'When'), el('th', {}, 'Who'), el('th', {}, 'From'),
        el('th', {}, 'To'), el('th', {}, 'Note'))),
      el('tbody', {}, c.reviews.map((r) => el('tr', {},
        el('td', {}, when(r.at)), el('td', {}, r.actor), el('td', {}, r.from), el('td', {}, r.to),
        el('td', {}, r.note))))));
}
