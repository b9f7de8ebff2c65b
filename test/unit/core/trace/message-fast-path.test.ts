/**
 * Clean XfrBlock/DataBlock messages are read from their 10-byte header (ccid-pairing-fields'
 * fast path) instead of core/ccid's full decoder; the transcript's lines and the viewer's rows
 * come from that reading. It must say exactly what the full decoder says: same summary line,
 * payload kind, problems and fields — on every message of every real capture, and on any header
 * fast-check makes up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CCID_MESSAGE_CODE } from '#core/ccid/message-types.js';
import {
  headerOnlySummary,
  readCcidPairingFields,
  TraceDecoder,
  type CcidPairingFieldsOptions,
  type TraceMessage,
} from '#core/trace/index.js';
import { requireShared, sharedPath } from '../../../shared-path.js';

const skip = requireShared('captures');

function captureFiles(): string[] {
  const root = sharedPath('captures');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .map((f) => sharedPath('captures', f))
    .sort();
}

function messagesOf(bytes: Uint8Array, fullMessages: boolean) {
  const seen: Omit<TraceMessage, 'message' | 'ccidFrame'>[] = [];
  const decoder = new TraceDecoder({
    fullMessages,
    handlers: { message: ({ message: _full, ccidFrame: _frame, ...line }) => seen.push(line) },
  });
  decoder.push(bytes);
  decoder.end();
  return { seen, report: decoder.result() };
}

/** What the trace reads from a message, in a form toEqual compares. */
function comparable(bytes: Uint8Array, options: CcidPairingFieldsOptions) {
  const { message: _full, data, ...fields } = readCcidPairingFields(bytes, options);
  return { ...fields, data: data && Buffer.from(data).toString('hex'), problems: fields.problems.map((p) => p.code) };
}

describe('the header-only reading of clean XfrBlock/DataBlock messages', () => {
  it.skipIf(skip)('gives every real capture the same message lines and report as the full decoder', () => {
    const files = captureFiles();
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      const fast = messagesOf(bytes, false);
      const full = messagesOf(bytes, true);
      expect(fast.seen.length, file).toBeGreaterThan(0);
      expect(fast.seen, file).toEqual(full.seen);
      expect(fast.report, file).toEqual(full.report);
    }
  });

  it('reads any XfrBlock or DataBlock header as the full decoder does', () => {
    const header = fc.record({
      type: fc.constantFrom(
        CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock,
        CCID_MESSAGE_CODE.RDR_to_PC_DataBlock,
        CCID_MESSAGE_CODE.RDR_to_PC_SlotStatus,
      ),
      direction: fc.constantFrom('out' as const, 'in' as const),
      slot: fc.integer({ min: 0, max: 255 }),
      seq: fc.integer({ min: 0, max: 255 }),
      b7: fc.integer({ min: 0, max: 255 }),
      b8: fc.integer({ min: 0, max: 255 }),
      b9: fc.integer({ min: 0, max: 255 }),
      data: fc.uint8Array({ maxLength: 40 }),
      lengthDelta: fc.constantFrom(0, 0, 0, 1, -1),
      level: fc.constantFrom(undefined, 'tpdu' as const, 'short-apdu' as const, 'extended-apdu' as const, 'character' as const),
      answerTo: fc.constantFrom(undefined, CCID_MESSAGE_CODE.PC_to_RDR_IccPowerOn, CCID_MESSAGE_CODE.PC_to_RDR_XfrBlock),
    });
    fc.assert(
      fc.property(header, (h) => {
        const bytes = new Uint8Array(10 + h.data.length);
        const dwLength = Math.max(0, h.data.length + h.lengthDelta);
        bytes.set([h.type, dwLength & 0xff, dwLength >> 8, 0, 0, h.slot, h.seq, h.b7, h.b8, h.b9]);
        bytes.set(h.data, 10);
        const options: CcidPairingFieldsOptions = { direction: h.direction, exchangeLevel: h.level, answerTo: h.answerTo, summary: true };
        expect(comparable(bytes, options)).toEqual(comparable(bytes, { ...options, full: true }));
      }),
    );
  });

  it('takes the fast path for clean messages only: an odd one is decoded fully', () => {
    const clean = Uint8Array.of(0x6f, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0x00, 0xb0);
    const reservedBits = Uint8Array.of(0x80, 2, 0, 0, 0, 0, 1, 0x04, 0, 0, 0x90, 0x00);
    expect(readCcidPairingFields(clean, { direction: 'out' }).message).toBeUndefined();
    const odd = readCcidPairingFields(reservedBits, { direction: 'in' });
    expect(odd.message).toBeDefined();
    expect(odd.problems.map((p) => p.code)).toEqual(['reserved-nonzero']);
  });
});

describe('summaries made from the header alone (headerSummaries off, decode --text)', () => {
  it.skipIf(skip)('equal the decoder’s on every message read from its header in every real capture', () => {
    let headerOnly = 0;
    for (const file of captureFiles()) {
      const decoder = new TraceDecoder({
        handlers: {
          message: (m) => {
            if (m.message !== undefined) return;
            headerOnly++;
            expect(headerOnlySummary(m.ccidFrame.bytes.subarray(0, 10), m.direction)).toBe(m.summary);
          },
        },
      });
      decoder.push(new Uint8Array(readFileSync(file)));
      decoder.end();
    }
    expect(headerOnly).toBeGreaterThan(400);
  });

  it('without them, the decoder leaves the summary of exactly those messages empty', () => {
    const bytes = sharedPath('captures', 'usbpcap-emv-gcc2024', 'usb.pcapng');
    if (skip) return;
    const withText: string[] = [];
    const without: { summary: string; headerOnly: boolean }[] = [];
    for (const [headerSummaries, sink] of [
      [true, (m: TraceMessage) => withText.push(m.summary)],
      [false, (m: TraceMessage) => without.push({ summary: m.summary, headerOnly: m.message === undefined })],
    ] as const) {
      const decoder = new TraceDecoder({ headerSummaries, handlers: { message: sink } });
      decoder.push(new Uint8Array(readFileSync(bytes)));
      decoder.end();
    }
    expect(without.map((m) => (m.headerOnly ? '' : m.summary))).toEqual(without.map((m) => m.summary));
    expect(without.filter((m) => !m.headerOnly).map((m) => m.summary)).toEqual(withText.filter((_, i) => !without[i]!.headerOnly));
    expect(without.some((m) => m.headerOnly)).toBe(true);
  });
});
