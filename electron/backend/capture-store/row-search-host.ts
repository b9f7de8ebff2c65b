/**
 * A session's search worker (row-search-worker.ts), started at its first free-text search and
 * stopped with the session, and the answers it gave: for each text, which of the first rows
 * match (a bit a row). The session's filter reads a row's bit where the worker answered and
 * searches the newer rows itself.
 *
 * Where the worker's script is: beside this file from source (through tsx's loader), or
 * out/main/row-search-worker.js from the build (next to the running module or one folder up).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { typescriptBootstrap } from '../capture/decode-worker-host.js';
import type { RowSearchReply, RowSearchRequest } from './row-search-protocol.js';

const WORKER_FILE = 'row-search-worker';
/** Answers kept (texts searched), the oldest forgotten first. */
const MAX_ANSWERS = 6;
/** The worker holds no capture of its own: its heap is names, meanings and one bit a row. */
const HEAP_MB = 256;

export interface SearchAnswer {
  /** Rows [0, rows) were searched. */
  rows: number;
  bits: Uint8Array;
}

export class RowSearchWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (bits: Uint8Array) => void; reject: (error: Error) => void }>();
  private readonly answers = new Map<string, SearchAnswer>();
  private failure: Error | undefined;

  /** The worker's answer for `text`, if it has searched it. */
  answer(text: string): SearchAnswer | undefined {
    return this.answers.get(text);
  }

  /**
   * Searches rows [0, request.rows) for the text, beyond those an answer covers already; the
   * answer object grows in place (a filter holding it sees the new rows).
   */
  async search(request: Omit<RowSearchRequest, 'id' | 'from'>): Promise<void> {
    const known = this.answers.get(request.text);
    const from = known?.rows ?? 0;
    if (from >= request.rows || this.failure) return;
    const id = this.nextId++;
    const worker = this.started();
    // Held while it works (an awaited answer alone does not keep a process alive), let go when idle.
    worker.ref();
    const bits = await new Promise<Uint8Array>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ ...request, from, id } satisfies RowSearchRequest);
    }).catch(() => undefined);
    if (this.waiting.size === 0) this.worker?.unref();
    // Without the worker (it failed), the session's filter searches the rows itself.
    if (!bits) return;
    const answer = this.answers.get(request.text);
    if (answer && answer.rows === from) {
      // The new bits start in the byte where the old ones end: the old bits are kept, OR'd in.
      for (let i = 0; i < answer.bits.length; i++) bits[i]! |= answer.bits[i]!;
      answer.bits = bits;
      answer.rows = request.rows;
      return;
    }
    if (answer) return;
    if (this.answers.size >= MAX_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(request.text, { rows: request.rows, bits });
  }

  /** Forgets every answer (rows were tagged anew). */
  forget(): void {
    this.answers.clear();
  }

  stop(): void {
    this.answers.clear();
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const waiting of this.waiting.values()) waiting.reject(new Error('the search was stopped'));
    this.waiting.clear();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const script = scriptOf(import.meta.url);
    const options = { resourceLimits: { maxOldGenerationSizeMb: HEAP_MB }, stdin: false };
    const worker = script.typescript
      ? new Worker(typescriptBootstrap(script.url), { ...options, eval: true })
      : new Worker(script.url, options);
    worker.on('message', (reply: RowSearchReply) => {
      this.waiting.get(reply.id)?.resolve(reply.bits);
      this.waiting.delete(reply.id);
    });
    worker.on('error', (error) => this.failed(error));
    worker.on('exit', () => this.failed(new Error('the search worker stopped')));
    this.worker = worker;
    return worker;
  }

  private failed(error: Error): void {
    if (this.worker === undefined) return;
    this.failure = error;
    this.worker = undefined;
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}

function scriptOf(here: string): { url: URL; typescript: boolean } {
  if (here.endsWith('.ts')) return { url: new URL(`./${WORKER_FILE}.ts`, here), typescript: true };
  // The file name goes through a variable so that no bundler mistakes it for an asset to copy.
  const candidates = [`./${WORKER_FILE}.js`, `../${WORKER_FILE}.js`].map((relative) => new URL(relative, here));
  return { url: candidates.find((url) => existsSync(fileURLToPath(url))) ?? candidates[0]!, typescript: false };
}
