import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../../electron/backend/electron-status.js';
import { startWebServer, type RunningWebServer } from '../../../../electron/web/server.js';
import { controllableProbes } from '../../../support/fake-probes.js';
import { rawRequest } from './raw-http.js';

const rendererDir = mkdtempSync(join(tmpdir(), 'cardbench-renderer-'));
mkdirSync(join(rendererDir, 'assets'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Cardbench</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'cardbench-secret.txt'), 'secret');

const probes = controllableProbes({
  pcsc: { available: false, reason: 'PC/SC service not running.' },
  usb: { available: false, reason: 'no bus' },
});
let backend: Backend;
let server: RunningWebServer;
const logs: string[] = [];

beforeAll(async () => {
  backend = createBackend({ shell: 'browser', electron: electronStatusFor('browser'), probes, statusPollMs: 30 });
  server = await startWebServer({ backend, rendererDir, log: (line) => logs.push(line) });
});
afterAll(async () => {
  await server.close();
  backend.dispose();
});

const origin = () => `http://127.0.0.1:${server.port}`;
const cookie = () => `${server.cookieName}=${server.token}`;

function openSocket(headers: Record<string, string> = { Cookie: cookie(), Origin: origin() }): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

function refusedWith(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
}

describe('browser mode HTTP', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
  });

  it('refuses a request without the token with 401 and says what to do', async () => {
    const response = await fetch(`${origin()}/`);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('cardbench web');
  });

  it('refuses assets without the token too', async () => {
    expect((await fetch(`${origin()}/assets/app.js`)).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly cookie and serves with a strict CSP', async () => {
    const first = await fetch(server.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    expect(first.headers.get('set-cookie')).toContain('HttpOnly');
    const page = await fetch(`${origin()}/`, { headers: { Cookie: cookie() } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Cardbench</title>');
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const asset = await fetch(`${origin()}/assets/app.js`, { headers: { Cookie: cookie() } });
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('always redirects to / when trading the URL token, whatever the path looked like (no open redirect)', async () => {
    // `/.//evil.example/` parses to the path `//evil.example/`: echoed as Location, a browser
    // reads it as a scheme-relative URL to another site.
    for (const path of [
      '/.//evil.example/',
      '//evil.example/',
      '/\\evil.example/',
      '/%2F%2Fevil.example/',
      '/assets/../x',
      '/assets/app.js',
    ]) {
      const response = await rawRequest(server.port, `GET ${path}?token=${server.token}&x=1 HTTP/1.1`);
      expect(response.status, path).toBe(303);
      expect(response.headers.location, path).toBe('/');
      expect(response.headers['set-cookie'], path).toContain(`${server.cookieName}=${server.token}`);
    }
  });

  it('answers 400 to a request target that is not a path', async () => {
    for (const target of ['http://evil.example/', '*']) {
      expect((await rawRequest(server.port, `GET ${target} HTTP/1.1`, { Cookie: cookie() })).status, target).toBe(400);
    }
  });

  it('logs refused and failed requests by method and path, never with their query', async () => {
    logs.length = 0;
    await rawRequest(server.port, `GET /secret-path?token=wrong-guess-123&q=private HTTP/1.1`);
    await rawRequest(server.port, `GET /x?token=${server.token} HTTP/1.1`, { Host: 'evil.example' });
    expect(logs.some((line) => line.startsWith('refused GET "/secret-path"'))).toBe(true);
    expect(logs.some((line) => line.startsWith('refused GET "/x"'))).toBe(true);
    for (const line of logs) {
      expect(line).not.toContain('wrong-guess-123');
      expect(line).not.toContain('private');
      expect(line).not.toContain(server.token);
    }
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../cardbench-secret.txt', '/%2e%2e/cardbench-secret.txt', '/assets/..%2f..%2fcardbench-secret.txt']) {
      const response = await fetch(`${origin()}${path}`, { headers: { Cookie: cookie() } });
      expect([400, 404], path).toContain(response.status);
      expect(await response.text()).not.toContain('secret\n');
    }
  });

  it('answers 404 for missing files and 405 for other methods', async () => {
    expect((await fetch(`${origin()}/nope.js`, { headers: { Cookie: cookie() } })).status).toBe(404);
    expect((await fetch(`${origin()}/`, { method: 'POST', headers: { Cookie: cookie() } })).status).toBe(405);
  });
});

describe('browser mode WebSocket bridge', () => {
  it('serves the contract: app.info answers with the backends and reasons', async () => {
    const ws = openSocket();
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ kind: 'request', id: 7, channel: 'app.info', args: {} }));
    const message = await nextMessage(ws);
    expect(message).toMatchObject({ kind: 'response', id: 7, envelope: { ok: true, result: { name: 'Cardbench', shell: 'browser' } } });
    expect(JSON.stringify(message)).toContain('PC/SC service not running.');
    ws.close();
  });

  it('answers invalid arguments with a typed error and keeps the connection', async () => {
    const ws = openSocket();
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ kind: 'request', id: 1, channel: 'app.info', args: { evil: true } }));
    expect(await nextMessage(ws)).toMatchObject({ id: 1, envelope: { ok: false, error: { code: 'invalid-arguments' } } });
    ws.send(JSON.stringify({ kind: 'request', id: 2, channel: 'app.info', args: {} }));
    expect(await nextMessage(ws)).toMatchObject({ id: 2, envelope: { ok: true } });
    ws.close();
  });

  it('closes a connection that sends garbage, logs why, and keeps serving others', async () => {
    const bad = openSocket();
    await new Promise((resolve) => bad.once('open', resolve));
    const badClosed = closed(bad);
    bad.send('{{{ not json');
    expect(await badClosed).toMatchObject({ code: 1008, reason: 'frame is not JSON' });
    expect(logs.some((line) => line.includes('frame is not JSON'))).toBe(true);

    const binary = openSocket();
    await new Promise((resolve) => binary.once('open', resolve));
    const binaryClosed = closed(binary);
    binary.send(Buffer.from([1, 2, 3]));
    expect((await binaryClosed).code).toBe(1003);

    const good = openSocket();
    await new Promise((resolve) => good.once('open', resolve));
    good.send(JSON.stringify({ kind: 'request', id: 3, channel: 'app.info', args: {} }));
    expect(await nextMessage(good)).toMatchObject({ id: 3, envelope: { ok: true } });
    good.close();
  });

  it('refuses a WebSocket without the token (401) or from another origin (403)', async () => {
    expect(await refusedWith(openSocket({ Origin: origin() }))).toBe(401);
    expect(await refusedWith(openSocket({ Cookie: cookie(), Origin: 'https://evil.example' }))).toBe(403);
    expect(await refusedWith(openSocket({ Cookie: cookie() }))).toBe(403);
  });

  it('pushes backend changes as events', async () => {
    const ws = openSocket();
    await new Promise((resolve) => ws.once('open', resolve));
    const event = nextMessage(ws);
    probes.setPcsc({ available: true });
    expect(await event).toEqual({
      kind: 'event',
      event: 'app.backendsChanged',
      payload: expect.objectContaining({ pcsc: { available: true } }),
    });
    ws.close();
  });
});
