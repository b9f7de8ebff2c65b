/**
 * What browser mode says when a capture cannot be opened, through the real server (upload over
 * HTTP, capture.open over the WebSocket): that it is not a capture, by the name the user knows,
 * never the file's first bytes or the server's temporary path.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CaptureStatus } from '#core/ipc/channels/captures.js';
import { createBackend, type Backend } from '../../../../electron/backend/backend.js';
import { electronStatusFor } from '../../../../electron/backend/electron-status.js';
import { startWebServer, type RunningWebServer } from '../../../../electron/web/server.js';
import { controllableProbes } from '../../../support/fake-probes.js';

const rendererDir = mkdtempSync(join(tmpdir(), 'cardbench-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Cardbench</title>');
const uploadRoot = mkdtempSync(join(tmpdir(), 'cardbench-upload-root-'));
const secretDir = mkdtempSync(join(tmpdir(), 'cardbench-not-a-capture-'));
/** A file anyone could point the server at: its first bytes must not come back. */
const SECRET = join(secretDir, 'credentials');
writeFileSync(SECRET, 'root:x:0:0:SECRET-CONTENT\n');

let backend: Backend;
let server: RunningWebServer;
let ws: WebSocket;
let nextId = 1;

beforeAll(async () => {
  const probes = controllableProbes({ pcsc: { available: false, reason: 'off' }, usb: { available: false, reason: 'off' } });
  backend = createBackend({ shell: 'browser', electron: electronStatusFor('browser'), probes, statusPollMs: 1000 });
  server = await startWebServer({ backend, rendererDir, uploadTempRoot: uploadRoot });
  ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, {
    headers: { Cookie: `${server.cookieName}=${server.token}`, Origin: `http://127.0.0.1:${server.port}` },
  });
  await new Promise((resolve) => ws.once('open', resolve));
});
afterAll(async () => {
  ws.close();
  await server.close();
  backend.dispose();
});

/** Opens a capture and waits for the backend's own progress event that ends its import. */
async function openAndWait(args: { path: string; name?: string }): Promise<CaptureStatus> {
  const id = nextId++;
  const ended = new Promise<CaptureStatus>((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(String(data)) as { kind: string; event?: string; payload?: CaptureStatus };
      if (message.kind === 'event' && message.event === 'capture.progress' && message.payload!.state !== 'importing') {
        ws.off('message', onMessage);
        resolve(message.payload!);
      }
    };
    ws.on('message', onMessage);
  });
  ws.send(JSON.stringify({ kind: 'request', id, channel: 'capture.open', args }));
  return ended;
}

function call(channel: string, args: object): Promise<{ ok: boolean; error?: { message: string } }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(String(data)) as { kind: string; id?: number; envelope?: { ok: boolean; error?: { message: string } } };
      if (message.kind === 'response' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message.envelope!);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'request', id, channel, args }));
  });
}

async function upload(name: string, body: string): Promise<{ path: string; name: string }> {
  const response = await fetch(`http://127.0.0.1:${server.port}/upload?name=${encodeURIComponent(name)}`, {
    method: 'PUT',
    body,
    headers: { Cookie: `${server.cookieName}=${server.token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { path: string; name: string };
}

/** Hex pairs as the old message printed them ("72 6F 6F 74"). */
const hexOf = (text: string) => [...Buffer.from(text).subarray(0, 4)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

describe('browser mode capture errors', () => {
  it('says a file opened by path is not a capture, without echoing its first bytes', async () => {
    const status = await openAndWait({ path: SECRET });
    expect(status.state).toBe('failed');
    expect(status.problem).toMatch(/not a pcap\/pcapng file/);
    expect(status.problem).not.toContain(hexOf('root'));
    expect(status.problem).not.toMatch(/\b[0-9A-F]{2} [0-9A-F]{2} [0-9A-F]{2}\b/);
    expect(status.problem).not.toContain('SECRET');
  });

  it("names an uploaded file by the user's file name, never the server's temporary path", async () => {
    const { path, name } = await upload('notes.txt', 'hello, this is text');
    expect(path.startsWith(uploadRoot)).toBe(true);
    const status = await openAndWait({ path, name });
    expect(status.state).toBe('failed');
    expect(status.problem).toContain('notes.txt');
    expect(status.problem).not.toContain(uploadRoot);
    expect(status.problem).not.toContain(tmpdir());
  });

  it("names an upload the server no longer keeps by the user's file name", async () => {
    const first = await upload('first-trace.pcapng', 'x');
    // Only the newest few uploads are kept on disk.
    for (let i = 0; i < 4; i++) await upload(`later-${i}.pcapng`, 'x');
    const envelope = await call('capture.open', { path: first.path, name: first.name });
    expect(envelope.ok).toBe(false);
    expect(envelope.error!.message).toBe('Cannot open first-trace.pcapng: there is no such file.');
  });
});
