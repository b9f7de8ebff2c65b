/**
 * diffTraces on real captures (../shared/captures, read through the decoder) and on generated
 * traces: the two QEMU labcard captures are one session seen from the host and from the device
 * (same 33 APDUs per their ground truth, different USB addresses and clocks); the pinpad capture
 * shares a few exchanges with the labcard one. Secrets never reach the text or the JSON.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTraceBytes } from '#core/trace/index.js';
import {
  DiffTraceBuilder,
  diffHeadLines,
  diffRowJson,
  diffRowLines,
  diffSummaryLines,
  diffTraces,
  exchangeBytesOfHex,
  looksMasked,
  parseTimingThreshold,
  type DiffExchange,
  type TraceDiff,
} from '#core/trace-diff/index.js';
import { fromHex } from '#core/bytes/hex.js';
import { requireShared, sharedPath } from '../../../shared-path.js';
import { apduLevelSecrets, PIN_FORMS, secretsIn } from '../trace/secret-captures.js';

const skip = requireShared('captures');
const LABCARD = ['captures', 'usbmon-qemu-labcard'];
const USBMON = sharedPath(...LABCARD, 'labcard-basic.usbmon.pcap');
const USBMON_NG = sharedPath(...LABCARD, 'labcard-basic.usbmon.pcapng');
const QEMU = sharedPath(...LABCARD, 'labcard-basic.qemu.pcap');
const PINPAD = sharedPath('captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.usbmon.pcap');

function traceOfBytes(bytes: Uint8Array): DiffExchange[] {
  const report = decodeTraceBytes(bytes, { foldTransactions: false });
  const builder = new DiffTraceBuilder(report.redacted);
  for (const e of report.exchanges) builder.add(exchangeBytesOfHex(e));
  return builder.exchanges;
}
const traceOf = (path: string) => traceOfBytes(readFileSync(path));

/** The whole text a diff prints. */
function textOf(diff: TraceDiff): string {
  const lines = diffHeadLines(diff, { a: 'A', b: 'B' });
  let last = -1;
  for (const row of diff.rows) {
    lines.push(...diffRowLines(row, diff, diff.conversations.length > 1 && row.conversation !== last));
    last = row.conversation;
  }
  return [...lines, ...diffSummaryLines(diff)].join('\n');
}

/** Generated exchanges of one conversation: command ids from a small set, so repeats are common. */
function generated(commands: readonly number[], answer = (c: number) => `${(c * 7) & 0xff}`.padStart(2, '0') + '9000'): DiffExchange[] {
  const builder = new DiffTraceBuilder();
  commands.forEach((c, i) =>
    builder.add({
      index: i + 1,
      device: '1.4',
      slot: 0,
      command: fromHex(`00B0${c.toString(16).padStart(4, '0')}00`),
      response: fromHex(answer(c).length % 2 ? `0${answer(c)}` : answer(c)),
      timeMs: i,
      durationMs: 1,
    }),
  );
  return builder.exchanges;
}

describe('diffTraces on the real captures', () => {
  it.skipIf(skip)('the labcard session seen by usbmon and by QEMU: 33 same exchanges, conversations 1.2 and 0.2 paired', () => {
    const diff = diffTraces(traceOf(USBMON), traceOf(QEMU));
    expect(diff.match).toBe(true);
    expect(diff.counts).toMatchObject({ exchangesA: 33, exchangesB: 33, same: 33, changed: 0, onlyA: 0, onlyB: 0, timing: 0 });
    expect(diff.conversations).toEqual([{ a: '1.2 slot 0', b: '0.2 slot 0', exchangesA: 33, exchangesB: 33 }]);
    expect(diff.rows.map((r) => [r.a?.index, r.b?.index])).toEqual(Array.from({ length: 33 }, (_, i) => [i + 1, i + 1]));
    expect(textOf(diff)).toContain('The traces match.');
  });

  it.skipIf(skip)('a capture against itself and against its pcapng copy: all same', () => {
    expect(diffTraces(traceOf(USBMON), traceOf(USBMON)).counts.same).toBe(33);
    expect(diffTraces(traceOf(USBMON), traceOf(USBMON_NG)).match).toBe(true);
  });

  it.skipIf(skip)('device-side timings are faster: a 1.5x,1ms threshold reports them, the default none', () => {
    const a = traceOf(USBMON);
    const b = traceOf(QEMU);
    const tight = diffTraces(a, b, { timing: { factor: 1.5, minMs: 1 } });
    const expected = a.filter((e, i) => {
      const [slow, fast] = [Math.max(e.durationMs, b[i]!.durationMs), Math.min(e.durationMs, b[i]!.durationMs)];
      return slow - fast >= 1 && slow >= 1.5 * fast;
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(tight.rows.filter((r) => r.timing).map((r) => r.a!.index)).toEqual(expected.map((e) => e.index));
    expect(tight.match).toBe(false);
    expect(textOf(tight)).toMatch(/^~ A#\d+ B#\d+ {2}\S/m);
  });

  it.skipIf(skip)('pinpad vs labcard: what their ground truths share is same, the rest only on one side', () => {
    // Ground truth: pinpad sends SELECT (P2 0C), VERIFY 63C3 twice, VERIFY 1234 -> 9000, VERIFY -> 9000;
    // labcard has VERIFY (no data) -> 63C3 at 17, VERIFY 1234 -> 9000 at 20, VERIFY -> 9000 at 21.
    const diff = diffTraces(traceOf(PINPAD), traceOf(sharedPath(...LABCARD, 'labcard-basic.usbmon.pcap')));
    const same = diff.rows.filter((r) => r.kind === 'same').map((r) => [r.a!.index, r.b!.index]);
    expect(same).toEqual([
      [2, 17],
      [4, 20],
      [5, 21],
    ]);
    expect(diff.rows.filter((r) => r.kind === 'only-a').map((r) => r.a!.index)).toEqual([1, 3]);
    expect(diff.counts).toMatchObject({ onlyB: 30, changed: 0 });
    const text = textOf(diff);
    expect(text).toContain('- A#1  SELECT  00A4040C09F04C41424341524401  ->  9000  Success');
    expect(text).toContain('+ B#19  VERIFY  0020008108****************  ->  63C1  Wrong PIN: 1 try left');
    // (GET DATA B#16 answers 30 31 32 33 34…: only the VERIFY lines can hold the PINs.)
    const verifyLines = text.split('\n').filter((line) => line.includes('VERIFY'));
    expect(verifyLines.length).toBeGreaterThan(0);
    expect(secretsIn(verifyLines.join('\n'), ['31323334', '31323335', '39393939'])).toEqual([]);
  });
});

describe('diffTraces on generated traces (properties)', () => {
  const commands = fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 80 });

  it('a trace against itself: every row the same, the traces match', () => {
    fc.assert(
      fc.property(commands, (c) => {
        const diff = diffTraces(generated(c), generated(c));
        expect(diff.match).toBe(true);
        expect(diff.counts.same).toBe(c.length);
      }),
    );
  });

  it('k commands inserted into B: exactly k only in B, the rest the same', () => {
    fc.assert(
      fc.property(commands, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 9 })), { maxLength: 8 }), (c, inserts) => {
        const b = [...c];
        for (const [at, value] of inserts) b.splice(at % (b.length + 1), 0, value);
        const diff = diffTraces(generated(c), generated(b));
        expect(diff.counts).toMatchObject({ onlyB: inserts.length, onlyA: 0, changed: 0, same: c.length });
        expect(diff.match).toBe(inserts.length === 0);
      }),
    );
  });

  it('one answer changed: one changed row (status word and/or data), found at its place', () => {
    fc.assert(
      fc.property(
        commands.filter((c) => c.length > 0),
        fc.nat(),
        fc.boolean(),
        (c, at, swOnly) => {
          const target = at % c.length;
          const a = generated(c);
          const b = generated(c);
          const changed = b[target]!;
          if (swOnly) changed.sw = '6A82';
          else changed.dataHash += 1;
          const diff = diffTraces(a, b);
          expect(diff.counts.changed).toBe(1);
          const row = diff.rows.find((r) => r.kind === 'changed')!;
          expect(row.a!.index).toBe(target + 1);
          expect(row.swChanged === true).toBe(swOnly);
          expect(row.dataChanged === true).toBe(!swOnly);
        },
      ),
    );
  });

  it('two conversations in each trace pair in order of first use, whatever the reader names', () => {
    const twoReaders = (names: [string, string]) => {
      const builder = new DiffTraceBuilder();
      ['00A4040000', '00B0000000', '00A4040000', '00CA000000'].forEach((command, i) =>
        builder.add({
          index: i + 1,
          device: names[i % 2]!,
          slot: 0,
          command: fromHex(command),
          response: fromHex('9000'),
          timeMs: i,
          durationMs: 1,
        }),
      );
      return builder.exchanges;
    };
    const diff = diffTraces(twoReaders(['1.4', '1.5']), twoReaders(['PC/SC reader 0', 'PC/SC reader 1']));
    expect(diff.match).toBe(true);
    expect(diff.conversations.map((c) => [c.a, c.b])).toEqual([
      ['1.4 slot 0', 'PC/SC reader 0 slot 0'],
      ['1.5 slot 0', 'PC/SC reader 1 slot 0'],
    ]);
  });
});

describe('secrets in a comparison', () => {
  it('VERIFY data is masked in the text and the JSON, also where the answers differ', () => {
    const a = traceOfBytes(apduLevelSecrets());
    const b = a.map((e) => ({ ...e, sw: e.secret ? '63C1' : e.sw }));
    const diff = diffTraces(a, b);
    expect(diff.counts.changed).toBe(a.filter((e) => e.secret).length);
    const json = JSON.stringify(diff.rows.map(diffRowJson));
    for (const out of [textOf(diff), json]) expect(secretsIn(out)).toEqual([]);
    expect(textOf(diff)).toContain('VERIFY  0020008206************');
  });

  it('two PINs are two commands; against a masked recording only the masked forms are compared', () => {
    const verify = (pin: string, device = '1.4') => {
      const builder = new DiffTraceBuilder();
      builder.add({ index: 1, device, slot: 0, command: fromHex(`0020008104${pin}`), response: fromHex('9000'), timeMs: 0, durationMs: 1 });
      return builder.exchanges;
    };
    expect(diffTraces(verify('31323334'), verify('31323335')).counts).toMatchObject({ onlyA: 1, onlyB: 1 });
    const masked = verify('2A2A2A2A');
    expect(masked[0]!.masked).toBe(true);
    expect(diffTraces(verify(PIN_FORMS[0].slice(0, 8)), masked).counts.same).toBe(1);
  });

  it('looksMasked: one repeated filler byte (FF, 00, *) is masked, a PIN is not', () => {
    expect(looksMasked(fromHex('FFFFFFFF'))).toBe(true);
    expect(looksMasked(fromHex('2A2A2A2A2A2A'))).toBe(true);
    expect(looksMasked(fromHex('31323334FFFFFFFF'))).toBe(false);
    expect(looksMasked(new Uint8Array())).toBe(false);
  });
});

describe('parseTimingThreshold', () => {
  it('reads factor and time, either alone, and off; refuses the rest with a reason', () => {
    expect(parseTimingThreshold('2x,50ms')).toEqual({ ok: true, threshold: { factor: 2, minMs: 50 } });
    expect(parseTimingThreshold('3x')).toEqual({ ok: true, threshold: { factor: 3, minMs: 0 } });
    expect(parseTimingThreshold('20ms')).toEqual({ ok: true, threshold: { factor: 1, minMs: 20 } });
    expect(parseTimingThreshold('off')).toEqual({ ok: true, threshold: null });
    for (const bad of ['', 'fast', '0.5x', '2x,50ms,3x', '1x']) expect(parseTimingThreshold(bad).ok).toBe(false);
  });
});
