/**
 * The browser is started with a one-time launch code, never the token: its command line is
 * readable by every local user in /proc. These tests go through real HTTP on loopback.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../../electron/backend/electron-status.js';
import { LAUNCH_CODE_TTL_MS } from '../../../../electron/web/launch-codes.js';
import { startWebServer, type RunningWebServer } from '../../../../electron/web/server.js';
import { controllableProbes } from '../../../support/fake-probes.js';

const rendererDir = mkdtempSync(join(tmpdir(), 'cardbench-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Cardbench</title>');

let clock = 1_000_000;
let backend: Backend;
let first: RunningWebServer;
let second: RunningWebServer;

beforeAll(async () => {
  const probes = controllableProbes({ pcsc: { available: false, reason: 'off' }, usb: { available: false, reason: 'off' } });
  backend = createBackend({ shell: 'browser', electron: electronStatusFor('browser'), probes, statusPollMs: 1000 });
  first = await startWebServer({ backend, rendererDir, now: () => clock });
  second = await startWebServer({ backend, rendererDir, now: () => clock });
});
afterAll(async () => {
  await first.close();
  await second.close();
  backend.dispose();
});

const get = (url: string, cookie?: string) => fetch(url, { redirect: 'manual', ...(cookie ? { headers: { Cookie: cookie } } : {}) });

/** `name=value` of a Set-Cookie header. */
function cookiePair(response: Response): string {
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe('browser mode launch codes', () => {
  it('gives a launch URL that carries neither the token nor anything derived from it', () => {
    const url = new URL(first.launchUrl());
    expect(url.origin).toBe(`http://127.0.0.1:${first.port}`);
    expect([...url.searchParams.keys()]).toEqual(['launch']);
    expect(url.href).not.toContain(first.token);
    expect(url.searchParams.get('launch')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.launchUrl()).not.toBe(first.launchUrl());
  });

  it('trades a launch code once for the session cookie, which then opens the app', async () => {
    const launch = first.launchUrl();
    const traded = await get(launch);
    expect(traded.status).toBe(303);
    expect(traded.headers.get('location')).toBe('/');
    expect(traded.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(cookiePair(traded)).toBe(`${first.cookieName}=${first.token}`);
    const page = await get(`http://127.0.0.1:${first.port}/`, cookiePair(traded));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Cardbench</title>');

    // Whoever reads the code from /proc later gets nothing.
    const replay = await get(launch);
    expect(replay.status).toBe(401);
    expect(replay.headers.get('set-cookie')).toBeNull();
    expect(await replay.text()).toContain('already used or has expired');
  });

  it('refuses a code after its lifetime, even unused', async () => {
    const launch = first.launchUrl();
    clock += LAUNCH_CODE_TTL_MS + 1;
    expect((await get(launch)).status).toBe(401);
  });

  it('refuses codes it never minted and codes of another instance', async () => {
    expect((await get(`http://127.0.0.1:${first.port}/?launch=${'A'.repeat(32)}`)).status).toBe(401);
    const theirs = new URL(second.launchUrl()).searchParams.get('launch');
    expect((await get(`http://127.0.0.1:${first.port}/?launch=${theirs}`)).status).toBe(401);
  });

  it('does not accept a launch code for WebSockets or uploads, only for a page load', async () => {
    const code = new URL(first.launchUrl()).searchParams.get('launch');
    const upload = await fetch(`http://127.0.0.1:${first.port}/upload?name=a.pcap&launch=${code}`, { method: 'PUT', body: 'x' });
    expect(upload.status).toBe(401);
    // …and the code was not spent by that attempt.
    expect((await get(`http://127.0.0.1:${first.port}/?launch=${code}`)).status).toBe(303);
  });

  it('cleans a spent code out of the address bar when the browser already holds the cookie', async () => {
    const launch = first.launchUrl();
    const { status } = await get(launch);
    expect(status).toBe(303);
    const again = await get(launch, `${first.cookieName}=${first.token}`);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/');
  });
});

describe('browser mode cookies, one per instance', () => {
  it('names the cookie after the port, so two instances keep their own sessions side by side', async () => {
    expect(first.cookieName).not.toBe(second.cookieName);
    const a = cookiePair(await get(first.url));
    const b = cookiePair(await get(second.url));
    expect(a.split('=')[0]).toBe(first.cookieName);
    expect(b.split('=')[0]).toBe(second.cookieName);
    // One browser's cookie jar sends both (cookies ignore ports): each server finds its own.
    const jar = `${a}; ${b}`;
    expect((await get(`http://127.0.0.1:${first.port}/`, jar)).status).toBe(200);
    expect((await get(`http://127.0.0.1:${second.port}/`, jar)).status).toBe(200);
    // And neither accepts the other's token under its own name.
    expect((await get(`http://127.0.0.1:${first.port}/`, `${first.cookieName}=${second.token}`)).status).toBe(401);
  });
});
