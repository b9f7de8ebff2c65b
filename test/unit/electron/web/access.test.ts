import { describe, expect, it } from 'vitest';
import {
  checkAccess,
  generateToken,
  isAllowedHost,
  isAllowedOrigin,
  readCookie,
  tokenCookie,
  tokenCookieName,
  tokensEqual,
} from '../../../../electron/web/access.js';
import { LaunchCodes } from '../../../../electron/web/launch-codes.js';

const PORT = 41234;
const TOKEN = 'k3y-Of-This_Run';
const COOKIE = `cardbench_token_${PORT}`;
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
    expect(checkAccess({ ...base, queryToken: TOKEN }, TOKEN, PORT)).toEqual({ allowed: true, via: 'query' });
    expect(checkAccess({ ...base, cookie: `a=b; ${COOKIE}=${TOKEN}` }, TOKEN, PORT)).toEqual({ allowed: true, via: 'cookie' });
  });

  it("reads only this port's cookie: another instance's cookie is not ours", () => {
    expect(tokenCookieName(PORT)).toBe(COOKIE);
    expect(checkAccess({ ...base, cookie: `cardbench_token_${PORT + 1}=${TOKEN}` }, TOKEN, PORT)).toMatchObject({ allowed: false });
    expect(checkAccess({ ...base, cookie: `cardbench_token=${TOKEN}` }, TOKEN, PORT)).toMatchObject({ allowed: false });
  });

  it('accepts a launch code once, on page loads only, and only after the Host check', () => {
    const codes = new LaunchCodes();
    const code = codes.mint();
    expect(checkAccess({ ...base, host: 'evil.example', launchCode: code }, TOKEN, PORT, codes)).toMatchObject({ status: 403 });
    expect(
      checkAccess({ ...base, isWebSocket: true, origin: `http://127.0.0.1:${PORT}`, launchCode: code }, TOKEN, PORT, codes),
    ).toMatchObject({ allowed: false, status: 401 });
    expect(checkAccess({ ...base, launchCode: code }, TOKEN, PORT, codes)).toEqual({ allowed: true, via: 'launch' });
    expect(checkAccess({ ...base, launchCode: code }, TOKEN, PORT, codes)).toEqual({
      allowed: false,
      status: 401,
      reason: 'this launch link was already used or has expired',
    });
  });

  it('expires launch codes and keeps only a few pending', () => {
    let now = 0;
    const codes = new LaunchCodes({ ttlMs: 1000, now: () => now });
    const late = codes.mint();
    now = 1000;
    expect(codes.redeem(late)).toBe(false);
    const oldest = codes.mint();
    for (let i = 0; i < 8; i++) codes.mint();
    expect(codes.redeem(oldest)).toBe(false);
    expect(codes.redeem('')).toBe(false);
  });

  it('answers 401 without a valid token', () => {
    expect(checkAccess(base, TOKEN, PORT)).toMatchObject({ allowed: false, status: 401 });
    expect(checkAccess({ ...base, queryToken: 'guess' }, TOKEN, PORT)).toMatchObject({ allowed: false, status: 401 });
    expect(checkAccess({ ...base, cookie: `${COOKIE}=guess` }, TOKEN, PORT)).toMatchObject({ allowed: false, status: 401 });
  });

  it('answers 403 to a foreign Host even with the token (DNS rebinding)', () => {
    for (const host of ['evil.example:41234', `127.0.0.1:${PORT + 1}`, '127.0.0.1', undefined]) {
      expect(checkAccess({ ...base, host, queryToken: TOKEN }, TOKEN, PORT)).toMatchObject({ allowed: false, status: 403 });
    }
    expect(isAllowedHost(`LOCALHOST:${PORT}`, PORT)).toBe(true);
    expect(isAllowedHost(`[::1]:${PORT}`, PORT)).toBe(true);
  });

  it('requires our own Origin on WebSockets', () => {
    const ws = { ...base, isWebSocket: true, cookie: `${COOKIE}=${TOKEN}` };
    expect(checkAccess({ ...ws, origin: `http://127.0.0.1:${PORT}` }, TOKEN, PORT)).toEqual({ allowed: true, via: 'cookie' });
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
    expect(tokenCookie('t', PORT)).toMatch(new RegExp(`^${COOKIE}=t; `));
    expect(tokenCookie('t', PORT)).toMatch(/HttpOnly/);
    expect(tokenCookie('t', PORT)).toMatch(/SameSite=Strict/);
  });
});
