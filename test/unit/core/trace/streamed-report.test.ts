/**
 * `decode --json` and `decode --text` write their exchanges (and transactions) as they are
 * decoded and the rest of the report around them at the end (TraceJsonWriter,
 * TraceTranscriptWriter). Their text must be exactly what stringifying the whole report, or
 * traceSummaryLines, gives — with and without --redact-pins — on every real capture and on the
 * hand-built ones that carry secrets and interleave card conversations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeDataBlock, encodeXfrBlock } from '#core/ccid/index.js';
import { fromHex } from '#core/bytes/hex.js';
import { decodeTraceBytes, redactPins, TraceDecoder, TraceNdjsonWriter, traceSummaryLines } from '#core/trace/index.js';
import { pcapngOf, usbmonCcidPipes } from '../capture/capture-builder.js';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { apduLevelSecrets, secretsIn, t1Secrets, unansweredChainedVerify } from './secret-captures.js';
import { streamedOutputs, textOf } from './streamed-outputs.js';

const skip = requireShared('captures');

function realCaptures(): [string, Uint8Array][] {
  const root = sharedPath('captures');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .sort()
    .map((f) => [f, new Uint8Array(readFileSync(sharedPath('captures', f)))]);
}

/**
 * Two card conversations on one reader, interleaved: slot 0 is answered 61xx and fetches its
 * data with GET RESPONSE after slot 1's exchange completed, so its transaction is folded after
 * a later one and must still be listed first.
 */
function interleavedSlots(): Uint8Array {
  const { out, inn } = usbmonCcidPipes(0x5000n);
  const answer = (slot: number, seq: number, data: string) =>
    inn(encodeDataBlock({ slot, seq, iccStatus: 0, commandStatus: 0, bError: 0, data: fromHex(data) }));
  const send = (slot: number, seq: number, data: string) => out(encodeXfrBlock({ slot, seq, data: fromHex(data) }));
  return pcapngOf(
    220,
    [
      send(0, 1, '00A4040007A0000000041010'),
      answer(0, 1, '6112'),
      send(1, 1, '00B0000004'),
      answer(1, 1, '010203049000'),
      send(0, 2, '00C0000012'),
      answer(0, 2, '6F10840EA0000000041010A5049F6501FF9000'),
      send(1, 2, '0020008106313233343536'),
      answer(1, 2, '9000'),
    ].flat(),
  );
}

function expectSameAsWhole(bytes: Uint8Array, file: string): void {
  const report = decodeTraceBytes(bytes, { file });
  for (const redact of [false, true]) {
    const { json, text } = streamedOutputs(bytes, file, redact);
    expect(json, `${file} json${redact ? ' redacted' : ''}`).toBe(JSON.stringify(redact ? redactPins(report) : report, null, 2));
    expect(text, `${file} text${redact ? ' redacted' : ''}`).toBe(traceSummaryLines(report, { redactPins: redact }).join('\n'));
  }
}

describe('reports written as the capture is decoded', () => {
  it.skipIf(skip)('equal the whole report stringified, and its transcript summary, on every real capture', () => {
    const files = realCaptures();
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const [file, bytes] of files) expectSameAsWhole(bytes, file);
  });

  it('equal them on captures that carry PINs and keys, masked the same way with --redact-pins', () => {
    for (const [name, bytes] of [
      ['apdu-level', apduLevelSecrets()],
      ['t1', t1Secrets()],
      ['t1-mid-session', t1Secrets({ captureStartsMidSession: true })],
      ['chained', unansweredChainedVerify()],
    ] as const) {
      expectSameAsWhole(bytes, name);
      const { json, text } = streamedOutputs(bytes, name, true);
      expect(secretsIn(json), name).toEqual([]);
      expect(secretsIn(text), name).toEqual([]);
    }
  });

  it('list the transactions of interleaved conversations in capture order, also when one is folded late', () => {
    const bytes = interleavedSlots();
    const report = decodeTraceBytes(bytes, { file: 'interleaved' });
    expect(report.transactions.map((t) => [t.slot, t.exchanges])).toEqual([
      [0, [1, 3]],
      [1, [2]],
      [1, [4]],
    ]);
    expectSameAsWhole(bytes, 'interleaved');
  });

  it('write an empty report as JSON.stringify does', () => {
    expectSameAsWhole(new TextEncoder().encode('not a capture at all'), 'nothing');
  });
});

describe('decode --ndjson lines', () => {
  it('are JSON.stringify of each exchange as the report has it (masked as redactPins masks it), one per line', () => {
    const cases: [string, Uint8Array][] = [
      ['apdu-level', apduLevelSecrets()],
      ['t1', t1Secrets()],
      ['interleaved', interleavedSlots()],
    ];
    if (!skip) cases.push(...realCaptures());
    for (const [file, bytes] of cases) {
      const report = decodeTraceBytes(bytes, { file });
      for (const redact of [false, true]) {
        const writer = new TraceNdjsonWriter({ redactPins: redact });
        const decoder = new TraceDecoder({
          keepExchanges: false,
          foldTransactions: false,
          handlers: { rawExchange: (e) => writer.exchange(e) },
        });
        decoder.push(bytes);
        decoder.end();
        const shown = redact ? redactPins(report) : report;
        expect(textOf(writer.take()), `${file}${redact ? ' redacted' : ''}`).toBe(
          shown.exchanges.map((e) => `${JSON.stringify(e)}\n`).join(''),
        );
      }
    }
  });
});
