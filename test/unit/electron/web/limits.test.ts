/**
 * Browser mode's resource limits, through real HTTP and WebSockets on loopback: open
 * connections, bytes of uploads in progress, and what the log says when a request fails.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../../electron/backend/electron-status.js';
import { startWebServer, type RunningWebServer } from '../../../../electron/web/server.js';
import { controllableProbes } from '../../../support/fake-probes.js';

const rendererDir = mkdtempSync(join(tmpdir(), 'cardbench-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Cardbench</title>');

const MAX_SOCKETS = 3;
const BUDGET = 1000;
let backend: Backend;
let server: RunningWebServer;
const logs: string[] = [];

beforeAll(async () => {
  const probes = controllableProbes({ pcsc: { available: false, reason: 'off' }, usb: { available: false, reason: 'off' } });
  backend = createBackend({ shell: 'browser', electron: electronStatusFor('browser'), probes, statusPollMs: 1000 });
  server = await startWebServer({
    backend,
    rendererDir,
    maxWebSockets: MAX_SOCKETS,
    maxUploadBytesInFlight: BUDGET,
    uploadTempRoot: mkdtempSync(join(tmpdir(), 'cardbench-upload-root-')),
    log: (line) => logs.push(line),
  });
});
afterAll(async () => {
  await server.close();
  backend.dispose();
});

const origin = () => `http://127.0.0.1:${server.port}`;
const cookie = () => `${server.cookieName}=${server.token}`;

function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { Cookie: cookie(), Origin: origin() } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => reject(Object.assign(new Error('refused'), { response })));
  });
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    response.on('data', (chunk: Buffer) => (text += chunk.toString()));
    response.on('end', () => resolve(text));
  });
}

/**
 * An upload whose headers are sent with `Expect: 100-continue`: the server sends 100 Continue
 * just before it runs the request handler, so once `continue` fires the upload is registered.
 */
function startUpload(length: number): Promise<{ request: ClientRequest; response: Promise<IncomingMessage> }> {
  const request = httpRequest({
    host: '127.0.0.1',
    port: server.port,
    method: 'PUT',
    path: '/upload?name=held.pcapng',
    headers: { Cookie: cookie(), 'Content-Length': String(length), Expect: '100-continue' },
  });
  const response = new Promise<IncomingMessage>((resolve) => request.once('response', resolve));
  request.flushHeaders();
  return new Promise((resolve) => request.once('continue', () => resolve({ request, response })));
}

const put = (body: Uint8Array<ArrayBuffer>) =>
  fetch(`${origin()}/upload?name=small.pcapng`, { method: 'PUT', body, headers: { Cookie: cookie() } });

describe('browser mode limits', () => {
  it(`refuses a WebSocket beyond ${MAX_SOCKETS} open ones with 503 and a reason, and takes one again after a close`, async () => {
    const open = await Promise.all(Array.from({ length: MAX_SOCKETS }, openSocket));
    expect(server.connectionCount()).toBe(MAX_SOCKETS);
    const refused = await openSocket().then(
      () => undefined,
      (error: { response: IncomingMessage }) => error.response,
    );
    expect(refused?.statusCode).toBe(503);
    expect(await readBody(refused!)).toContain('close other Cardbench tabs');
    expect(logs.some((line) => line.includes(`${MAX_SOCKETS} connections already open`))).toBe(true);

    open[0]!.close();
    // The count is the server's own state: wait until it has seen the close.
    await vi.waitFor(() => expect(server.connectionCount()).toBe(MAX_SOCKETS - 1));
    const again = await openSocket();
    expect(server.connectionCount()).toBe(MAX_SOCKETS);
    for (const ws of [...open.slice(1), again]) ws.close();
    await vi.waitFor(() => expect(server.connectionCount()).toBe(0));
  });

  it('refuses an upload with 429 while others in progress hold the byte budget, and accepts it once they finish', async () => {
    const held = await startUpload(BUDGET - 10);
    const refused = await put(new Uint8Array(20));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: string }).error).toMatch(/990 bytes of the 1000 bytes .* wait for them to finish/);
    // Smaller than what is left: accepted beside the held one.
    expect((await put(new Uint8Array(10))).status).toBe(200);

    held.request.end(Buffer.alloc(BUDGET - 10));
    expect((await held.response).statusCode).toBe(200);
    expect((await put(new Uint8Array(20))).status).toBe(200);
  });

  it('charges an upload without a declared length as it streams, and stops it at the budget', async () => {
    const held = await startUpload(BUDGET - 100);
    const streamed = await fetch(`${origin()}/upload?name=stream.pcapng`, {
      method: 'PUT',
      headers: { Cookie: cookie() },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(50));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(429);
    held.request.end(Buffer.alloc(BUDGET - 100));
    expect((await held.response).statusCode).toBe(200);
  });
});

describe('browser mode request log', () => {
  it('names a failed request by path only, never its query (which holds the token)', async () => {
    const broken = await startWebServer({
      backend,
      rendererDir,
      uploadTempRoot: join(tmpdir(), 'cardbench-no-such-folder', 'deeper'),
      log: (line) => logs.push(line),
    });
    try {
      logs.length = 0;
      const response = await fetch(`${broken.url}&name=trace.pcapng`.replace('/?', '/upload?'), { method: 'PUT', body: 'abc' });
      expect(response.status).toBe(500);
      expect(logs.some((line) => line.startsWith('http: PUT "/upload" failed'))).toBe(true);
      expect(logs.join('\n')).not.toContain(broken.token);
    } finally {
      await broken.close();
    }
  });
});
