/**
 * Decoding in a worker thread (issue 8, item 8): what the worker sends equals what the decoder
 * finds in-thread; a capture that exhausts the worker's heap, a decoder that hangs or cannot
 * start each end that decode with a clear reason while this thread goes on; sources other than
 * regular files (a stream, a FIFO) are read without blocking, and cancelling one works.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeTraceBytes,
  headerOnlySummary,
  redactPins as redactPinsOf,
  TraceDecoder,
  TraceJsonWriter,
  type TraceMessage,
} from '#core/trace/index.js';
import {
  CaptureAbortedError,
  CaptureFileError,
  decodeCapture,
  decodeCaptureFile,
  openCaptureFile,
  streamCaptureSource,
} from '../../../../../electron/backend/capture/decode-capture-file.js';
import {
  forEachSummary,
  MESSAGE_DIRECTIONS,
  MESSAGE_PAYLOAD_KINDS,
  NO_MESSAGE_SLOT,
  rawExchangeAt,
  traceExchangesOf,
  type DecodedBatch,
} from '../../../../../electron/backend/capture/decoded-batch.js';
import { decoderLimits, decodeWorkerScript } from '../../../../../electron/backend/capture/decode-worker-host.js';
import { DIRECTIONS, PAYLOAD_KINDS } from '../../../../../electron/backend/capture-store/row-columns.js';
import { largeResponsesCapture } from '../../../core/capture/hostile-capture-files.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';

/** Pieces of output (strings and UTF-8 bytes) as the text a reader of the output gets. */
function textOf(pieces: readonly (string | Uint8Array)[]): string {
  const decoder = new TextDecoder();
  return pieces.map((p) => (typeof p === 'string' ? p : decoder.decode(p))).join('');
}

const skip = requireShared('captures');
const GCC = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
const PINPAD = sharedPath('captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcapng');
const dir = mkdtempSync(join(tmpdir(), 'cardbench-decode-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string) => ({ url: new URL(`./workers/${name}.ts`, import.meta.url), typescript: true });

/** Rows as the worker sends them, in a comparable form. */
function rowsOf(batches: DecodedBatch[]) {
  const devices: string[] = [];
  const rows: unknown[] = [];
  for (const batch of batches) {
    devices.push(...batch.newDevices);
    const m = batch.messages;
    for (let i = 0; i < m.count; i++) {
      rows.push({
        frame: m.frame[i],
        lastFrame: m.lastFrame[i],
        transfers: m.transfers[i],
        timeNs: m.timeNs[i],
        device: devices[m.device[i]!],
        slot: m.slot[i] === NO_MESSAGE_SLOT ? undefined : m.slot[i],
        direction: MESSAGE_DIRECTIONS[m.direction[i]!],
        messageType: m.messageType[i],
        kind: MESSAGE_PAYLOAD_KINDS[m.kind[i]!],
        problems: m.problems[i],
        truncated: m.truncated[i] === 1,
        bytes: Buffer.from(m.bytes.subarray(m.byteOffset[i], m.byteOffset[i]! + m.byteLength[i]!)).toString('hex'),
      });
    }
  }
  return rows;
}

/** The same rows from the decoder run in this thread. */
function rowsInThread(bytes: Uint8Array) {
  const rows: Record<string, unknown>[] = [];
  const decoder = new TraceDecoder({
    handlers: {
      message: (m: TraceMessage) =>
        rows.push({
          frame: m.frame,
          lastFrame: m.ccidFrame.lastFrame,
          transfers: m.ccidFrame.frames.length,
          timeNs: m.timeNs,
          device: m.device,
          slot: m.slot,
          direction: m.direction,
          messageType: m.bMessageType,
          kind: m.kind ?? 'none',
          problems: m.problemCount + m.ccidFrame.problems.length,
          truncated: m.ccidFrame.truncated,
          bytes: Buffer.from(m.ccidFrame.bytes).toString('hex'),
          summary: m.summary,
        }),
    },
  });
  decoder.push(bytes);
  decoder.end();
  return rows;
}

describe.skipIf(skip)('what the worker sends', () => {
  it('every CCID message as a row, every exchange in capture order, and the report, as decoded in-thread', async () => {
    for (const file of [GCC, PINPAD]) {
      const batches: DecodedBatch[] = [];
      const report = await decodeCaptureFile(file, {
        chunkSize: 8192,
        contents: { messages: true, exchanges: true },
        onBatch: (b) => void batches.push(b),
      });
      const bytes = new Uint8Array(readFileSync(file));
      // Summaries travel only as text for a transcript (summaryText, tested below).
      expect(rowsOf(batches)).toEqual(rowsInThread(bytes).map(({ summary: _summary, ...row }) => row));
      const devices: string[] = [];
      const exchanges = batches.flatMap((b) => {
        devices.push(...b.newDevices);
        return traceExchangesOf(b, devices);
      });
      expect(exchanges).toEqual(report.exchanges);
      expect(report).toEqual(decodeTraceBytes(bytes, { file }));
      // Each exchange comes after the messages that carried it.
      let seen = 0;
      for (const b of batches) {
        b.exchangeAfter.forEach((after, i) => {
          const frames = [...b.messages.frame.subarray(0, after)];
          expect(frames).toContain(b.exchanges.responseFrame[i]);
        });
        seen += b.messages.count;
      }
      expect(seen).toBe(report.ccid.messages);
    }
  });

  it('exchange batches written as the report on this thread: the same text as the report object stringified', async () => {
    const report = await decodeCaptureFile(GCC);
    for (const redactPins of [false, true]) {
      const writer = new TraceJsonWriter({ redactPins });
      const devices: string[] = [];
      const frame = await decodeCapture(await openCaptureFile(GCC), {
        chunkSize: 16384,
        contents: { exchanges: true },
        reportExchanges: false,
        foldTransactions: false,
        onBatch: (batch) => {
          devices.push(...batch.newDevices);
          for (let i = 0; i < batch.exchanges.count; i++) writer.exchange(rawExchangeAt(batch.exchanges, i, devices));
        },
      });
      expect(textOf(writer.finish(frame))).toBe(JSON.stringify(redactPins ? redactPinsOf(report) : report, null, 2));
    }
  });

  it('hands batches to a consumer that takes its time one at a time, in capture order', async () => {
    let busy = false;
    let overlapped = false;
    const firstIndexes: number[] = [];
    const report = await decodeCaptureFile(GCC, {
      chunkSize: 4096,
      contents: { exchanges: true },
      onBatch: async (batch) => {
        if (busy) overlapped = true;
        busy = true;
        if (batch.exchanges.count > 0) firstIndexes.push(batch.exchanges.firstIndex);
        // Slow: the worker decodes ahead meanwhile, and its next batches must wait their turn.
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        busy = false;
      },
    });
    expect(overlapped).toBe(false);
    expect(firstIndexes.length).toBeGreaterThan(10);
    expect(firstIndexes).toEqual([...firstIndexes].sort((a, b) => a - b));
    expect(report.exchanges).toHaveLength(208);
  });

  it('a regular file is read by the worker itself, never more than three chunks ahead of a slow consumer', async () => {
    let decodedChunks = 0;
    let consumed = 0;
    let mostAhead = 0;
    const report = await decodeCaptureFile(GCC, {
      chunkSize: 8192,
      contents: { messages: true },
      // One progress report per chunk the worker decoded (every chunk of this file adds bytes).
      onProgress: () => void decodedChunks++,
      onBatch: async () => {
        // While this batch is being consumed, the worker may decode at most three chunks more.
        const before = decodedChunks;
        await new Promise((resolve) => setTimeout(resolve, 5));
        mostAhead = Math.max(mostAhead, decodedChunks - before);
        consumed++;
      },
    });
    // Unpaced, the worker would read the rest of the file's 55 chunks during the first wait.
    expect(consumed).toBeGreaterThan(15);
    expect(mostAhead).toBeGreaterThan(0);
    expect(mostAhead).toBeLessThanOrEqual(3);
    expect(report.exchanges).toHaveLength(208);
    expect(report.complete).toBe(true);
  });

  it('leaves message bytes out of the batches when not asked for', async () => {
    const batches: DecodedBatch[] = [];
    await decodeCaptureFile(GCC, { contents: { messages: true, messageBytes: false }, onBatch: (b) => void batches.push(b) });
    expect(batches.reduce((n, b) => n + b.messages.count, 0)).toBe(426);
    expect(batches.every((b) => b.messages.bytes.length === 0 && b.messages.byteLength.every((l) => l === 0))).toBe(true);
  });

  it('sends each message summary as UTF-8 bytes when asked (or the header it is made from), read back in order even across blocks', async () => {
    const text = new TextDecoder();
    let first: DecodedBatch | undefined;
    for (const file of [GCC, PINPAD]) {
      const sent: string[] = [];
      // Read within the handler: the blocks of lines go back to the worker once it returns.
      await decodeCaptureFile(file, {
        chunkSize: 8192,
        contents: { summaryText: true, messageBytes: false },
        onBatch: (b) => {
          first ??= b;
          forEachSummary(b, (i, summary) => {
            const m = b.messages;
            // A message read from its header alone comes as its header: its summary is made from it.
            const header = m.bytes.subarray(m.byteOffset[i], m.byteOffset[i]! + m.byteLength[i]!);
            sent.push(header.length > 0 ? (headerOnlySummary(header, MESSAGE_DIRECTIONS[m.direction[i]!]!) ?? '?') : text.decode(summary));
          });
        },
      });
      const inThread = rowsInThread(new Uint8Array(readFileSync(file))).map((r) => r['summary']);
      expect(sent).toEqual(inThread);
    }
    // A run of summaries split over two blocks of lines.
    const split = {
      ...first!,
      messages: { ...first!.messages, summaryEnd: Uint32Array.of(3, 8, 12) },
      lines: [new TextEncoder().encode('abcde'), new TextEncoder().encode('fghijkl')],
    };
    const parts: string[] = [];
    forEachSummary(split, (i, summary) => parts.push(`${i}:${text.decode(summary)}`));
    expect(parts).toEqual(['0:abc', '1:defgh', '2:ijkl']);
  });

  it('uses the row store codes for directions and payload kinds', () => {
    expect(MESSAGE_DIRECTIONS).toEqual(DIRECTIONS);
    expect(MESSAGE_PAYLOAD_KINDS).toEqual(PAYLOAD_KINDS);
  });

  it('can leave exchanges out of the report when the batches carried them', async () => {
    const report = await decodeCaptureFile(GCC, { reportExchanges: false, contents: { exchanges: true } });
    expect(report.exchanges).toEqual([]);
    expect(report.transactions).toEqual([]);
    expect(report.ccid.messages).toBe(426);
  });
});

describe('a decoder that cannot finish ends its own decode, not this thread', () => {
  it('a capture that needs more heap than allowed: out-of-memory, with the limit and what to do', async () => {
    const file = join(dir, 'large-responses.pcap');
    writeFileSync(file, largeResponsesCapture());
    const error = await decodeCaptureFile(file, { limits: { heapMb: 32, watchdogMs: 30_000 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptureFileError);
    expect(error).toMatchObject({
      code: 'out-of-memory',
      message: `${file}: this capture needs more memory than the decoder is allowed (32 MiB); it may be crafted to exhaust memory. If you trust it, allow more with CARDBENCH_DECODE_HEAP_MB=64.`,
    });
    // The same file within the default limit decodes whole: the limit, not the file, stopped it.
    expect((await decodeCaptureFile(file)).exchanges).toHaveLength(400);
  });

  it.skipIf(skip)('a real capture decodes within that small limit', async () => {
    expect((await decodeCaptureFile(GCC, { limits: { heapMb: 32, watchdogMs: 30_000 } })).exchanges).toHaveLength(208);
  });

  it.skipIf(skip)('a decoder that stops answering is stopped by the watchdog, while this thread keeps running', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const error = await decodeCaptureFile(GCC, {
      limits: { heapMb: 64, watchdogMs: 400 },
      workerScript: fixture('hanging-decode-worker'),
    }).catch((e: unknown) => e);
    clearInterval(timer);
    expect(error).toMatchObject({
      code: 'hung',
      message: `${GCC}: the decoder made no progress for 0.4 s on this capture (it may be crafted to hang a decoder) and was stopped.`,
    });
    expect(ticks).toBeGreaterThan(5);
  });

  it.skipIf(skip)('a decoder that cannot start says so', async () => {
    const error = await decodeCaptureFile(GCC, { workerScript: fixture('failing-decode-worker') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'crashed', message: expect.stringContaining('the decoder module failed to load') });
  });

  it('the limits come from the environment, with defaults', () => {
    expect(decoderLimits({})).toEqual({ heapMb: 2048, watchdogMs: 30_000 });
    expect(decoderLimits({ CARDBENCH_DECODE_HEAP_MB: '96', CARDBENCH_DECODE_WATCHDOG_S: '2.5' })).toEqual({ heapMb: 96, watchdogMs: 2500 });
    expect(decoderLimits({ CARDBENCH_DECODE_HEAP_MB: 'lots', CARDBENCH_DECODE_WATCHDOG_S: '-1' })).toEqual({
      heapMb: 2048,
      watchdogMs: 30_000,
    });
  });

  it('finds the built worker beside the running module or one folder up (a shared chunk)', () => {
    const out = mkdtempSync(join(dir, 'out-'));
    writeFileSync(join(out, 'capture-decode-worker.js'), '');
    expect(decodeWorkerScript(`file://${out}/cli.js`)).toEqual({
      url: new URL(`file://${out}/capture-decode-worker.js`),
      typescript: false,
    });
    expect(decodeWorkerScript(`file://${out}/chunks/shared-1234.js`).url.href).toBe(`file://${out}/capture-decode-worker.js`);
    expect(() => decodeWorkerScript(`file://${dir}/elsewhere/cli.js`)).toThrow(/the capture decoder is missing from this build/);
    expect(decodeWorkerScript().typescript).toBe(true);
  });
});

describe.skipIf(skip)('sources other than a regular file', () => {
  it('a stream (stdin) decodes to the same report as the file', async () => {
    const fromStream = await decodeCapture(streamCaptureSource(createReadStream(GCC, { highWaterMark: 1000 }), '-'));
    const fromFile = await decodeCaptureFile(GCC);
    expect({ ...fromStream, file: GCC }).toEqual(fromFile);
    expect(fromStream.file).toBe('-');
  });

  it('a FIFO with no writer yet: the open returns, the decode waits without blocking, cancel ends it; a writer later is read', async () => {
    const fifo = join(dir, 'capture.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const abort = new AbortController();
    const waiting = decodeCapture(await openCaptureFile(fifo), { signal: abort.signal });
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (++ticks < 5) return;
        clearInterval(timer);
        resolve();
      }, 10);
    });
    abort.abort();
    await expect(waiting).rejects.toBeInstanceOf(CaptureAbortedError);

    const reading = decodeCapture(await openCaptureFile(fifo));
    const writer = await open(fifo, 'w');
    await writer.writeFile(readFileSync(GCC));
    await writer.close();
    expect((await reading).exchanges).toHaveLength(208);
  });

  it('a character device is refused with a way to read it anyway', async () => {
    await expect(openCaptureFile('/dev/zero')).rejects.toMatchObject({
      code: 'not-a-file',
      message:
        '/dev/zero is a character device, not a capture file; to decode what it produces, pipe it in: cat /dev/zero | cardbench decode -',
    });
  });
});
