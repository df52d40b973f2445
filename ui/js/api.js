// api.js - the console's calls to controld's API: the session cookie goes
// along by itself (same origin only), a state-changing call carries the
// session's CSRF token.

export const session = { name: '', role: '', csrf: '' };

const ROLES = ['viewer', 'reviewer', 'admin'];

/* Whether the logged-in role is at least @role. */
export function can(role) {
  return ROLES.indexOf(session.role) >= ROLES.indexOf(role);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/* @method @path with the JSON @body: the parsed answer, or throws ApiError. */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = session.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error',
    referrerPolicy: 'no-referrer',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!r.ok) {
    if (r.status === 401) window.dispatchEvent(new Event('hw-logged-out'));
    throw new ApiError(r.status, (data && data.error) || `HTTP ${r.status}`);
  }
  return data;
}

export async function login(token) {
  Object.assign(session, await call('POST', '/ui/api/login', { token }));
}

export async function resume() {
  Object.assign(session, await call('GET', '/ui/api/session'));
}

export async function logout() {
  await call('POST', '/ui/api/logout');
  Object.assign(session, { name: '', role: '', csrf: '' });
}
