/**
 * A trace file read for a comparison or a replay: decoded in the capture worker like `decode`
 * (any format the decoder reads — USB captures, recordings), each exchange reduced to a
 * DiffExchange as its batch arrives, so what is kept per exchange is bounded (core/trace-diff).
 */
import { DiffTraceBuilder, type DiffExchange } from '#core/trace-diff/index.js';
import { exchangeDurationMs, exchangeTimeMs, type TraceReport } from '#core/trace/index.js';
import { CaptureFileError, decodeCapture, openCaptureFile, type CaptureSource } from './decode-capture-file.js';
import { rawExchangeAt } from './decoded-batch.js';

/** What a comparison may hold per trace, by default (CARDBENCH_DIFF_HEAP_MB overrides it). */
export const DEFAULT_DIFF_HEAP_MB = 1024;
/** A DiffExchange's object, numbers and small strings beyond its hex (measured: ~220 bytes on V8; rounded up). */
const EXCHANGE_OVERHEAD_BYTES = 256;

/** The comparison's limit per trace from the environment, in MiB. */
export function diffHeapMb(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.CARDBENCH_DIFF_HEAP_MB);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_DIFF_HEAP_MB;
}

export interface DiffTrace {
  name: string;
  exchanges: DiffExchange[];
  /** The decoder's report without its lists: complete, stoppedBy, redacted, counts. */
  report: TraceReport;
}

/** Reads a trace file, or the given source (standard input: `cardbench diff - B`). */
export async function readDiffTrace(
  path: string,
  options: { signal?: AbortSignal; reportName?: string; source?: CaptureSource; heapMb?: number } = {},
): Promise<DiffTrace> {
  const name = options.reportName ?? path;
  const source = options.source ?? (await openCaptureFile(path, name));
  const devices: string[] = [];
  let builder: DiffTraceBuilder | undefined;
  // Alignment needs every exchange at once: what they take is counted, and a trace past the
  // limit ends its reading with a sentence instead of exhausting the process.
  const heapMb = options.heapMb ?? diffHeapMb();
  let held = 0;
  const report = await decodeCapture(source, {
    ...(options.signal ? { signal: options.signal } : {}),
    reportName: name,
    contents: { exchanges: true },
    reportExchanges: false,
    reportLists: false,
    foldTransactions: false,
    onBatch: (batch) => {
      devices.push(...batch.newDevices);
      // Whether the trace masks its secrets is known from its first batch's report only at the end;
      // masked bodies are recognised one by one (looksMasked) meanwhile.
      builder ??= new DiffTraceBuilder();
      for (let i = 0; i < batch.exchanges.count; i++) {
        const raw = rawExchangeAt(batch.exchanges, i, devices);
        const e = builder.add({ ...raw, timeMs: exchangeTimeMs(raw), durationMs: exchangeDurationMs(raw) });
        // Hex is one byte a character in V8; the shown command is the same string unless masked.
        held += e.command.length + (e.shownCommand === e.command ? 0 : e.shownCommand.length) + e.response.length + EXCHANGE_OVERHEAD_BYTES;
      }
      if (held > heapMb * 1024 * 1024) {
        throw new CaptureFileError(
          `${name}: its ${builder.exchanges.length.toLocaleString('en')} exchanges so far take more than the ${heapMb} MiB a comparison ` +
            `may hold per trace (CARDBENCH_DIFF_HEAP_MB); allow more with CARDBENCH_DIFF_HEAP_MB=${heapMb * 2}`,
          'too-large',
        );
      }
    },
  });
  const exchanges = builder?.exchanges ?? [];
  // A trace that says its secrets are masked (a recording made so): none of them can be sent again.
  if (report.redacted) for (const e of exchanges) if (e.secret) e.masked = true;
  return { name, exchanges, report };
}
