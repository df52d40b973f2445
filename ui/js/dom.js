// dom.js - building the page from data safely: every value goes in as
// text (textContent), never as HTML, and nothing a candidate holds ever
// becomes a link, an image or anything else a browser would load.

/* An element @tag with @attrs (class, id, type, ... ; on* take functions)
 * and @children (nodes or strings, as text). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/* Replace what @parent holds by @children. */
export function show(parent, ...children) {
  parent.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

/* A URL as text with a button that copies it: a reviewer must never load
 * listed material by a click, so it is not a link. */
export function urlText(url) {
  const btn = el('button', { type: 'button', class: 'copy', 'aria-label': 'Copy URL' }, 'Copy');
  btn.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url);
      btn.textContent = 'Copied';
    } catch {
      btn.textContent = 'Copy failed: select the text';
    }
  });
  return el('span', { class: 'urlbox' }, el('code', { class: 'url' }, url), ' ', btn);
}

/* Unix seconds as ISO 8601 UTC. */
export function when(t) {
  return t ? new Date(t * 1000).toISOString().replace('.000Z', 'Z') : '-';
}

/* The URL of a candidate as notices name it. */
export function candidateUrl(c) {
  if (c.host) return `http://${c.host}${c.path}`;
  const ip = c.server_ip.includes(':') ? `[${c.server_ip}]` : c.server_ip;
  return `http://${ip}${c.server_port === 80 ? '' : ':' + c.server_port}${c.path}`;
}

export function statusCell(s) {
  return el('span', { class: `status-${s}` }, s.replace('_', ' '));
}
