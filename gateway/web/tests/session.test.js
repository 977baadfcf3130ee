// The session survives a new tab (localStorage) and ends on logout and on any 401.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, clearSession, saveSession, session } from '../src/api.js';

afterEach(() => { vi.unstubAllGlobals(); clearSession(); });

function answer(status, body) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

describe('the session', () => {
  it('is kept in localStorage, so another tab is signed in too', () => {
    saveSession('t-1', { id: 1, role: 'reviewer' });
    expect(JSON.parse(localStorage.getItem('supervision.session'))).toEqual({ token: 't-1', user: { id: 1, role: 'reviewer' } });
    clearSession('已退出登录。');
    expect(localStorage.getItem('supervision.session')).toBeNull();
    expect(session.token).toBeNull();
  });

  it('sends the token and ends on a 401', async () => {
    saveSession('t-2', { id: 1, role: 'reviewer' });
    const fetch = vi.fn(() => answer(401, { error: 'UNAUTHENTICATED', message: '登录已失效' }));
    vi.stubGlobal('fetch', fetch);
    await expect(api.get('/decisions', { page: 2, q: '' })).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/decisions?page=2');
    expect(fetch.mock.calls[0][1].headers.Authorization).toBe('Bearer t-2');
    expect(session.token).toBeNull();
    expect(localStorage.getItem('supervision.session')).toBeNull();
    expect(session.expired).toContain('登录已失效');
  });

  it('keeps the session when a wrong password is refused at login', async () => {
    vi.stubGlobal('fetch', vi.fn(() => answer(401, { error: 'UNAUTHENTICATED', message: '用户名或密码错误', fields: { password: ['用户名或密码错误'] } })));
    await expect(api.post('/auth/login', { username: 'a', password: 'b' })).rejects.toMatchObject({ fields: { password: ['用户名或密码错误'] } });
    expect(session.expired).toBe('');
  });
});
