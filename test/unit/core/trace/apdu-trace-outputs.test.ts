/**
 * decode --json, --text and --ndjson write their exchanges as they are decoded (TraceJsonWriter,
 * TraceTranscriptWriter, TraceNdjsonWriter): on APDU-level traces too, their text must be exactly
 * the whole report stringified / its transcript, with and without --redact-pins.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeTraceBytes,
  redactPins,
  TraceDecoder,
  TraceJsonWriter,
  TraceNdjsonWriter,
  traceSummaryLines,
  TraceTranscriptWriter,
} from '#core/trace/index.js';
import { exportedPduRecording, RECORDED_PIN, spyLog } from './apdu-trace-files.js';

function textOf(pieces: readonly (string | Uint8Array)[]): string {
  const decoder = new TextDecoder();
  return pieces.map((p) => (typeof p === 'string' ? p : decoder.decode(p))).join('');
}

function streamed(bytes: Uint8Array, file: string, redact: boolean) {
  const json = new TraceJsonWriter({ redactPins: redact });
  const text = new TraceTranscriptWriter({ redactPins: redact });
  const ndjson = new TraceNdjsonWriter({ redactPins: redact });
  const decoder = new TraceDecoder({
    file,
    keepExchanges: false,
    foldTransactions: false,
    handlers: {
      rawExchange: (e) => {
        json.exchange(e);
        text.exchange(e);
        ndjson.exchange(e);
      },
    },
  });
  decoder.push(bytes);
  decoder.end();
  const report = decoder.result();
  return { json: textOf(json.finish(report)), text: text.finish(report).join(''), ndjson: textOf(ndjson.take()) };
}

describe('streamed outputs of APDU-level traces', () => {
  it.each([
    ['recording.pcapng', exportedPduRecording()],
    ['opensc-tool-piv.pcsc-spy', spyLog('opensc-tool-piv.pcsc-spy')],
    ['scriptor-openpgp.pcsc-spy', spyLog('scriptor-openpgp.pcsc-spy')],
  ])('%s: equal the whole report, its transcript and one line per exchange', (file, bytes) => {
    const report = decodeTraceBytes(bytes, { file });
    expect(report.exchanges.length).toBeGreaterThan(0);
    for (const redact of [false, true]) {
      const shown = redact ? redactPins(report) : report;
      const out = streamed(bytes, file, redact);
      expect(out.json).toBe(JSON.stringify(shown, null, 2));
      expect(out.text).toBe(traceSummaryLines(report, { redactPins: redact }).join('\n'));
      expect(out.ndjson).toBe(shown.exchanges.map((e) => `${JSON.stringify(e)}\n`).join(''));
      if (redact) expect(out.json + out.text + out.ndjson).not.toContain(RECORDED_PIN);
    }
  });
});
