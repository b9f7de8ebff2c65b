import { describe, expect, it } from 'vitest';
import type { CcidFrame } from '#core/capture/ccid-stream.js';
import { encodeDataBlock, encodeGetSlotStatus, encodeIccPowerOn, encodeSlotStatus, encodeXfrBlock } from '#core/ccid/encode-message.js';
import type { Problem } from '#core/dissect/node.js';
import { readCcidPairingFields } from '#core/trace/ccid-pairing-fields.js';
import { SlotPairing } from '#core/trace/slot-pairing.js';

/** Each message of a test is its own frame, numbered in order. */
function pairingOf() {
  const problems: { frame: number; code: string; message: string }[] = [];
  const pairing = new SlotPairing<string>('1.4', (frame: number, p: Problem) => problems.push({ frame, code: p.code, message: p.message }));
  let frameNumber = 0;
  const frame = (bytes: Uint8Array, direction: 'out' | 'in'): CcidFrame => {
    frameNumber++;
    return {
      device: '1.4',
      direction,
      channel: 'bulk',
      endpoint: direction === 'out' ? 0x02 : 0x83,
      frames: [frameNumber],
      firstFrame: frameNumber,
      lastFrame: frameNumber,
      timeNs: frameNumber * 1000,
      endTimeNs: frameNumber * 1000,
      bytes,
      expectedLength: bytes.length,
      truncated: false,
      problems: [],
      detection: 'descriptor',
    };
  };
  const command = (bytes: Uint8Array, note?: string) =>
    pairing.command(frame(bytes, 'out'), readCcidPairingFields(bytes, { direction: 'out' }), note);
  const answer = (bytes: Uint8Array) => pairing.answer(frame(bytes, 'in'), readCcidPairingFields(bytes, { direction: 'in' }));
  return { pairing, problems, command, answer };
}

const XFR = (seq: number, slot = 0) => encodeXfrBlock({ slot, seq, data: Uint8Array.of(0x00, 0xa4, 0x04, 0x00) });
const DATA = (seq: number, slot = 0) => encodeDataBlock({ slot, seq, data: Uint8Array.of(0x90, 0x00) });

describe('SlotPairing (CCID 1.1 §5.2.1: one command in flight per slot)', () => {
  it('pairs an answer with the command of its slot and bSeq, and keeps the note given with the command', () => {
    const { pairing, problems, command, answer } = pairingOf();
    command(XFR(7), 'select');
    expect(pairing.awaitedCommand(0, 7)).toBe(0x6f);
    expect(pairing.awaitedCommand(0, 8)).toBeUndefined();
    const paired = answer(DATA(7));
    expect(paired).toMatchObject({ kind: 'paired', command: { bSeq: 7, note: 'select', frame: { firstFrame: 1 } } });
    expect(pairing.awaitedCommand(0, 7)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('keeps slots apart: each has its own command in flight', () => {
    const { problems, command, answer } = pairingOf();
    command(XFR(1, 0));
    command(XFR(2, 1));
    expect(answer(DATA(2, 1))).toMatchObject({ kind: 'paired', command: { bSeq: 2 } });
    expect(answer(DATA(1, 0))).toMatchObject({ kind: 'paired', command: { bSeq: 1 } });
    expect(problems).toEqual([]);
  });

  it('a time extension is an event: the command stays pending and the real answer still pairs', () => {
    const { problems, command, answer } = pairingOf();
    command(XFR(3));
    expect(answer(encodeDataBlock({ slot: 0, seq: 3, commandStatus: 2, bError: 5, data: new Uint8Array(0) }))).toEqual({
      kind: 'time-extension',
      slot: 0,
    });
    expect(answer(DATA(3))).toMatchObject({ kind: 'paired' });
    expect(problems).toEqual([]);
  });

  it('an answer with another bSeq is not paired, and the command is dropped', () => {
    const { problems, command, answer } = pairingOf();
    command(XFR(4));
    expect(answer(DATA(5))).toEqual({ kind: 'unpaired' });
    expect(problems).toEqual([
      {
        frame: 2,
        code: 'bseq-mismatch',
        message: 'RDR_to_PC_DataBlock has bSeq 5 but the pending PC_to_RDR_XfrBlock (frame 1) has bSeq 4: not paired',
      },
    ]);
    expect(answer(DATA(4))).toEqual({ kind: 'unpaired' });
    expect(problems[1]).toMatchObject({ frame: 3, code: 'unexpected-answer' });
  });

  it('an answer with nothing pending is flagged', () => {
    const { problems, answer } = pairingOf();
    expect(answer(DATA(9))).toEqual({ kind: 'unpaired' });
    expect(problems).toEqual([
      { frame: 1, code: 'unexpected-answer', message: 'RDR_to_PC_DataBlock (bSeq 9) answers no command in the capture' },
    ]);
  });

  it('a new command on a busy slot flags the older one as unanswered', () => {
    const { problems, command, answer } = pairingOf();
    command(XFR(1));
    command(encodeGetSlotStatus({ slot: 0, seq: 2 }));
    expect(problems).toEqual([
      {
        frame: 1,
        code: 'missing-answer',
        message: 'PC_to_RDR_XfrBlock on 1.4 slot 0 (bSeq 1) got no answer: a new command (frame 2) was sent on the slot first',
      },
    ]);
    expect(answer(encodeSlotStatus({ slot: 0, seq: 2 }))).toMatchObject({ kind: 'paired', command: { bSeq: 2 } });
  });

  it('a failed SlotStatus may answer any command; another wrong answer type is flagged but paired', () => {
    const { problems, command, answer } = pairingOf();
    command(encodeIccPowerOn({ slot: 0, seq: 1 }));
    expect(answer(encodeSlotStatus({ slot: 0, seq: 1, commandStatus: 1, bError: 0 }))).toMatchObject({ kind: 'paired' });
    expect(problems).toEqual([]);
    command(XFR(2));
    expect(answer(encodeSlotStatus({ slot: 0, seq: 2 }))).toMatchObject({ kind: 'paired', command: { bSeq: 2 } });
    expect(problems).toEqual([
      {
        frame: 4,
        code: 'unexpected-answer-type',
        message: 'PC_to_RDR_XfrBlock (frame 3) answered by RDR_to_PC_SlotStatus, expected RDR_to_PC_DataBlock',
      },
    ]);
  });

  it('at the end of the capture, every command still pending is flagged once', () => {
    const { pairing, problems, command } = pairingOf();
    command(XFR(1, 0));
    command(XFR(2, 1));
    pairing.end();
    pairing.end();
    expect(
      problems.map((p) => [p.frame, p.code, p.message.endsWith('got no answer: the capture ended before the reader answered')]),
    ).toEqual([
      [1, 'missing-answer', true],
      [2, 'missing-answer', true],
    ]);
  });

  it('ignores a message too short to name its slot and sequence', () => {
    const { problems, command, answer } = pairingOf();
    expect(command(Uint8Array.of(0x6f, 0, 0, 0))).toBeUndefined();
    expect(answer(Uint8Array.of(0x80, 0, 0))).toEqual({ kind: 'unpaired' });
    expect(problems).toEqual([]);
  });
});
