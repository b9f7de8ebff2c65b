/**
 * Browser mode's way to hand a capture to the backend when the user drops or picks a file (a
 * page cannot know the file's path): `PUT /upload?name=trace.pcapng` streams the body to a
 * temporary file, capped in size, and answers `{ path }` for capture.open. The request has
 * already passed checkAccess (loopback host, token); an Origin, when sent, must be ours too.
 * Only the few newest uploads are kept; the folder goes when the server closes. The bytes of all
 * uploads in progress together are capped too (a declared length is reserved up front), so
 * parallel uploads cannot fill the disk each within its own limit.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isAllowedOrigin } from './access.js';

export const UPLOAD_PATH = '/upload';
/** 4 GiB: larger than any USB capture a person opens, small enough to protect the disk. */
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
/** One upload of the largest size, or several smaller ones, at a time. */
export const DEFAULT_MAX_UPLOAD_BYTES_IN_FLIGHT = DEFAULT_MAX_UPLOAD_BYTES;
const KEEP_UPLOADS = 4;
/** Seconds a client is told to wait when uploads in progress hold the whole budget. */
const RETRY_AFTER_SECONDS = 5;

export interface UploadHandlerOptions {
  maxBytes?: number;
  /** Bytes all uploads in progress may hold together. */
  maxBytesInFlight?: number;
  /** Parent of the temporary folder (default: the system's). */
  tempRoot?: string;
}

export interface UploadHandler {
  handle(request: IncomingMessage, response: ServerResponse, url: URL, port: number): Promise<void>;
  dispose(): Promise<void>;
}

class TooLarge extends Error {}
class OverBudget extends Error {}

export function createUploadHandler(options: UploadHandlerOptions = {}): UploadHandler {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxInFlight = options.maxBytesInFlight ?? DEFAULT_MAX_UPLOAD_BYTES_IN_FLIGHT;
  let inFlight = 0;
  let folder: Promise<string> | undefined;
  const kept: string[] = [];
  const uploadFolder = (): Promise<string> => (folder ??= mkdtemp(join(options.tempRoot ?? tmpdir(), 'cardbench-uploads-')));

  return {
    async handle(request, response, url, port) {
      if (request.headers.origin !== undefined && !isAllowedOrigin(request.headers.origin, port)) {
        reply(response, 403, { error: 'uploads are only accepted from this page' });
        return;
      }
      const declared = Number(request.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        reply(response, 413, { error: `the file is larger than the ${formatBytes(maxBytes)} upload limit: open it by path instead` });
        request.resume();
        return;
      }
      // Reserve a declared length before the first await, so two uploads arriving together
      // cannot both pass this check.
      const reserved = Number.isFinite(declared) ? declared : 0;
      if (reserved > 0 && inFlight + reserved > maxInFlight) {
        replyOverBudget(response, inFlight, maxInFlight);
        request.resume();
        return;
      }
      inFlight += reserved;
      let charged = reserved;
      try {
        const name = safeName(url.searchParams.get('name') ?? 'capture.pcapng');
        const path = join(await uploadFolder(), `${randomBytes(6).toString('hex')}-${name}`);
        let bytes = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            // A body without a declared length is charged as it arrives.
            if (bytes > charged) {
              inFlight += bytes - charged;
              charged = bytes;
            }
            done(bytes > maxBytes ? new TooLarge() : inFlight > maxInFlight ? new OverBudget() : null, chunk);
          },
        });
        try {
          await pipeline(request, counter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
        } catch (error) {
          await unlink(path).catch(() => undefined);
          if (error instanceof TooLarge)
            reply(response, 413, { error: `the file is larger than the ${formatBytes(maxBytes)} upload limit: open it by path instead` });
          else if (error instanceof OverBudget) replyOverBudget(response, inFlight - charged, maxInFlight);
          else reply(response, 400, { error: `the upload of ${name} was interrupted` });
          return;
        }
        kept.push(path);
        while (kept.length > KEEP_UPLOADS) await unlink(kept.shift()!).catch(() => undefined);
        reply(response, 200, { path, name, bytes });
      } finally {
        inFlight -= charged;
      }
    },
    async dispose() {
      if (folder) await rm(await folder, { recursive: true, force: true });
    },
  };
}

/** The base name only, in characters every file system takes. */
export function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[^A-Za-z0-9._ -]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 100);
  return cleaned || 'capture.pcapng';
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/** 429: the server is fine, this client asked for too much at once; waiting helps. */
function replyOverBudget(response: ServerResponse, othersInFlight: number, maxInFlight: number): void {
  reply(
    response,
    429,
    {
      error: `other uploads in progress hold ${formatBytes(othersInFlight)} of the ${formatBytes(maxInFlight)} that may be uploaded at once: wait for them to finish, then try again`,
    },
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  );
}

function reply(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  response.end(JSON.stringify(body));
}
