/**
 * A trace file read for a comparison or a replay: decoded in the capture worker like `decode`
 * (any format the decoder reads — USB captures, recordings), each exchange reduced to a
 * DiffExchange as its batch arrives, so what is kept per exchange is bounded (core/trace-diff).
 */
import { DiffTraceBuilder, type DiffExchange } from '#core/trace-diff/index.js';
import { exchangeDurationMs, exchangeTimeMs, type TraceReport } from '#core/trace/index.js';
import { decodeCapture, openCaptureFile, type CaptureSource } from './decode-capture-file.js';
import { rawExchangeAt } from './decoded-batch.js';

export interface DiffTrace {
  name: string;
  exchanges: DiffExchange[];
  /** The decoder's report without its lists: complete, stoppedBy, redacted, counts. */
  report: TraceReport;
}

/** Reads a trace file, or the given source (standard input: `cardbench diff - B`). */
export async function readDiffTrace(
  path: string,
  options: { signal?: AbortSignal; reportName?: string; source?: CaptureSource } = {},
): Promise<DiffTrace> {
  const name = options.reportName ?? path;
  const source = options.source ?? (await openCaptureFile(path, name));
  const devices: string[] = [];
  let builder: DiffTraceBuilder | undefined;
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
        builder.add({ ...raw, timeMs: exchangeTimeMs(raw), durationMs: exchangeDurationMs(raw) });
      }
    },
  });
  const exchanges = builder?.exchanges ?? [];
  // A trace that says its secrets are masked (a recording made so): none of them can be sent again.
  if (report.redacted) for (const e of exchanges) if (e.secret) e.masked = true;
  return { name, exchanges, report };
}
