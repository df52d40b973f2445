// exports.js - downloads: notices for takedown, feedback for the hotline,
// statements of reasons and transparency figures (docs/dsa.md).  The links
// go to this console's own API (the session cookie authorises them); each
// download is recorded in the audit trail.
import { el, show } from './dom.js';

const EXPORTS = [
  ['Notices (confirmed), CSV', '/api/v1/exports/notices?format=csv', 'notices.csv'],
  ['Notices (confirmed), JSON', '/api/v1/exports/notices', 'notices.json'],
  ['Notices (every status), CSV', '/api/v1/exports/notices?format=csv&status=all', 'notices-all.csv'],
  ['False positives for the hotline, CSV', '/api/v1/exports/feedback?format=csv', 'feedback.csv'],
  ['Statements of reasons (DSA art. 17), JSON', '/api/v1/exports/statements', 'statements.json'],
  ['Transparency figures (DSA art. 15), CSV', '/api/v1/reports/transparency?format=csv', 'transparency.csv'],
  ['Transparency figures (DSA art. 15), JSON', '/api/v1/reports/transparency', 'transparency.json'],
];

export async function render(view) {
  show(view,
    el('h1', {}, 'Exports'),
    el('ul', { class: 'exports' }, EXPORTS.map(([label, href, file]) =>
      el('li', {}, el('a', { href, download: file, 'data-export': file }, label)))));
}
