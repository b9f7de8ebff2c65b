/**
 * Pairing and APDU extraction rules on hand-built usbmon captures (no descriptors: the CCID
 * endpoints are found by the capture layer's heuristic, so the exchange level is unknown).
 */
import { describe, expect, it } from 'vitest';
import {
  encodeDataBlock,
  encodeIccPowerOn,
  encodeNotifySlotChange,
  encodeParameters,
  encodeSetParameters,
  encodeSlotStatus,
  encodeXfrBlock,
} from '#core/ccid/index.js';
import { encodeT1Block } from '#core/iso7816/index.js';
import { fromHex } from '#core/bytes/hex.js';
import { toHex } from '#core/bytes/hex.js';
import { decodeTraceBytes, type TraceMessage } from '#core/trace/index.js';
import { pcapngOf, usbmonCcidPipes } from '../capture/capture-builder.js';

const { out, inn, interrupt } = usbmonCcidPipes(0x7000n);
const trace = (records: Uint8Array[][], options = {}) =>
  decodeTraceBytes(pcapngOf(220, records.flat()), { file: 'test.pcapng', ...options });

const ok = { slot: 0, iccStatus: 0, commandStatus: 0, bError: 0 };
const ATR = fromHex('3B0A4C41422D434152443031');
const powerOn = (seq: number) => [out(encodeIccPowerOn({ slot: 0, seq })), inn(encodeDataBlock({ ...ok, seq, data: ATR }))];
const xfr = (seq: number, command: string, levelParameter = 0) =>
  out(encodeXfrBlock({ slot: 0, seq, levelParameter, data: fromHex(command) }));
const block = (seq: number, response: string, chainParameter = 0) =>
  inn(encodeDataBlock({ ...ok, seq, chainParameter, data: fromHex(response) }));

describe('TraceDecoder: commands, answers and exchanges', () => {
  it('pairs XfrBlock and DataBlock by slot and bSeq into an exchange with frames and the ATR', () => {
    const report = trace([...powerOn(0), xfr(1, '00A4040007A0000000031010'), block(1, '6A82')]);
    expect(report.atrs).toEqual([{ frame: 4, device: '1.4', slot: 0, atr: '3B0A4C41422D434152443031' }]);
    expect(report.exchanges).toMatchObject([
      {
        index: 1,
        device: '1.4',
        slot: 0,
        command: '00A4040007A0000000031010',
        response: '6A82',
        sw: '6A82',
        commandFrame: 5,
        responseFrame: 8,
      },
    ]);
    expect(report.transactions).toMatchObject([
      { exchanges: [1], name: 'SELECT', sw: '6A82', meaning: expect.stringMatching(/not found/i) },
    ]);
    expect(report.ccid.byType).toEqual({ PC_to_RDR_IccPowerOn: 1, RDR_to_PC_DataBlock: 2, PC_to_RDR_XfrBlock: 1 });
    expect(report.problems).toEqual([]);
  });

  it('flags an answer with another bSeq instead of pairing it', () => {
    const report = trace([...powerOn(0), xfr(1, '00B0000010'), block(7, '9000')]);
    expect(report.exchanges).toEqual([]);
    expect(report.problems).toMatchObject([{ frame: 8, code: 'bseq-mismatch', message: expect.stringContaining('bSeq 7') }]);
  });

  it('flags a command left unanswered, when the next one is sent and at the end of the capture', () => {
    const report = trace([...powerOn(0), xfr(1, '00B0000010'), xfr(2, '00B0000020'), block(2, '9000'), xfr(3, '00B0000030')]);
    expect(report.exchanges.map((e) => e.command)).toEqual(['00B0000020']);
    expect(report.problems.map((p) => [p.frame, p.code])).toEqual([
      [5, 'missing-answer'],
      [11, 'missing-answer'],
    ]);
  });

  it('takes a time extension (bStatus 0x80) as an event, and the real answer after it', () => {
    const wtx = encodeDataBlock({ slot: 0, seq: 1, iccStatus: 0, commandStatus: 2, bError: 1, data: new Uint8Array(0) });
    const report = trace([...powerOn(0), xfr(1, '0020008108313233343535FFFF'), inn(wtx), block(1, '9000')]);
    expect(report.events).toEqual([{ frame: 8, device: '1.4', slot: 0, kind: 'time-extension' }]);
    expect(report.exchanges).toMatchObject([{ sw: '9000', responseFrame: 10 }]);
  });

  it('accepts a failed SlotStatus as the answer to any command, with the reason as a problem', () => {
    const failed = encodeSlotStatus({ slot: 0, seq: 1, iccStatus: 0, commandStatus: 1, bError: 0xfe });
    const report = trace([...powerOn(0), xfr(1, '00B0000010'), inn(failed), xfr(2, '00B0000010'), block(2, '9000')]);
    expect(report.exchanges).toHaveLength(1);
    expect(report.problems).toMatchObject([{ frame: 8, code: 'command-failed', message: expect.stringContaining('ICC_MUTE') }]);
  });

  it('keeps the captured bytes of a response cut by the snapshot length, marked truncated', () => {
    const long = `${'AB'.repeat(200)}9000`;
    const answer = encodeDataBlock({ ...ok, seq: 1, data: fromHex(long) });
    const report = trace([...powerOn(0), xfr(1, '00B0000000'), inn(answer.slice(0, 42), answer.length)]);
    expect(report.exchanges).toMatchObject([{ response: 'AB'.repeat(32), truncated: true, sw: 'ABAB' }]);
    expect(report.problems.map((p) => p.code)).toEqual(['truncated']);
  });

  it('reports card removal and insertion from NotifySlotChange', () => {
    // Without descriptors the interrupt endpoint is known only once bulk traffic showed a reader.
    const report = trace([
      ...powerOn(0),
      interrupt(encodeNotifySlotChange([{ present: false, changed: true }])),
      interrupt(encodeNotifySlotChange([{ present: true, changed: false }])),
      interrupt(encodeNotifySlotChange([{ present: true, changed: true }])),
    ]);
    expect(report.events.map((e) => [e.frame, e.kind])).toEqual([
      [6, 'card-removed'],
      [10, 'card-inserted'],
    ]);
  });

  it('rebuilds an extended APDU chained over XfrBlocks (wLevelParameter 1, 2) and a chained answer (bChainParameter 1, 2)', () => {
    const report = trace([
      ...powerOn(0),
      xfr(1, '00DA0000000104', 0x01),
      block(1, '', 0x10),
      xfr(2, '0102030400', 0x02),
      block(2, 'CAFE', 0x01),
      xfr(3, '', 0x10),
      block(3, '9000', 0x02),
    ]);
    expect(report.exchanges).toMatchObject([{ command: '00DA00000001040102030400', response: 'CAFE9000', commandFrame: 5 }]);
    expect(report.problems).toEqual([]);
  });

  it('rebuilds APDUs from T=1 blocks when the slot runs T=1 and abData holds valid blocks', () => {
    const t1Params = fromHex('1100100F00FE00'.slice(0, 14));
    const i0 = encodeT1Block({ nad: 0, kind: 'I', ns: 0, more: true, inf: fromHex('00A4040007A000') });
    const r1 = encodeT1Block({ nad: 0, kind: 'R', nr: 1 });
    const i1 = encodeT1Block({ nad: 0, kind: 'I', ns: 1, more: false, inf: fromHex('00000310100000') });
    const answer = encodeT1Block({ nad: 0, kind: 'I', ns: 0, more: false, inf: fromHex('6F009000') });
    const report = trace([
      ...powerOn(0),
      out(encodeSetParameters({ slot: 0, seq: 1, protocolNum: 1, protocolData: t1Params })),
      inn(encodeParameters({ ...ok, seq: 1, protocolNum: 1, protocolData: t1Params })),
      out(encodeXfrBlock({ slot: 0, seq: 2, data: i0 })),
      inn(encodeDataBlock({ ...ok, seq: 2, data: r1 })),
      out(encodeXfrBlock({ slot: 0, seq: 3, data: i1 })),
      inn(encodeDataBlock({ ...ok, seq: 3, data: answer })),
    ]);
    expect(report.exchanges).toMatchObject([{ command: '00A4040007A00000000310100000', response: '6F009000', sw: '9000' }]);
  });

  it('streams every message, decoded, to a message handler', () => {
    const seen: TraceMessage[] = [];
    trace([...powerOn(0), xfr(1, '00B0000010'), block(1, '9000')], { handlers: { message: (m: TraceMessage) => seen.push(m) } });
    expect(seen.map((m) => [m.frame, m.direction, m.name])).toEqual([
      [1, 'out', 'PC_to_RDR_IccPowerOn'],
      [4, 'in', 'RDR_to_PC_DataBlock'],
      [5, 'out', 'PC_to_RDR_XfrBlock'],
      [8, 'in', 'RDR_to_PC_DataBlock'],
    ]);
    expect(seen[3]!.summary).toContain('RDR_to_PC_DataBlock');
  });

  it('says clearly when the bytes are not a capture', () => {
    const report = decodeTraceBytes(new TextEncoder().encode('hello world'));
    expect(report.format).toBeNull();
    expect(report.problems).toMatchObject([
      { code: 'not-a-capture', message: expect.stringContaining('not a pcap/pcapng file or pcsc-spy log') },
    ]);
  });

  it('never throws on random bytes after a valid header', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let round = 0; round < 50; round++) {
      const records = [...powerOn(0), xfr(1, '00B0000010'), block(1, '9000')].flat();
      const bytes = pcapngOf(220, records);
      for (let i = 0; i < 20; i++) bytes[32 + ((random() * 256 + random()) % (bytes.length - 32))] = random();
      expect(() => decodeTraceBytes(bytes)).not.toThrow();
    }
  });
});

describe('toHex (flat strings for the report)', () => {
  it('writes uppercase hex without separators, also beyond one conversion slice', () => {
    expect(toHex(Uint8Array.of(0x00, 0x0a, 0xff, 0x3b))).toBe('000AFF3B');
    const big = Uint8Array.from({ length: 10_000 }, (_, i) => i & 0xff);
    const hex = toHex(big);
    expect(hex).toHaveLength(20_000);
    expect(hex.slice(8190, 8194)).toBe(`${(4095 & 0xff).toString(16).toUpperCase()}00`.slice(0, 4));
    expect(hex.slice(-4)).toBe('0E0F');
  });
});
