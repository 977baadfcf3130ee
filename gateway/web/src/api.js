// The HTTP API client: bearer token from the session, JSON in and out, errors with the
// contract's shape ({error, message, fields}).  The session lives in localStorage, so a new
// tab is signed in too; it is cleared on logout and on any 401.
import { reactive } from 'vue';

const BASE = '/api/v1';
const TIMEOUT_MS = 30000;
const KEY = 'supervision.session';

function stored() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || 'null');
    return value && value.token && value.user ? value : null;
  } catch {
    return null;
  }
}

/** {token, user} of the signed-in user (reactive), or nulls. */
export const session = reactive({ token: stored()?.token || null, user: stored()?.user || null, expired: '' });

export function saveSession(token, user) {
  session.token = token;
  session.user = user;
  session.expired = '';
  localStorage.setItem(KEY, JSON.stringify({ token, user }));
}

export function clearSession(reason = '') {
  session.token = null;
  session.user = null;
  session.expired = reason;
  localStorage.removeItem(KEY);
}

// Another tab signed in or out: follow it.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== KEY) return;
    const now = stored();
    session.token = now?.token || null;
    session.user = now?.user || null;
  });
}

/** An API failure: status, code, message (Chinese), fields {dotted.path: [problem]}. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    const known = body && typeof body === 'object' && typeof body.error === 'string';
    super(known ? body.message || fallback : fallback);
    this.status = status;
    this.code = known ? body.error : `HTTP_${status}`;
    this.fields = (known && body.fields) || {};
  }
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function send(method, path, { body, params, form, headers: extra, timeout } = {}) {
  const headers = { Accept: 'application/json', ...(extra || {}) };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout || TIMEOUT_MS);
  try {
    return await fetch(BASE + path + query(params), { method, headers, body: payload, signal: abort.signal });
  } catch (err) {
    throw new ApiError(0, null, err.name === 'AbortError' ? '请求超时，请稍后重试' : '无法连接服务器，请检查网络');
  } finally {
    clearTimeout(timer);
  }
}

function fallbackMessage(status) {
  if (status === 401) return '登录已失效，请重新登录';
  if (status === 403) return '当前角色无权进行此操作';
  if (status === 404) return '没有找到，或不在您的查看范围内';
  if (status === 409) return '状态已变化，请刷新后重试';
  if (status === 429) return '尝试次数过多，请稍后再试';
  if (status >= 500) return '服务暂不可用，请稍后重试';
  return '请求未能完成';
}

async function failure(response, path) {
  let body = null;
  if ((response.headers.get('Content-Type') || '').includes('application/json')) {
    try { body = await response.json(); } catch { body = null; }
  }
  const error = new ApiError(response.status, body, fallbackMessage(response.status));
  if (response.status === 401 && path !== '/auth/login') clearSession('登录已失效，请重新登录。');
  return error;
}

export async function request(method, path, options) {
  const response = await send(method, path, options);
  if (!response.ok) throw await failure(response, path);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

function fileName(response, fallback) {
  const disposition = response.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallback;
}

export const api = {
  get: (path, params) => request('GET', path, { params }),
  post: (path, body) => request('POST', path, { body: body ?? {} }),
  /** ``options``: ``params``, ``headers`` (an Idempotency-Key), ``timeout`` (ms, for a long import). */
  upload: (path, form, options) => request('POST', path, { form, ...(options || {}) }),
  /** A file the server answers (a filled template, an attachment): {blob, filename}. */
  async file(method, path, body, fallback = '文件') {
    const response = await send(method, path, body === undefined ? {} : { body });
    if (!response.ok) throw await failure(response, path);
    return { blob: await response.blob(), filename: fileName(response, fallback) };
  },
};

/** Lists come as {items, total}: one shape for the pages. */
export function listOf(body) {
  if (Array.isArray(body)) return { items: body, total: body.length };
  const items = (body && body.items) || [];
  return { items, total: Number.isFinite(body?.total) ? body.total : items.length };
}

/** Offer a Blob to the user as a download. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
