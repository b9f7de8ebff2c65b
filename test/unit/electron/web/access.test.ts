import { describe, expect, it } from 'vitest';
import {
  checkAccess,
  generateToken,
  isAllowedHost,
  isAllowedOrigin,
  readCookie,
  tokenCookie,
  tokensEqual,
} from '../../../../electron/web/access.js';

const PORT = 41234;
const TOKEN = 'k3y-Of-This_Run';
const base = { host: `127.0.0.1:${PORT}`, cookie: undefined, queryToken: undefined, isWebSocket: false };

describe('browser mode access', () => {
  it('makes unguessable tokens', () => {
    const tokens = new Set(Array.from({ length: 50 }, generateToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('compares tokens exactly', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(TOKEN, TOKEN.slice(0, -1))).toBe(false);
    expect(tokensEqual(TOKEN, undefined)).toBe(false);
    expect(tokensEqual(TOKEN, '')).toBe(false);
  });

  it('accepts the token from the query once, then from the cookie', () => {
    expect(checkAccess({ ...base, queryToken: TOKEN }, TOKEN, PORT)).toEqual({ allowed: true, viaQuery: true });
    expect(checkAccess({ ...base, cookie: `a=b; cardbench_token=${TOKEN}` }, TOKEN, PORT)).toEqual({ allowed: true, viaQuery: false });
  });

  it('answers 401 without a valid token', () => {
    expect(checkAccess(base, TOKEN, PORT)).toMatchObject({ allowed: false, status: 401 });
    expect(checkAccess({ ...base, queryToken: 'guess' }, TOKEN, PORT)).toMatchObject({ allowed: false, status: 401 });
    expect(checkAccess({ ...base, cookie: 'cardbench_token=guess' }, TOKEN, PORT)).toMatchObject({ allowed: false, status: 401 });
  });

  it('answers 403 to a foreign Host even with the token (DNS rebinding)', () => {
    for (const host of ['evil.example:41234', `127.0.0.1:${PORT + 1}`, '127.0.0.1', undefined]) {
      expect(checkAccess({ ...base, host, queryToken: TOKEN }, TOKEN, PORT)).toMatchObject({ allowed: false, status: 403 });
    }
    expect(isAllowedHost(`LOCALHOST:${PORT}`, PORT)).toBe(true);
    expect(isAllowedHost(`[::1]:${PORT}`, PORT)).toBe(true);
  });

  it('requires our own Origin on WebSockets', () => {
    const ws = { ...base, isWebSocket: true, cookie: `cardbench_token=${TOKEN}` };
    expect(checkAccess({ ...ws, origin: `http://127.0.0.1:${PORT}` }, TOKEN, PORT)).toEqual({ allowed: true, viaQuery: false });
    for (const origin of [
      undefined,
      'null',
      'https://evil.example',
      `http://127.0.0.1:${PORT}.evil.example`,
      `https://127.0.0.1:${PORT}`,
    ]) {
      expect(checkAccess({ ...ws, origin }, TOKEN, PORT)).toMatchObject({ allowed: false, status: 403 });
    }
    expect(isAllowedOrigin(`http://localhost:${PORT}`, PORT)).toBe(true);
  });

  it('reads cookies and writes a strict HttpOnly one', () => {
    expect(readCookie('x=1; cardbench_token=abc ; y=2', 'cardbench_token')).toBe('abc');
    expect(readCookie('cardbench_tokenx=abc', 'cardbench_token')).toBeUndefined();
    expect(readCookie(undefined, 'cardbench_token')).toBeUndefined();
    expect(tokenCookie('t')).toMatch(/HttpOnly/);
    expect(tokenCookie('t')).toMatch(/SameSite=Strict/);
  });
});
