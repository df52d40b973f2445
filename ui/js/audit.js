// audit.js - the tamper-evident audit trail, newest first, and its check.
import { call } from './api.js';
import { el, show, when } from './dom.js';

let before = 0;

async function verify(out) {
  out.textContent = 'Checking…';
  const v = await call('GET', '/api/v1/audit/verify');
  out.className = v.ok ? 'ok' : 'error';
  out.textContent = v.ok
    ? `Intact: ${v.rows} rows, ${v.checkpoints} signed checkpoints${v.signed ? '' : ' (NOT signed)'}; head ${v.head}`
    : `BROKEN at row ${v.broken_seq}: ${v.reason}`;
}

export async function render(view) {
  const list = await call('GET', `/api/v1/audit?limit=100${before ? `&before=${before}` : ''}`);
  const out = el('p', { id: 'verify-result', role: 'status' });
  const items = list.items;
  show(view,
    el('h1', {}, 'Audit trail'),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'primary', id: 'verify', onclick: () => verify(out).catch((e) => { out.textContent = e.message; }) }, 'Verify the chain')),
    out,
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Seq'), el('th', {}, 'When'), el('th', {}, 'Who'),
        el('th', {}, 'Action'), el('th', {}, 'Object'), el('th', { class: 'wide' }, 'Detail'))),
      el('tbody', {}, items.map((r) => el('tr', {},
        el('td', {}, String(r.seq)), el('td', {}, when(r.at)), el('td', {}, r.actor),
        el('td', {}, r.action), el('td', {}, r.object),
        el('td', { class: 'wide mono' }, typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail)))))),
    el('div', { class: 'pager' },
      before ? el('button', { type: 'button', onclick: () => { before = 0; render(view); } }, 'Newest') : null,
      items.length === 100 ? el('button', { type: 'button', onclick: () => { before = items[items.length - 1].seq - 1; render(view); } }, 'Older →') : null));
}
