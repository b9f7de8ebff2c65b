/**
 * decode --json, --text and --ndjson write their exchanges as they are decoded (TraceJsonWriter,
 * TraceTranscriptWriter, TraceNdjsonWriter): on APDU-level traces too, their text must be exactly
 * the whole report stringified / its transcript, with and without --redact-pins.
 */
import { describe, expect, it } from 'vitest';
import { decodeTraceBytes, redactPins, traceSummaryLines } from '#core/trace/index.js';
import { exportedPduRecording, RECORDED_PIN, spyLog } from './apdu-trace-files.js';
import { streamedOutputs } from './streamed-outputs.js';

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
      const out = streamedOutputs(bytes, file, redact);
      expect(out.json).toBe(JSON.stringify(shown, null, 2));
      expect(out.text).toBe(traceSummaryLines(report, { redactPins: redact }).join('\n'));
      expect(out.ndjson).toBe(shown.exchanges.map((e) => `${JSON.stringify(e)}\n`).join(''));
      if (redact) expect(out.json + out.text + out.ndjson).not.toContain(RECORDED_PIN);
    }
  });
});
