import { describe, expect, it } from 'vitest';
import { parseCaptureBytes } from '#core/capture/index.js';
import { hex, pcapngOf, usbmon } from './capture-builder.js';

/** libccid's first exchange in labcard-basic.txt: GetSlotStatus → SlotStatus. */
const GET_SLOT_STATUS = hex('65 00 00 00 00 00 00 00 00 00');
const SLOT_STATUS = hex('81 00 00 00 00 00 00 00 00 00');
/** labcard-basic.txt: IccPowerOn and its 22-byte DataBlock with the ATR. */
const POWER_ON = hex('62 00 00 00 00 00 06 00 00 00');
const ATR_BLOCK = hex('80 0C 00 00 00 00 06 00 00 00 3B 0A 4C 41 42 2D 43 41 52 44 30 31');

let id = 0x5000n;
const out = (data: number[], endpoint = 0x02) => {
  const u = id++;
  return [
    usbmon({ id: u, event: 'S', transfer: 3, endpoint, device: 4, data }),
    usbmon({ id: u, event: 'C', transfer: 3, endpoint, device: 4, length: data.length }),
  ];
};
const inn = (data: number[], opts: { endpoint?: number; transfer?: number; length?: number } = {}) => {
  const u = id++;
  const endpoint = opts.endpoint ?? 0x83;
  const transfer = opts.transfer ?? 3;
  return [
    usbmon({ id: u, event: 'S', transfer, endpoint, device: 4, length: 4096 }),
    usbmon({ id: u, event: 'C', transfer, endpoint, device: 4, data, length: opts.length ?? data.length }),
  ];
};
const decode = (records: Uint8Array[], options = {}) => parseCaptureBytes(pcapngOf(220, records), options);

describe('CCID endpoint detection without descriptors (heuristic)', () => {
  it('confirms a command/answer pair with the same bSeq and replays the first command', () => {
    const { messages, ccidReaders } = decode([...out(GET_SLOT_STATUS), ...inn(SLOT_STATUS), ...out(POWER_ON), ...inn(ATR_BLOCK)]);
    expect(ccidReaders).toMatchObject([{ device: '1.4', detection: 'heuristic', bulkOut: 2, bulkIn: 3 }]);
    expect(messages.map((m) => [m.direction, m.bytes[0], m.frames])).toEqual([
      ['out', 0x65, [1]],
      ['in', 0x81, [4]],
      ['out', 0x62, [5]],
      ['in', 0x80, [8]],
    ]);
    expect(Array.from(messages[3]!.bytes)).toEqual(ATR_BLOCK);
  });

  it('confirms on every command type of CCID 1.1, PC_to_RDR_SetDataRateAndClockFrequency (0x73) included', () => {
    const setRate = hex('73 08 00 00 00 00 05 00 00 00 A0 0F 00 00 80 25 00 00');
    const rateAnswer = hex('84 08 00 00 00 00 05 00 00 00 A0 0F 00 00 80 25 00 00');
    const { messages, ccidReaders } = decode([...out(setRate), ...inn(rateAnswer)]);
    expect(ccidReaders).toMatchObject([{ device: '1.4', detection: 'heuristic' }]);
    expect(messages.map((m) => [m.direction, m.bytes[0]])).toEqual([
      ['out', 0x73],
      ['in', 0x84],
    ]);
  });

  it('does not mistake other bulk traffic for CCID', () => {
    const massStorage = hex('55 53 42 43 01 00 00 00 00 02 00 00 80 00 0a 28');
    const { messages, ccidReaders } = decode([...out(massStorage), ...inn(hex('55 53 42 53 01 00 00 00 00 00 00 00 00'))]);
    expect(ccidReaders).toEqual([]);
    expect(messages).toEqual([]);
  });

  it('needs matching bSeq: an answer to another sequence number does not confirm', () => {
    const answer = SLOT_STATUS.slice();
    answer[6] = 9;
    expect(decode([...out(GET_SLOT_STATUS), ...inn(answer)]).ccidReaders).toEqual([]);
  });

  it('can be switched off', () => {
    expect(decode([...out(GET_SLOT_STATUS), ...inn(SLOT_STATUS)], { useHeuristic: false }).messages).toEqual([]);
  });

  it('passes interrupt NotifySlotChange through once the device is known as CCID', () => {
    const { messages } = decode([...out(GET_SLOT_STATUS), ...inn(SLOT_STATUS), ...inn([0x50, 0x03], { endpoint: 0x81, transfer: 1 })]);
    expect(messages.at(-1)).toMatchObject({ channel: 'interrupt', direction: 'in', endpoint: 1, frames: [6] });
    expect(Array.from(messages.at(-1)!.bytes)).toEqual([0x50, 0x03]);
  });
});

describe('CCID message reassembly', () => {
  const head = [...out(GET_SLOT_STATUS), ...inn(SLOT_STATUS)];
  // A 300-byte DataBlock (dwLength 290) split like host-side URBs or device-side packets.
  const big = [0x80, 0x22, 0x01, 0, 0, 0, 0x07, 0, 0, 0, ...Array.from({ length: 290 }, (_, i) => i & 0xff)];

  it('rebuilds a message spread over several bulk-IN transfers from dwLength', () => {
    const parts = [big.slice(0, 64), big.slice(64, 128), big.slice(128, 192), big.slice(192, 256), big.slice(256)];
    const { messages } = decode([...head, ...out([0x6f, 5, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0xb0, 0, 0, 0]), ...parts.flatMap((p) => inn(p))]);
    const answer = messages.at(-1)!;
    expect(answer.frames).toEqual([8, 10, 12, 14, 16]);
    expect(answer.expectedLength).toBe(300);
    expect(answer.problems).toEqual([]);
    expect(Array.from(answer.bytes)).toEqual(big);
  });

  it('ignores the zero-length packet after a message of an exact packet multiple', () => {
    const exact = [0x80, 54, 0, 0, 0, 0, 8, 0, 0, 0, ...Array.from({ length: 54 }, (_, i) => i)];
    const { messages } = decode([...head, ...inn(exact), ...inn([]), ...inn(SLOT_STATUS)]);
    expect(messages.slice(2).map((m) => [m.bytes.length, m.problems.length])).toEqual([
      [64, 0],
      [10, 0],
    ]);
  });

  it('marks a message whose tail never came when the next message starts', () => {
    const { messages } = decode([...head, ...inn(big.slice(0, 64)), ...inn(SLOT_STATUS)]);
    expect(messages[2]).toMatchObject({ expectedLength: 300, problems: [{ code: 'incomplete' }] });
    expect(messages[2]!.bytes).toHaveLength(64);
    expect(Array.from(messages[3]!.bytes)).toEqual(SLOT_STATUS);
  });

  it('flushes a message left open at the end of the capture', () => {
    const { messages } = decode([...head, ...inn(big.slice(0, 64))]);
    expect(messages.at(-1)!.problems).toMatchObject([{ code: 'incomplete', message: expect.stringContaining('capture ended') }]);
  });

  it('refuses an absurd dwLength and resynchronises on the next transfer', () => {
    const absurd = [0x80, 0xff, 0xff, 0xff, 0x7f, 0, 9, 0, 0, 0, 1, 2, 3];
    const { messages } = decode([...head, ...inn(absurd), ...inn(SLOT_STATUS)]);
    expect(messages[2]).toMatchObject({ problems: [{ code: 'length-beyond-limit', severity: 'error' }] });
    expect(messages[2]!.bytes).toHaveLength(13);
    expect(Array.from(messages[3]!.bytes)).toEqual(SLOT_STATUS);
  });

  it('keeps a snaplen-cut message marked truncated, with the bytes that were captured', () => {
    const { messages } = decode([...head, ...inn(big.slice(0, 40), { length: 300 })]);
    expect(messages[2]).toMatchObject({ truncated: true, expectedLength: 300 });
    expect(messages[2]!.bytes).toHaveLength(40);
    expect(messages[2]!.problems.map((p) => p.code)).toEqual(['truncated']);
  });

  it('reports a transfer shorter than a CCID header', () => {
    const { messages } = decode([...head, ...inn([0x80, 1, 0])]);
    expect(messages[2]!.problems).toMatchObject([{ code: 'short-message' }]);
  });
});
