import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUploadHandler, safeName } from '../../../../electron/web/upload.js';

const tempRoot = mkdtempSync(join(tmpdir(), 'cardbench-upload-test-'));
const uploads = createUploadHandler({ maxBytes: 1000, tempRoot });
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((request, response) => void uploads.handle(request, response, new URL(request.url ?? '/', 'http://x'), port));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await uploads.dispose();
});

const put = (body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}, name = 'trace.pcapng') =>
  fetch(`http://127.0.0.1:${port}/upload?name=${encodeURIComponent(name)}`, { method: 'PUT', body, headers });

describe('browser-mode upload', () => {
  it('stores the body in a private temp file and answers its path', async () => {
    const response = await put(Uint8Array.from([1, 2, 3]));
    expect(response.status).toBe(200);
    const { path, bytes } = (await response.json()) as { path: string; bytes: number };
    expect(bytes).toBe(3);
    expect(path.startsWith(tempRoot)).toBe(true);
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
  });

  it('refuses a body over the limit, by header and while streaming, and leaves no file', async () => {
    expect((await put(new Uint8Array(1001))).status).toBe(413);
    const streamed = await fetch(`http://127.0.0.1:${port}/upload?name=big.pcapng`, {
      method: 'PUT',
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(400));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('refuses another origin', async () => {
    expect((await put(Uint8Array.from([1]), { Origin: 'https://evil.example' })).status).toBe(403);
  });

  it('keeps only a base name of safe characters', async () => {
    expect(safeName('../../etc/passwd')).toBe('passwd');
    expect(safeName('C:\\\\Users\\\\me\\\\trace.pcapng')).toBe('trace.pcapng');
    expect(safeName('...hidden')).toBe('hidden');
    expect(safeName('a/b/<script>.pcap')).toBe('_script_.pcap');
    expect(safeName('')).toBe('capture.pcapng');
    const response = await put(Uint8Array.from([9]), {}, '../../escape.pcapng');
    const { path } = (await response.json()) as { path: string };
    expect(path.startsWith(tempRoot)).toBe(true);
    expect(existsSync(join(tempRoot, '..', 'escape.pcapng'))).toBe(false);
  });
});
