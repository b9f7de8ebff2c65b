import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { decodeCcidMessage, type CcidMessage } from '#core/ccid/decode-message.js';
import * as enc from '#core/ccid/encode-message.js';
import { MAX_EXTENDED_APDU_LENGTH } from '#core/iso7816/apdu-limits.js';
import { encodeProtocolParameters } from '#core/ccid/protocol-parameters.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const data = fc.uint8Array({ maxLength: 300 });
const address = fc.record({ slot: u8, seq: u8 });
const answer = fc.record({
  slot: u8,
  seq: u8,
  iccStatus: fc.integer({ min: 0, max: 2 }),
  commandStatus: fc.integer({ min: 0, max: 2 }),
  bError: u8,
});
const RUNS = { numRuns: 300 };

function clean(m: CcidMessage): void {
  // A round trip must never produce problems (reserved bytes are written as zero).
  expect(m.problems).toEqual([]);
}

function checkAnswer(m: CcidMessage, a: { slot: number; seq: number; iccStatus: number; commandStatus: number; bError: number }): void {
  clean(m);
  expect(m).toMatchObject({ bSlot: a.slot, bSeq: a.seq });
  expect(m.status).toMatchObject({ bmICCStatus: a.iccStatus, bmCommandStatus: a.commandStatus, bError: a.bError });
}

describe('encode → decode round trips (fast-check)', () => {
  it('header-only commands', () => {
    const builders = [
      ['PC_to_RDR_IccPowerOff', enc.encodeIccPowerOff],
      ['PC_to_RDR_GetSlotStatus', enc.encodeGetSlotStatus],
      ['PC_to_RDR_GetParameters', enc.encodeGetParameters],
      ['PC_to_RDR_ResetParameters', enc.encodeResetParameters],
      ['PC_to_RDR_Abort', enc.encodeAbort],
    ] as const;
    fc.assert(
      fc.property(address, (a) => {
        for (const [name, build] of builders) {
          const m = decodeCcidMessage(build(a), { direction: 'out' });
          clean(m);
          expect(m).toMatchObject({ name, bSlot: a.slot, bSeq: a.seq, dwLength: 0, length: 10 });
        }
      }),
      RUNS,
    );
  });

  it('IccPowerOn, IccClock, T0APDU, Mechanical', () => {
    fc.assert(
      fc.property(address, fc.integer({ min: 0, max: 3 }), u8, u8, u8, (a, power, x, y, z) => {
        expect(decodeCcidMessage(enc.encodeIccPowerOn({ ...a, powerSelect: power })).fields.bPowerSelect).toBe(power);
        expect(decodeCcidMessage(enc.encodeIccClock({ ...a, clockCommand: x })).fields.bClockCommand).toBe(x);
        expect(decodeCcidMessage(enc.encodeT0Apdu({ ...a, changes: x, classGetResponse: y, classEnvelope: z })).fields).toEqual({
          bmChanges: x,
          bClassGetResponse: y,
          bClassEnvelope: z,
        });
        expect(decodeCcidMessage(enc.encodeMechanical({ ...a, fn: x })).fields.bFunction).toBe(x);
      }),
      RUNS,
    );
  });

  it('XfrBlock and Secure carry bBWI, wLevelParameter and abData', () => {
    fc.assert(
      fc.property(address, u8, u16, data, (a, bwi, level, payload) => {
        const x = decodeCcidMessage(enc.encodeXfrBlock({ ...a, bwi, levelParameter: level, data: payload }));
        clean(x);
        expect(x).toMatchObject({ name: 'PC_to_RDR_XfrBlock', bSlot: a.slot, bSeq: a.seq, dwLength: payload.length });
        expect(x.fields).toEqual({ bBWI: bwi, wLevelParameter: level });
        expect(toHex(x.data!.bytes)).toBe(toHex(payload));
        expect(x.data!.offset).toBe(10);
        const s = decodeCcidMessage(enc.encodeSecure({ ...a, bwi, levelParameter: level, data: payload }));
        expect(s.fields).toEqual({ bBWI: bwi, wLevelParameter: level });
        expect(toHex(s.data!.bytes)).toBe(toHex(payload));
      }),
      RUNS,
    );
  });

  it('Escape both ways, SetParameters/Parameters with T=0 and T=1 structures', () => {
    fc.assert(
      fc.property(address, answer, data, u8, (a, ans, payload, fd) => {
        expect(toHex(decodeCcidMessage(enc.encodeEscape({ ...a, data: payload })).data!.bytes)).toBe(toHex(payload));
        const e = decodeCcidMessage(enc.encodeEscapeResponse({ ...ans, data: payload }));
        checkAnswer(e, ans);
        expect(toHex(e.data!.bytes)).toBe(toHex(payload));
        const t0 = encodeProtocolParameters({ protocol: 'T=0', bmFindexDindex: fd, bWaitingIntegerT0: 10 });
        const set = decodeCcidMessage(enc.encodeSetParameters({ ...a, protocolNum: 0, protocolData: t0 }));
        clean(set);
        expect(set.protocolParameters).toMatchObject({ protocol: 'T=0', bmFindexDindex: { raw: fd }, bWaitingIntegerT0: 10 });
        const t1 = encodeProtocolParameters({ protocol: 'T=1', bmFindexDindex: fd, bmTCCKST1: 0x11, bIFSC: 0xfe });
        const params = decodeCcidMessage(enc.encodeParameters({ ...ans, protocolNum: 1, protocolData: t1 }));
        checkAnswer(params, ans);
        expect(params.protocolParameters).toMatchObject({ protocol: 'T=1', checksum: 'CRC', bIFSC: 0xfe, bwi: 4, cwi: 5 });
      }),
      RUNS,
    );
  });

  it('DataBlock, SlotStatus, data rate and clock both ways', () => {
    fc.assert(
      fc.property(answer, data, u8, fc.integer({ min: 0, max: 3 }), u32, u32, (ans, payload, chain, clock, freq, rate) => {
        const d = decodeCcidMessage(enc.encodeDataBlock({ ...ans, chainParameter: chain, data: payload }));
        checkAnswer(d, ans);
        expect(d.fields.bChainParameter).toBe(chain);
        expect(toHex(d.data!.bytes)).toBe(toHex(payload));
        const s = decodeCcidMessage(enc.encodeSlotStatus({ ...ans, clockStatus: clock }));
        checkAnswer(s, ans);
        expect(s.fields.bClockStatus).toBe(clock);
        const set = decodeCcidMessage(
          enc.encodeSetDataRateAndClockFrequency({ slot: ans.slot, seq: ans.seq, clockFrequency: freq, dataRate: rate }),
        );
        clean(set);
        expect(set.fields).toMatchObject({ dwClockFrequency: freq, dwDataRate: rate });
        const got = decodeCcidMessage(enc.encodeDataRateAndClockFrequency({ ...ans, clockFrequency: freq, dataRate: rate }));
        checkAnswer(got, ans);
        expect(got.fields).toMatchObject({ dwClockFrequency: freq, dwDataRate: rate });
      }),
      RUNS,
    );
  });

  it('interrupt messages', () => {
    const slot = fc.record({ present: fc.boolean(), changed: fc.boolean() });
    fc.assert(
      fc.property(fc.array(slot, { minLength: 1, maxLength: 16 }), address, u8, (slots, a, code) => {
        const n = decodeCcidMessage(enc.encodeNotifySlotChange(slots), { slotCount: slots.length });
        clean(n);
        expect(n.slotChanges).toEqual(slots.map((s, i) => ({ slot: i, ...s })));
        const h = decodeCcidMessage(enc.encodeHardwareError({ ...a, code }));
        clean(h);
        expect(h).toMatchObject({ bSlot: a.slot, bSeq: a.seq, fields: { bHardwareErrorCode: code } });
      }),
      RUNS,
    );
  });

  it('reproduces real messages of the libccid log byte for byte', () => {
    expect(toHex(enc.encodeGetSlotStatus({ slot: 0, seq: 1 }))).toBe('65000000000001000000');
    expect(toHex(enc.encodeEscape({ slot: 0, seq: 2, data: Uint8Array.of(0x6a) }))).toBe('6B0100000000020000006A');
    expect(toHex(enc.encodeSlotStatus({ slot: 0, seq: 0x0c, commandStatus: 1, bError: 0 }))).toBe('8100000000000C400000');
    expect(toHex(enc.encodeDataBlock({ slot: 0, seq: 0x17, data: Uint8Array.of(0x90, 0) }))).toBe('800200000000170000009000');
    expect(toHex(enc.encodeNotifySlotChange([{ present: true, changed: true }]))).toBe('5003');
  });

  it('refuses out-of-range inputs', () => {
    expect(() => enc.encodeGetSlotStatus({ slot: 256, seq: 0 })).toThrow(RangeError);
    expect(() => enc.encodeXfrBlock({ slot: 0, seq: 0, levelParameter: 0x10000, data: new Uint8Array() })).toThrow(RangeError);
    expect(() => enc.encodeNotifySlotChange([])).toThrow(RangeError);
  });

  it('carries abData up to one extended APDU (65544 bytes, CCID 1.1 §5.1) and refuses a byte more', () => {
    const longest = enc.encodeXfrBlock({ slot: 0, seq: 0, data: new Uint8Array(MAX_EXTENDED_APDU_LENGTH) });
    expect(decodeCcidMessage(longest).dwLength).toBe(65544);
    expect(() => enc.encodeXfrBlock({ slot: 0, seq: 0, data: new Uint8Array(MAX_EXTENDED_APDU_LENGTH + 1) })).toThrow(
      'abData of 65545 bytes is longer than CCID allows (65544)',
    );
  });
});

describe('decoder robustness (fast-check)', () => {
  it('never throws on random bytes, and every node lies inside the input', () => {
    const dir = fc.constantFrom(undefined, 'out' as const, 'in' as const, 'interrupt' as const);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), dir, fc.integer({ min: 0, max: 1000 }), (bytes, direction, offset) => {
        const m = decodeCcidMessage(bytes, { offset, ...(direction ? { direction } : {}) });
        expect(typeof m.summary).toBe('string');
        const walk = (n: { offset: number; length: number; children?: (typeof n)[] }): void => {
          expect(n.offset).toBeGreaterThanOrEqual(offset);
          expect(n.offset + n.length).toBeLessThanOrEqual(offset + bytes.length);
          n.children?.forEach(walk);
        };
        walk(m.node);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on Secure messages with random abData', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7), fc.uint8Array({ maxLength: 60 }), (op, rest) => {
        const payload = Uint8Array.of(op, ...rest);
        const m = decodeCcidMessage(enc.encodeSecure({ slot: 0, seq: 0, data: payload }));
        expect(m.secure).toBeDefined();
        expect(m.node.length).toBe(10 + payload.length);
      }),
      { numRuns: 1000 },
    );
  });
});
