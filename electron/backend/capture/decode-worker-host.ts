/**
 * Starts the capture decoder in a worker thread with V8 resource limits, and watches it: a
 * decoder that exhausts its heap, stops answering or dies ends its own decode with a clear
 * reason (DecodeWorkerFailure), never the process that asked — the CLI, or the backend in
 * Electron's main process, which goes on answering its other calls.
 *
 * Where the worker's script is, in each of the three ways Cardbench runs:
 *  - from source (tsx, Vitest): the .ts file beside this one, loaded through tsx's loader;
 *  - from the electron-vite build (out/main/cli.js, and Electron's main process, index.js):
 *    out/main/capture-decode-worker.js, a build entry of its own, found next to the running
 *    module or one folder up when this code sits in out/main/chunks/.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecodeWorkerConfig, DecodeWorkerReply, DecodeWorkerRequest } from './decode-worker-protocol.js';

export interface DecoderLimits {
  /** V8 old generation of the worker (maxOldGenerationSizeMb). */
  heapMb: number;
  /** No reply for this long while the worker has work: it is stopped as hung. */
  watchdogMs: number;
}

/**
 * Generous for real captures (a 113 MB capture's full JSON report needs ~200 MiB), far below
 * what takes a desktop down. CARDBENCH_DECODE_HEAP_MB and CARDBENCH_DECODE_WATCHDOG_S override.
 */
export const DEFAULT_DECODER_LIMITS: DecoderLimits = { heapMb: 2048, watchdogMs: 30_000 };
/**
 * Young generation and stack of the worker: fixed. The decoder's garbage dies young; 8 MiB
 * decodes as fast as 32 (measured on the 113 MB capture) and, since a young generation grows
 * to its limit over a long decode, keeps `decode --ndjson` of a 1 GB capture within a few MiB
 * of a 113 MB one.
 */
const YOUNG_GENERATION_MB = 8;
const STACK_MB = 4;

/** The limits in force: defaults, overridden by the environment. */
export function decoderLimits(env: NodeJS.ProcessEnv = process.env): DecoderLimits {
  return {
    heapMb: positive(env.CARDBENCH_DECODE_HEAP_MB) ?? DEFAULT_DECODER_LIMITS.heapMb,
    watchdogMs: (positive(env.CARDBENCH_DECODE_WATCHDOG_S) ?? DEFAULT_DECODER_LIMITS.watchdogMs / 1000) * 1000,
  };
}

function positive(text: string | undefined): number | undefined {
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export type DecodeWorkerFailureCode = 'out-of-memory' | 'hung' | 'crashed';

/** Why the decoder could not finish, in words for the user. */
export class DecodeWorkerFailure extends Error {
  constructor(
    readonly code: DecodeWorkerFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'DecodeWorkerFailure';
  }
}

export function outOfMemoryMessage(heapMb: number): string {
  return (
    `this capture needs more memory than the decoder is allowed (${heapMb} MiB); it may be crafted to exhaust memory. ` +
    `If you trust it, allow more with CARDBENCH_DECODE_HEAP_MB=${heapMb * 2}.`
  );
}

export function hungMessage(watchdogMs: number): string {
  return `the decoder made no progress for ${watchdogMs / 1000} s on this capture (it may be crafted to hang a decoder) and was stopped.`;
}

/** The worker's script: where, and whether it is TypeScript (run from source). */
export interface WorkerScript {
  url: URL;
  typescript: boolean;
}

const WORKER_FILE = 'capture-decode-worker';

export function decodeWorkerScript(here: string = import.meta.url): WorkerScript {
  if (here.endsWith('.ts')) return { url: new URL(`./${WORKER_FILE}.ts`, here), typescript: true };
  // The file name goes through a variable so that no bundler mistakes it for an asset to copy.
  const candidates = [`./${WORKER_FILE}.js`, `../${WORKER_FILE}.js`].map((relative) => new URL(relative, here));
  const found = candidates.find((url) => existsSync(fileURLToPath(url)));
  if (!found)
    throw new DecodeWorkerFailure(
      'crashed',
      `the capture decoder is missing from this build (looked for ${candidates.map((u) => fileURLToPath(u)).join(', ')})`,
    );
  return { url: found, typescript: false };
}

/** A worker started ahead of its decode (prestartDecodeWorker), with the limits it was started with. */
let prestarted: { worker: Worker; limits: DecoderLimits } | undefined;

/**
 * Starts the decoder's thread now, for a decode that will begin once the command that asked has
 * loaded: the thread boots and loads the decoder meanwhile instead of after (~50 ms of a large
 * capture's decode). The next DecodeWorker with the same limits and the built-in script adopts
 * it; until then it holds nothing and keeps no process alive.
 */
export function prestartDecodeWorker(limits: DecoderLimits = decoderLimits()): void {
  if (prestarted) return;
  let script: WorkerScript;
  try {
    script = decodeWorkerScript();
  } catch {
    return; // No built worker here: the decode says so when it starts its own.
  }
  // From source the worker needs tsx's loader: the decode starts its own.
  if (script.typescript) return;
  const worker = new Worker(script.url, workerOptions(limits, undefined));
  worker.unref();
  // A thread that failed or ended before a decode adopted it is not adopted: that decode starts
  // its own and reports what goes wrong there.
  worker.on('error', () => {});
  worker.once('exit', () => {
    if (prestarted?.worker === worker) prestarted = undefined;
  });
  prestarted = { worker, limits };
}

/** The prestarted worker, when it suits these limits and script (it is handed out once). */
function adoptPrestarted(limits: DecoderLimits, script: WorkerScript | undefined): Worker | undefined {
  const candidate = prestarted;
  prestarted = undefined;
  if (!candidate) return undefined;
  if (script === undefined && candidate.limits.heapMb === limits.heapMb) return candidate.worker;
  void candidate.worker.terminate();
  return undefined;
}

function workerOptions(limits: DecoderLimits, config: DecodeWorkerConfig | undefined) {
  return {
    ...(config ? { workerData: config } : {}),
    resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, stackSizeMb: STACK_MB },
    // The decoder writes nothing; keep the worker off the process's stdin.
    stdin: false,
  };
}

/** One decode in one worker. Replies go to onReply; a failure ends it once, through onFailure. */
export class DecodeWorker {
  private readonly worker: Worker;
  private outstanding = 0;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private finished = false;
  /** Settles when the thread has ended, however it ended. */
  readonly exited: Promise<void>;

  constructor(
    config: DecodeWorkerConfig,
    private readonly limits: DecoderLimits,
    private readonly onReply: (reply: DecodeWorkerReply) => void,
    private readonly onFailure: (failure: DecodeWorkerFailure) => void,
    chosenScript?: WorkerScript,
  ) {
    const adopted = adoptPrestarted(limits, chosenScript);
    if (adopted) {
      this.worker = adopted;
      this.worker.ref();
      this.worker.postMessage({ type: 'config', config } satisfies DecodeWorkerRequest);
    } else {
      const script = chosenScript ?? decodeWorkerScript();
      const options = workerOptions(limits, config);
      this.worker = script.typescript
        ? new Worker(typescriptBootstrap(script.url), { ...options, eval: true })
        : new Worker(script.url, options);
    }
    this.worker.on('message', (reply: DecodeWorkerReply) => this.received(reply));
    this.worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.fail(new DecodeWorkerFailure('out-of-memory', outOfMemoryMessage(limits.heapMb)));
      else this.fail(new DecodeWorkerFailure('crashed', `the decoder failed: ${error.message}`));
    });
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        if (!this.finished) this.fail(new DecodeWorkerFailure('crashed', `the decoder stopped unexpectedly (exit code ${code})`));
        resolve();
      });
    });
  }

  /**
   * Sends work; each chunk — sent, or read by the worker on a 'read' credit — gets one 'decoded'
   * (or 'refused'/'failed') reply, 'end' and the end of a file the worker reads get 'decoded' then 'done'.
   */
  send(request: DecodeWorkerRequest): void {
    if (this.finished) return;
    if (request.type === 'spare') {
      // Nothing to answer: the watchdog has nothing to wait for.
      this.worker.postMessage(request, request.buffers);
      return;
    }
    this.outstanding += request.type === 'end' ? 2 : request.type === 'read' ? request.chunks : 1;
    this.arm();
    if (request.type === 'chunk') this.worker.postMessage(request, [request.bytes.buffer as ArrayBuffer]);
    else this.worker.postMessage(request);
  }

  /** Stops the thread (cancel, or done with it); no failure is reported after this. */
  stop(): Promise<void> {
    this.settle();
    return this.worker.terminate().then(() => undefined);
  }

  private received(reply: DecodeWorkerReply): void {
    if (this.finished) return;
    this.outstanding = reply.type === 'decoded' ? Math.max(0, this.outstanding - 1) : 0;
    this.arm();
    this.onReply(reply);
  }

  private arm(): void {
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    this.watchdog = undefined;
    if (this.outstanding === 0 || this.finished) return;
    this.watchdog = setTimeout(() => {
      this.fail(new DecodeWorkerFailure('hung', hungMessage(this.limits.watchdogMs)));
      void this.worker.terminate();
    }, this.limits.watchdogMs);
  }

  private fail(failure: DecodeWorkerFailure): void {
    if (this.finished) return;
    this.settle();
    this.onFailure(failure);
  }

  private settle(): void {
    this.finished = true;
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }
}

/** Source runs need tsx's loader in the worker (Vitest's module runner does not reach worker threads). */
export function typescriptBootstrap(url: URL): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
}
