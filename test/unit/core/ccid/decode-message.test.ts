import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import { nodeAtOffset } from '#core/dissect/node.js';
import { requireShared } from '../../../shared-path.js';
import { apduExchanges, LABCARD_TXT, loggedCcidMessages, PINPAD_TXT, readGroundTruth } from './ground-truth.js';

describe('decodeCcidMessage: header and XfrBlock/DataBlock payload', () => {
  // From pinpad-labcard.txt (libccid log): the plain VERIFY and its answer.
  const xfr = fromHex('6F 0D 00 00 00 00 17 00 00 00 00 20 00 81 08 31 32 33 34 FF FF FF FF');
  const data = fromHex('80 02 00 00 00 00 17 00 00 00 90 00');

  it('decodes the common header and exposes abData by offset and length', () => {
    const m = decodeCcidMessage(xfr, { offset: 64 });
    expect(m).toMatchObject({ offset: 64, length: 23, bMessageType: 0x6f, name: 'PC_to_RDR_XfrBlock', pipe: 'bulk-out' });
    expect(m).toMatchObject({ dwLength: 13, bSlot: 0, bSeq: 0x17, expectedAnswer: 'RDR_to_PC_DataBlock' });
    expect(m.fields).toEqual({ bBWI: 0, wLevelParameter: 0 });
    expect(m.data).toMatchObject({ offset: 74, length: 13, declaredLength: 13, kind: 'apdu' });
    expect(toHex(m.data!.bytes)).toBe('002000810831323334FFFFFFFF');
    expect(m.summary).toBe('PC_to_RDR_XfrBlock slot 0 seq 23, 13 bytes');
    expect(m.problems).toEqual([]);
  });

  it('gives every header field a node with absolute offsets', () => {
    const m = decodeCcidMessage(xfr, { offset: 100 });
    const ids = m.node.children!.map((n) => [n.id, n.offset, n.length]);
    expect(ids).toEqual([
      ['ccid.bMessageType', 100, 1],
      ['ccid.dwLength', 101, 4],
      ['ccid.bSlot', 105, 1],
      ['ccid.bSeq', 106, 1],
      ['ccid.bBWI', 107, 1],
      ['ccid.wLevelParameter', 108, 2],
      ['ccid.abData', 110, 13],
    ]);
    expect(m.node).toMatchObject({ id: 'ccid', offset: 100, length: 23, label: m.summary });
    expect(nodeAtOffset([m.node], 102)!.id).toBe('ccid.dwLength');
  });

  it('marks the payload as a TPDU at TPDU level', () => {
    expect(decodeCcidMessage(xfr, { tpduLevel: true }).data!.kind).toBe('tpdu');
    expect(decodeCcidMessage(xfr, { exchangeLevel: 'character' }).data!.kind).toBe('characters');
    expect(decodeCcidMessage(data, { exchangeLevel: 'tpdu' }).data!.kind).toBe('tpdu');
  });

  it('decodes a DataBlock: bStatus split, bError, bChainParameter', () => {
    const m = decodeCcidMessage(data);
    expect(m.name).toBe('RDR_to_PC_DataBlock');
    expect(m.status).toEqual({
      bStatus: 0,
      bmICCStatus: 0,
      iccStatus: 'present-active',
      bmCommandStatus: 0,
      commandStatus: 'ok',
      bError: 0,
      errorMeaning: 'no error',
    });
    expect(m.fields.bChainParameter).toBe(0);
    expect(m.data).toMatchObject({ offset: 10, length: 2, kind: 'response-apdu' });
    expect(m.summary).toBe('RDR_to_PC_DataBlock slot 0 seq 23, 2 bytes');
    const status = m.node.children!.find((n) => n.id === 'ccid.bStatus')!;
    expect(status.children!.map((n) => n.id)).toEqual(['ccid.bmICCStatus', 'ccid.bmCommandStatus']);
  });

  it('labels the DataBlock answering IccPowerOn as the ATR', () => {
    const atr = fromHex('80 0C 00 00 00 00 06 00 00 00 3B 0A 4C 41 42 2D 43 41 52 44 30 31');
    const m = decodeCcidMessage(atr, { answerTo: 0x62 });
    expect(m.data).toMatchObject({ kind: 'atr', length: 12 });
    expect(toHex(m.data!.bytes)).toBe('3B0A4C41422D434152443031');
  });
});

describe('decodeCcidMessage: every other type', () => {
  it('IccPowerOn/Off, GetSlotStatus, Escape (libccid log bytes)', () => {
    expect(decodeCcidMessage(fromHex('62 00 00 00 00 00 06 00 00 00'))).toMatchObject({
      name: 'PC_to_RDR_IccPowerOn',
      fields: { bPowerSelect: 0, abRFU: [0, 0] },
      summary: 'PC_to_RDR_IccPowerOn slot 0 seq 6',
    });
    expect(decodeCcidMessage(fromHex('65 00 00 00 00 00 01 00 00 00'))).toMatchObject({
      name: 'PC_to_RDR_GetSlotStatus',
      fields: { abRFU: [0, 0, 0] },
    });
    const esc = decodeCcidMessage(fromHex('6B 01 00 00 00 00 02 00 00 00 6A'));
    expect(esc).toMatchObject({ name: 'PC_to_RDR_Escape', data: { kind: 'escape', length: 1 } });
  });

  // GCC capture (USBPcap) frames 2237..2248: PowerOff, SlotStatus, DataBlock(ATR), SetParameters, Parameters.
  it('SlotStatus with a present-inactive card and a stopped clock', () => {
    const m = decodeCcidMessage(fromHex('81 00 00 00 00 00 22 01 00 01'));
    expect(m.status).toMatchObject({ iccStatus: 'present-inactive', commandStatus: 'ok' });
    expect(m.fields.bClockStatus).toBe(1);
    expect(m.node.children!.find((n) => n.id === 'ccid.bClockStatus')!.label).toBe('bClockStatus: 0x01 (clock stopped in state L)');
    expect(m.summary).toBe('RDR_to_PC_SlotStatus slot 0 seq 34, card inactive');
  });

  it('SetParameters / Parameters with a T=0 structure (Fi/Di spelled out)', () => {
    const set = decodeCcidMessage(fromHex('61 05 00 00 00 00 24 00 00 00 11 00 00 0A 00'));
    expect(set).toMatchObject({ name: 'PC_to_RDR_SetParameters', fields: { bProtocolNum: 0 }, problems: [] });
    expect(set.protocolParameters).toEqual({
      protocol: 'T=0',
      bmFindexDindex: { raw: 0x11, fIndex: 1, dIndex: 1, fi: 372, fmaxMHz: 5, di: 1 },
      bmTCCKST0: 0,
      inverseConvention: false,
      bGuardTimeT0: 0,
      bWaitingIntegerT0: 10,
      bClockStop: 0,
    });
    const abData = set.node.children!.find((n) => n.id === 'ccid.abData')!;
    expect(abData.children!.map((n) => n.id)).toEqual([
      'ccid.protocol.bmFindexDindex',
      'ccid.protocol.bmTCCKST0',
      'ccid.protocol.bGuardTimeT0',
      'ccid.protocol.bWaitingIntegerT0',
      'ccid.protocol.bClockStop',
    ]);
    expect(abData.children![0]!.label).toBe('bmFindexDindex: 0x11 (Fi=372 f(max)=5 MHz, Di=1, 372 clocks per ETU)');
    const got = decodeCcidMessage(fromHex('82 05 00 00 00 00 24 00 00 00 11 00 00 0A 00'));
    expect(got).toMatchObject({ name: 'RDR_to_PC_Parameters', fields: { bProtocolNum: 0 }, protocolParameters: { protocol: 'T=0' } });
    expect(got.summary).toBe('RDR_to_PC_Parameters slot 0 seq 36, 5 bytes (T=0)');
  });

  it('T=1 parameters: checksum, BWI/CWI, IFSC, NAD', () => {
    const m = decodeCcidMessage(fromHex('61 07 00 00 00 00 01 01 00 00 96 11 02 45 03 FE 00'));
    expect(m.protocolParameters).toEqual({
      protocol: 'T=1',
      bmFindexDindex: { raw: 0x96, fIndex: 9, dIndex: 6, fi: 512, fmaxMHz: 5, di: 32 },
      bmTCCKST1: 0x11,
      checksum: 'CRC',
      inverseConvention: false,
      bGuardTimeT1: 2,
      bmWaitingIntegersT1: 0x45,
      bwi: 4,
      cwi: 5,
      bClockStop: 3,
      bIFSC: 254,
      bNadValue: 0,
    });
    expect(m.problems).toEqual([]);
  });

  it('IccClock, T0APDU, Mechanical, Abort, SetDataRateAndClockFrequency', () => {
    expect(decodeCcidMessage(fromHex('6E 00 00 00 00 00 01 01 00 00')).fields).toMatchObject({ bClockCommand: 1 });
    expect(decodeCcidMessage(fromHex('6A 00 00 00 00 00 01 03 00 FF')).fields).toMatchObject({
      bmChanges: 3,
      bClassGetResponse: 0,
      bClassEnvelope: 0xff,
    });
    const mech = decodeCcidMessage(fromHex('71 00 00 00 00 00 01 02 00 00'));
    expect(mech.fields.bFunction).toBe(2);
    expect(mech.node.children!.find((n) => n.id === 'ccid.bFunction')!.label).toBe('bFunction: 0x02 (eject card)');
    expect(decodeCcidMessage(fromHex('72 00 00 00 00 00 09 00 00 00'))).toMatchObject({
      name: 'PC_to_RDR_Abort',
      expectedAnswer: 'RDR_to_PC_SlotStatus',
    });
    const rate = decodeCcidMessage(fromHex('73 08 00 00 00 00 01 00 00 00 A0 0F 00 00 80 25 00 00'));
    expect(rate.fields).toMatchObject({ dwClockFrequency: 4000, dwDataRate: 9600 });
    const rateAnswer = decodeCcidMessage(fromHex('84 08 00 00 00 00 01 00 00 00 A0 0F 00 00 80 25 00 00'));
    expect(rateAnswer).toMatchObject({ name: 'RDR_to_PC_DataRateAndClockFrequency', fields: { dwClockFrequency: 4000, dwDataRate: 9600 } });
    expect(decodeCcidMessage(fromHex('83 01 00 00 00 00 02 00 00 00 AA'))).toMatchObject({
      name: 'RDR_to_PC_Escape',
      data: { kind: 'escape' },
    });
  });

  it('bError: named codes, field index, time extension', () => {
    const mute = decodeCcidMessage(fromHex('80 00 00 00 00 00 05 41 FE 00'));
    expect(mute.status).toMatchObject({ commandStatus: 'failed', bError: 0xfe, errorName: 'ICC_MUTE' });
    expect(mute.summary).toBe('RDR_to_PC_DataBlock slot 0 seq 5, 0 bytes: failed, bError 0xFE (ICC_MUTE)');
    const table: [number, string][] = [
      [0xfb, 'HW_ERROR'],
      [0xf0, 'PIN_TIMEOUT'],
      [0xef, 'PIN_CANCELLED'],
      [0xe0, 'CMD_SLOT_BUSY'],
      [0xfd, 'XFR_PARITY_ERROR'],
      [0xfc, 'XFR_OVERRUN'],
      [0xff, 'CMD_ABORTED'],
      [0xf6, 'ICC_PROTOCOL_NOT_SUPPORTED'],
    ];
    for (const [code, name] of table) {
      expect(decodeCcidMessage(Uint8Array.of(0x81, 0, 0, 0, 0, 0, 1, 0x40, code, 0)).status!.errorName).toBe(name);
    }
    const badSlot = decodeCcidMessage(fromHex('81 00 00 00 00 05 01 42 05 00'));
    expect(badSlot.status).toMatchObject({ iccStatus: 'absent', errorName: 'BAD_PARAMETER' });
    expect(badSlot.status!.errorMeaning).toBe('the field at offset 5 (bSlot) is not supported or wrong');
    expect(badSlot.summary).toBe('RDR_to_PC_SlotStatus slot 5 seq 1: failed, bError 0x05 (BAD_PARAMETER), no card');
    const wait = decodeCcidMessage(fromHex('80 00 00 00 00 00 07 80 03 00'));
    expect(wait.status).toMatchObject({ commandStatus: 'time-extension', bError: 3 });
    expect(wait.status!.errorMeaning).toBe('time extension: the card needs 3 × BWT (or WWT) more');
    expect(wait.summary).toBe('RDR_to_PC_DataBlock slot 0 seq 7, 0 bytes: time extension ×3');
  });
});

describe('decodeCcidMessage: interrupt messages', () => {
  it('NotifySlotChange from the usbmon capture (50 03): slot 0 present and changed', () => {
    const m = decodeCcidMessage(fromHex('50 03'), { direction: 'interrupt' });
    expect(m.name).toBe('RDR_to_PC_NotifySlotChange');
    expect(m.slotChanges).toEqual([{ slot: 0, present: true, changed: true }]);
    expect(m.summary).toBe('RDR_to_PC_NotifySlotChange: slot 0 present (changed)');
    expect(m.problems).toEqual([]);
  });

  it('NotifySlotChange with several slots', () => {
    const m = decodeCcidMessage(fromHex('50 0E'), { slotCount: 3 });
    expect(m.slotChanges).toEqual([
      { slot: 0, present: false, changed: true },
      { slot: 1, present: true, changed: true },
      { slot: 2, present: false, changed: false },
    ]);
  });

  it('HardwareError', () => {
    const m = decodeCcidMessage(fromHex('51 00 07 01'));
    expect(m).toMatchObject({ name: 'RDR_to_PC_HardwareError', bSlot: 0, bSeq: 7, fields: { bHardwareErrorCode: 1 } });
    expect(m.summary).toBe('RDR_to_PC_HardwareError slot 0 seq 7: over-current');
    expect(decodeCcidMessage(fromHex('51 00')).problems.map((p) => p.code)).toEqual(['truncated']);
  });
});

describe('decodeCcidMessage: malformed input', () => {
  it('dwLength beyond the bytes: keeps what is there', () => {
    const m = decodeCcidMessage(fromHex('80 40 00 00 00 00 09 00 00 00 90 00'));
    expect(m.data).toMatchObject({ length: 2, declaredLength: 64 });
    expect(m.problems.map((p) => p.code)).toEqual(['length-beyond-message']);
    expect(m.summary).toBe('RDR_to_PC_DataBlock slot 0 seq 9, 2 bytes of 64');
    expect(m.node.problem!.code).toBe('length-beyond-message');
  });

  it('a huge dwLength allocates nothing', () => {
    const m = decodeCcidMessage(fromHex('6F FF FF FF FF 00 01 00 00 00 00'));
    expect(m.dwLength).toBe(0xffffffff);
    expect(m.data!.length).toBe(1);
  });

  it('message too short for its header', () => {
    const m = decodeCcidMessage(fromHex('6F 0D 00 00'));
    expect(m.problems.map((p) => p.code)).toEqual(['short-header']);
    expect(m.name).toBe('PC_to_RDR_XfrBlock');
    expect(m.dwLength).toBeUndefined();
    expect(m.summary).toBe('PC_to_RDR_XfrBlock');
  });

  it('unknown type: header read by direction', () => {
    const out = decodeCcidMessage(fromHex('2A 00 00 00 00 00 03 00 00 00'), { direction: 'out' });
    expect(out.name).toBeUndefined();
    expect(out.problems[0]!.code).toBe('unknown-message-type');
    expect(out.bSeq).toBe(3);
    const inn = decodeCcidMessage(fromHex('8F 00 00 00 00 00 03 40 FE 00'), { direction: 'in' });
    expect(inn.status!.errorName).toBe('ICC_MUTE');
    expect(inn.summary).toBe('unknown message 0x8F slot 0 seq 3: failed, bError 0xFE (ICC_MUTE)');
  });

  it('reserved fields non-zero, wrong fixed length, trailing bytes, wrong pipe', () => {
    const m = decodeCcidMessage(fromHex('65 00 00 00 00 00 01 00 01 00'));
    expect(m.problems).toEqual([{ code: 'reserved-nonzero', message: 'abRFU is not zero (000100)', severity: 'warning' }]);
    expect(decodeCcidMessage(fromHex('81 00 00 00 00 00 01 04 00 00')).problems[0]!.code).toBe('reserved-nonzero');
    expect(decodeCcidMessage(fromHex('63 01 00 00 00 00 01 00 00 00 FF')).problems.map((p) => p.code)).toEqual(['unexpected-length']);
    expect(decodeCcidMessage(fromHex('80 00 00 00 00 00 01 00 00 00 FF')).problems.map((p) => p.code)).toEqual(['trailing-bytes']);
    expect(decodeCcidMessage(fromHex('80 00 00 00 00 00 01 00 00 00'), { direction: 'out' }).problems.map((p) => p.code)).toEqual([
      'wrong-direction',
    ]);
  });

  it('empty input', () => {
    expect(decodeCcidMessage(new Uint8Array(0)).problems[0]!.code).toBe('empty');
  });
});

describe.skipIf(requireShared(...PINPAD_TXT))('every CCID message libccid logged (pinpad and labcard captures)', () => {
  it.each([
    ['pinpad', PINPAD_TXT, 36],
    ['labcard', LABCARD_TXT, 76],
  ] as const)('%s: all decode cleanly with the right direction', (_n, parts, count) => {
    const logged = loggedCcidMessages(readGroundTruth(parts));
    expect(logged.length).toBe(count);
    for (const { direction, bytes } of logged) {
      const m = decodeCcidMessage(bytes, { direction });
      expect(m.problems).toEqual([]);
      expect(m.pipe).toBe(direction === 'out' ? 'bulk-out' : 'bulk-in');
      expect(m.length).toBe(bytes.length);
      expect(m.dwLength).toBe(bytes.length - 10);
    }
  });

  it('pinpad: XfrBlock/DataBlock payloads are exactly the 5 SCardTransmit exchanges', () => {
    const text = readGroundTruth(PINPAD_TXT);
    const messages = loggedCcidMessages(text).map((l) => decodeCcidMessage(l.bytes, { direction: l.direction }));
    const commands = messages.filter((m) => m.name === 'PC_to_RDR_XfrBlock').map((m) => toHex(m.data!.bytes));
    const answers = messages
      .filter((m, i) => m.name === 'RDR_to_PC_DataBlock' && messages[i - 1]?.name === 'PC_to_RDR_XfrBlock')
      .map((m) => toHex(m.data!.bytes));
    const exchanges = apduExchanges(text);
    expect(commands).toEqual(exchanges.map((e) => toHex(e.command)));
    expect(answers).toEqual(exchanges.map((e) => toHex(e.response)));
  });

  it('pinpad: each answer has the expected type (or is a failed SlotStatus, as QEMU sends) and the same bSeq', () => {
    const messages = loggedCcidMessages(readGroundTruth(PINPAD_TXT)).map((l) => decodeCcidMessage(l.bytes));
    let failedAsSlotStatus = 0;
    for (let i = 0; i < messages.length; i += 2) {
      const [cmd, answer] = [messages[i]!, messages[i + 1]!];
      expect(answer.bSeq).toBe(cmd.bSeq);
      if (answer.name === cmd.expectedAnswer) continue;
      // QEMU answers the unsupported Escape and Secure commands with a failed SlotStatus.
      expect(answer.name).toBe('RDR_to_PC_SlotStatus');
      expect(answer.status!.commandStatus).toBe('failed');
      failedAsSlotStatus++;
    }
    expect(failedAsSlotStatus).toBe(2 + 8);
  });
});

describe('decodeCcidMessage: level-dependent fields and other Secure operations', () => {
  const xfr = fromHex('6F 02 00 00 00 00 01 00 01 00 00 20');
  const level = (m: ReturnType<typeof decodeCcidMessage>) => m.node.children!.find((n) => n.id === 'ccid.wLevelParameter')!.label;

  it('labels wLevelParameter by exchange level', () => {
    expect(level(decodeCcidMessage(xfr, { exchangeLevel: 'extended-apdu' }))).toBe(
      'wLevelParameter: 0x0001 (the command APDU begins with this command and continues in the next PC_to_RDR_XfrBlock)',
    );
    expect(level(decodeCcidMessage(xfr, { exchangeLevel: 'character' }))).toBe(
      'wLevelParameter: 1 (character level: size of the expected answer)',
    );
    expect(level(decodeCcidMessage(xfr, { tpduLevel: true }))).toBe('wLevelParameter: 0x0001 (RFU at TPDU level)');
  });

  it('Secure continuation, cancel and unknown operations', () => {
    const cont = decodeCcidMessage(fromHex('69 02 00 00 00 00 01 00 02 00 AA BB'));
    expect(cont.secure).toEqual({ operation: 'continuation', rest: { offset: 10, length: 2 } });
    const cancel = decodeCcidMessage(fromHex('69 01 00 00 00 00 01 00 00 00 04'));
    expect(cancel.secure).toEqual({ operation: 'cancel', bPINOperation: 4 });
    expect(cancel.summary).toBe('PC_to_RDR_Secure slot 0 seq 1, 1 byte: PIN cancel');
    const next = decodeCcidMessage(fromHex('69 03 00 00 00 00 01 00 00 00 06 01 02'));
    expect(next.secure).toEqual({ operation: 'send-next-apdu-part', bPINOperation: 6, rest: { offset: 11, length: 2 } });
    const rfu = decodeCcidMessage(fromHex('69 01 00 00 00 00 01 00 00 00 09'));
    expect(rfu.problems.map((p) => p.code)).toEqual(['unknown-pin-operation']);
    const cut = decodeCcidMessage(fromHex('69 05 00 00 00 00 01 00 00 00 00 00 82 08 00'));
    expect(cut.secure!.operation).toBe('verify');
    expect(cut.secure!.verify).toBeUndefined();
    expect(cut.problems.map((p) => p.code)).toEqual(['truncated']);
  });
});
