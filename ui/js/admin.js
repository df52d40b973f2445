// admin.js - the dashboard (sets and their freshness, dataplanes,
// enforcement, counters that need attention), blocks (list, add, lift) and
// the allowlist (list, remove).  Changing blocks or the allowlist needs
// the admin role; the API refuses it otherwise whatever the page shows.
import { call, can } from './api.js';
import { el, show, when, urlText } from './dom.js';

const ATTENTION = ['ingest_invalid_total', 'ingest_commit_failures_total', 'ingest_protocol_errors_total',
  'ingest_seq_gaps_total', 'enforce_errors_total', 'api_errors_total', 'quarantines_total',
  'api_head_timeouts_total', 'api_refused_connections_total'];

function table(head, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows));
}

export async function dashboard(view) {
  const s = await call('GET', '/api/v1/status');
  const counters = s.counters || {};
  show(view,
    el('h1', {}, 'Dashboard'),
    s.quarantine && s.quarantine.active
      ? el('p', { class: 'flag', role: 'alert' }, `${s.quarantine.active} flood quarantine(s) wait for an admin.`) : null,
    el('h2', {}, 'Installed sets'),
    table(['Set', 'Version', 'Entries', 'Age', 'State'], (s.installed_sets || []).map((x) => el('tr', {},
      el('td', {}, x.id || x.file || '?'), el('td', {}, String(x.version ?? '-')),
      el('td', {}, String(x.entries ?? '-')), el('td', {}, x.age !== undefined ? `${Math.round(x.age / 3600)} h` : '-'),
      el('td', { class: x.error || x.expired || x.fresh === false ? 'flag' : 'ok' },
        x.error ? `error: ${x.error}` : x.expired ? 'expired' : x.fresh === false ? 'stale' : 'fresh')))),
    el('h2', {}, 'Dataplanes'),
    table(['Dataplane', 'Connected', 'Acknowledged'], (s.dataplanes || []).map((d) => el('tr', {},
      el('td', {}, d.dataplane), el('td', { class: d.connected ? 'ok' : 'flag' }, d.connected ? 'yes' : 'no'),
      el('td', {}, String(d.acked))))),
    el('h2', {}, 'Enforcement'),
    el('p', { class: s.enforcement && s.enforcement.available ? 'ok' : 'flag' },
      s.enforcement && s.enforcement.available ? `enforcing (${s.enforcement.backend})`
        : 'NOT enforcing: blocks are recorded only'),
    el('h2', {}, 'Needs attention'),
    table(['Counter', 'Value'], ATTENTION.map((k) => el('tr', {},
      el('td', {}, k), el('td', { class: counters[k] ? 'flag' : '' }, String(counters[k] || 0))))));
}

export async function blocks(view) {
  const list = await call('GET', '/api/v1/blocks?limit=200');
  const msg = el('p', { role: 'status' });
  const act = async (fn) => {
    try { await fn(); await blocks(view); } catch (e) { msg.textContent = `Not done: ${e.message}`; msg.className = 'error'; }
  };
  let form = null;
  if (can('admin')) {
    const host = el('input', { id: 'b-host', required: true, size: 24 });
    const path = el('input', { id: 'b-path', required: true, size: 32, value: '/' });
    const ttl = el('input', { id: 'b-ttl', type: 'number', min: 60, max: 31536000, value: 86400 });
    form = el('form', { class: 'filters' },
      el('div', {}, el('label', { for: 'b-host' }, 'Host'), host),
      el('div', {}, el('label', { for: 'b-path' }, 'Path'), path),
      el('div', {}, el('label', { for: 'b-ttl' }, 'Seconds'), ttl),
      el('button', { type: 'submit', class: 'primary' }, 'Block'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act(() => call('POST', '/api/v1/blocks', { host: host.value, path: path.value, ttl: Number(ttl.value) }));
    });
  }
  show(view,
    el('h1', {}, 'Blocks'),
    el('p', { class: list.enforced ? 'ok' : 'flag' }, list.enforced ? 'Enforced by the backend.' : 'NOT enforced: no backend.'),
    form, msg,
    table(['ID', 'Source', 'URL', 'Expires', 'Candidate', ''], list.items.map((b) => el('tr', {},
      el('td', {}, String(b.id)), el('td', {}, b.source),
      el('td', {}, urlText(`http://${b.host}${b.path}`)), el('td', {}, when(b.expires)),
      el('td', {}, b.candidate_id ? el('a', { href: `#/candidate/${b.candidate_id}` }, String(b.candidate_id)) : '-'),
      el('td', {}, can('admin') ? el('button', { type: 'button', onclick: () => act(() => call('DELETE', `/api/v1/blocks/${b.id}`)) }, 'Lift') : '')))));
}

export async function allowlist(view) {
  const list = await call('GET', '/api/v1/allowlist');
  const msg = el('p', { role: 'status' });
  const remove = async (a) => {
    const q = a.set ? `?set=${encodeURIComponent(a.set)}` : '';
    try {
      await call('DELETE', `/api/v1/allowlist/${encodeURIComponent(a.algo)}/${encodeURIComponent(a.digest)}${q}`);
      await allowlist(view);
    } catch (e) { msg.textContent = `Not done: ${e.message}`; msg.className = 'error'; }
  };
  show(view,
    el('h1', {}, 'Allowlist'),
    el('p', {}, 'Digests that no longer raise candidates, for one set or every set.'), msg,
    table(['Digest', 'Set', 'Added', 'By', 'Note', ''], list.items.map((a) => el('tr', {},
      el('td', { class: 'mono' }, `${a.algo}:${a.digest}`), el('td', {}, a.set === null ? 'every set' : a.set),
      el('td', {}, when(a.added)), el('td', {}, a.actor), el('td', {}, a.note),
      el('td', {}, can('admin') ? el('button', { type: 'button', onclick: () => remove(a) }, 'Remove') : '')))));
}
