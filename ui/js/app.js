// app.js - the console's shell: log in and out, the pages by the URL's
// fragment (#/queue, #/candidate/ID, #/audit, #/quarantine), and keyboard
// shortcuts.  Nothing here or in the pages loads anything but this
// console's files and its API (the Content-Security-Policy says so too).
import { session, login, logout, resume } from './api.js';
import { el, show } from './dom.js';
import * as queue from './queue.js';
import * as candidate from './candidate.js';
import * as audit from './audit.js';
import * as quarantine from './quarantine.js';
import * as exports from './exports.js';
import * as admin from './admin.js';

const $ = (id) => document.getElementById(id);
const pages = [
  [/^#\/candidate\/(\d+)$/, candidate],
  [/^#\/audit$/, audit],
  [/^#\/quarantine$/, quarantine],
  [/^#\/exports$/, exports],
  [/^#\/dashboard$/, { render: admin.dashboard }],
  [/^#\/blocks$/, { render: admin.blocks }],
  [/^#\/allowlist$/, { render: admin.allowlist }],
  [/^#\/queue(\?.*)?$/, queue],
];
let current = null;

function loggedIn(yes) {
  $('login').hidden = yes;
  $('nav').hidden = !yes;
  $('logout').hidden = !yes;
  $('who').textContent = yes ? `${session.name} (${session.role})` : '';
  if (!yes) {
    show($('view'));
    $('token').focus();
  }
}

async function route() {
  if (!session.csrf) return;
  const hash = location.hash || '#/queue';
  const view = $('view');
  for (const a of $('nav').querySelectorAll('a'))
    a.toggleAttribute('aria-current', hash.startsWith(a.getAttribute('href')));
  for (const [re, page] of pages) {
    const m = hash.match(re);
    if (!m) continue;
    current = page;
    try {
      await page.render(view, m);
    } catch (e) {
      show(view, el('p', { class: 'error', role: 'alert' }, String(e.message || e)));
    }
    return;
  }
  location.hash = '#/queue';
}

let prefix = '';
function onKey(ev) {
  const t = ev.target;
  if (ev.ctrlKey || ev.metaKey || ev.altKey || !session.csrf) return;
  if (t.closest && t.closest('input, textarea, select')) return;
  if (prefix === 'g') {
    prefix = '';
    const to = { q: '#/queue', u: '#/quarantine', a: '#/audit', e: '#/exports', d: '#/dashboard',
      b: '#/blocks', l: '#/allowlist' }[ev.key];
    if (to) { location.hash = to; ev.preventDefault(); }
    return;
  }
  if (ev.key === 'g') { prefix = 'g'; return; }
  if (current && current.key && current.key(ev.key)) ev.preventDefault();
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('login-error').textContent = '';
  try {
    await login($('token').value);
    $('token').value = '';
    loggedIn(true);
    await route();
  } catch (e) {
    $('login-error').textContent = `Login failed: ${e.message}`;
  }
});
$('logout').addEventListener('click', async () => {
  try { await logout(); } finally { loggedIn(false); }
});
window.addEventListener('hw-logged-out', () => {
  Object.assign(session, { name: '', role: '', csrf: '' });
  loggedIn(false);
});
window.addEventListener('hashchange', route);
document.addEventListener('keydown', onKey);

resume().then(() => { loggedIn(true); route(); }, () => loggedIn(false));
