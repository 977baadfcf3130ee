// The HTTP API client: bearer token from sessionStorage, JSON in and out, typed errors.
const BASE = '/api/v1';
const TIMEOUT_MS = 30000;
const TOKEN_KEY = 'supervision.token';
const USER_KEY = 'supervision.user';

/** An API failure with the contract's shape: status, code, message, fields (dotted paths). */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    const known = body && typeof body === 'object' && typeof body.error === 'string';
    super(known ? (body.message || body.error) : fallback);
    this.status = status;
    this.code = known ? body.error : 'HTTP_' + status;
    this.fields = (known && body.fields) || {};
    // A route that does not exist yet answers a plain 404/405 (not the JSON error shape) or 501.
    this.unavailable = status === 501 || (!known && (status === 404 || status === 405));
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get user() {
    try { return JSON.parse(sessionStorage.getItem(USER_KEY) || 'null'); } catch { return null; }
  },
  save(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

let onUnauthenticated = () => {};
/** Called when the server says the token is missing, invalid or expired. */
export function whenUnauthenticated(handler) { onUnauthenticated = handler; }

function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, value);
  }
  const search = params.toString();
  return BASE + path + (search ? '?' + search : '');
}

async function send(method, path, { body, query, form } = {}) {
  const headers = { Accept: 'application/json' };
  if (session.token) headers.Authorization = 'Bearer ' + session.token;
  let payload;
  if (form) payload = form;                      // multipart: the browser sets the boundary
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    return await fetch(url(path, query), { method, headers, body: payload, signal: abort.signal });
  } catch (err) {
    const message = err.name === 'AbortError' ? '请求超时，请稍后重试' : '无法连接服务器，请检查网络';
    throw new ApiError(0, null, message);
  } finally {
    clearTimeout(timer);
  }
}

async function failure(response) {
  let body = null;
  if ((response.headers.get('Content-Type') || '').includes('application/json')) {
    try { body = await response.json(); } catch { body = null; }
  }
  const error = new ApiError(response.status, body, fallbackMessage(response.status));
  if (response.status === 401 && !response.url.endsWith('/auth/login')) onUnauthenticated(error);
  return error;
}

function fallbackMessage(status) {
  if (status === 404 || status === 405 || status === 501) return '该功能尚未开放（接口建设中）';
  if (status === 502 || status === 503 || status === 504) return '服务暂不可用，请稍后重试';
  return `请求失败（HTTP ${status}）`;
}

/** JSON request; resolves to the parsed body (null for an empty one), rejects with ApiError. */
export async function request(method, path, options) {
  const response = await send(method, path, options);
  if (!response.ok) throw await failure(response);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body) => request('POST', path, { body: body ?? {} }),
  upload: (path, form) => request('POST', path, { form }),
  /** A file answer (e.g. a rendered .docx): resolves to {blob, filename}. */
  async download(path, body) {
    const response = await send('POST', path, { body: body ?? {} });
    if (!response.ok) throw await failure(response);
    const disposition = response.headers.get('Content-Disposition') || '';
    const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    const plain = /filename="?([^";]+)"?/i.exec(disposition);
    const filename = star ? decodeURIComponent(star[1]) : plain ? plain[1] : 'document.docx';
    return { blob: await response.blob(), filename };
  },
};

/** Lists come as {items, total} or as a bare array: one shape for the views. */
export function listOf(body) {
  if (Array.isArray(body)) return { items: body, total: body.length };
  const items = (body && (body.items || body.results || body.hits)) || [];
  return { items, total: body && Number.isFinite(body.total) ? body.total : items.length };
}
