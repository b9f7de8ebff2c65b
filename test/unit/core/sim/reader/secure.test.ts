/**
 * PC_to_RDR_Secure on the virtual pinpad: the golden inputs are the 8 Secure messages libccid
 * put on the wire in ../shared/captures/usbmon-qemu-pinpad (a QEMU reader refused them all);
 * here each one reaches the card with the typed PIN where the structure says it goes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import { encodeIccPowerOn, encodeSecure, encodeXfrBlock } from '#core/ccid/encode-message.js';
import { encodeSecureModifyData, encodeSecureVerifyData } from '#core/ccid/secure.js';
import { decodeT1Block, encodeT1Block } from '#core/iso7816/t1.js';
import { encodeFormatString } from '#core/pcsc/pin-format.js';
import { ScriptedKeypad, type Keypad, type KeypadResult, type KeypadScriptStep, type PinEntryPrompt } from '#core/sim/reader/keypad.js';
import { VirtualCcidReader, type ReaderActivity } from '#core/sim/reader/virtual-ccid-reader.js';
import { requireShared, sharedPath } from '../../../../shared-path.js';
import { TestCard } from './test-card.js';

const hex = (bytes: Uint8Array) => toHex(bytes, ' ').toUpperCase();
const CAPTURE = ['captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.txt'];

function pinpad(card: TestCard, steps: KeypadScriptStep[]) {
  const sleeps: number[] = [];
  const prompts: PinEntryPrompt[] = [];
  const activity: ReaderActivity[] = [];
  const scripted = new ScriptedKeypad(steps, { sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
  const keypad: Keypad = { enterPin: (p) => (prompts.push(p), scripted.enterPin(p)) };
  const reader = new VirtualCcidReader({ keypad, card, onActivity: (a) => activity.push(a) });
  return { reader, sleeps, prompts, activity, scripted };
}

async function poweredPinpad(card: TestCard, steps: KeypadScriptStep[]) {
  const p = pinpad(card, steps);
  await p.reader.handle(encodeIccPowerOn({ slot: 0, seq: 0 }));
  return p;
}

function answerOf(bytes: Uint8Array) {
  return decodeCcidMessage(bytes, { direction: 'in' });
}

const pin = (digits: string): KeypadResult => ({ kind: 'digits', digits });

function verifyMessage(seq: number, overrides: Partial<Parameters<typeof encodeSecureVerifyData>[0]> = {}) {
  return encodeSecure({
    slot: 0,
    seq,
    data: encodeSecureVerifyData({
      formatString: 0x82,
      pinBlockString: 0x08,
      pinLengthFormat: 0x00,
      minPinSize: 4,
      maxPinSize: 8,
      apdu: fromHex('0020008108FFFFFFFFFFFFFFFF'),
      ...overrides,
    }),
  });
}

const skipShared = requireShared(...CAPTURE);

describe.skipIf(skipShared)('Secure: the PIN structures libccid sent (pinpad-labcard capture)', () => {
  const text = skipShared ? '' : readFileSync(sharedPath(...CAPTURE), 'utf8');
  const messages = [...text.matchAll(/^Secure #(\d+):.*\n(?:.*libccid:.*\n)?\s+-> ([0-9A-F ]+)$/gm)].map((m) => ({
    index: Number(m[1]),
    bytes: fromHex(m[2]!.replace(/ /g, '')),
  }));

  it('finds the 8 Secure messages', () => {
    expect(messages.map((m) => m.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  const tail = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => (from + i).toString(16).toUpperCase().padStart(2, '0')).join(' ');
  // The APDU the card must receive once "123456" is typed (modify: current 123456, new 654321 twice).
  const expected: Record<number, string> = {
    1: '00 20 00 81 08 31 32 33 34 35 36 FF FF', // ASCII, left, 8-byte block
    2: '00 20 00 80 08 26 12 34 56 FF FF FF FF', // ISO 9564 format 2: 2L, BCD from byte 1, length nibble
    3: '00 20 00 82 08 06 01 02 03 04 05 06 FF', // binary from byte 1, 8-bit length at byte 0
    4: '00 20 00 81 08 FF FF 31 32 33 34 35 36', // ASCII right-justified
    5: `00 20 00 81 22 31 32 33 34 35 36 FF FF ${tail(0xa0, 0xb9)}`,
    6: `00 20 00 81 4B 31 32 33 34 35 36 FF FF ${tail(0x10, 0x52)}`,
    7: '00 20 00 81 06 31 32 33 34 35 36', // no PIN block: Lc + digits appended
    8: '00 24 00 81 10 31 32 33 34 35 36 FF FF 36 35 34 33 32 31 FF FF', // old at offset 0, new at offset 8
  };

  for (const index of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`Secure #${index}: the card receives the PIN where the structure puts it`, async () => {
      const card = new TestCard('T=0');
      const steps = index === 8 ? [pin('123456'), pin('654321'), pin('654321')] : [pin('123456')];
      const { reader, prompts, activity } = await poweredPinpad(card, steps);
      const message = messages.find((m) => m.index === index)!.bytes;
      const answer = answerOf(await reader.handle(message));
      expect(answer).toMatchObject({ name: 'RDR_to_PC_DataBlock', status: { commandStatus: 'ok' } });
      expect(hex(card.lastApdu!)).toBe(expected[index]);
      // The test card accepts ASCII 123456 in an 8-byte block only; a fresh card has 3 tries.
      expect(hex(answer.data!.bytes)).toBe(index === 1 || index === 8 ? '90 00' : '63 C2');
      expect(prompts.map((p) => p.step)).toEqual(index === 8 ? ['current-pin', 'new-pin', 'confirm-new-pin'] : ['pin']);
      expect(JSON.stringify(activity)).not.toMatch(/123456|654321/);
    });
  }
});

describe('Secure: keypad outcomes', () => {
  it('cancel → DataBlock failed with bError PIN_CANCELLED (0xEF), nothing sent to the card', async () => {
    const card = new TestCard('T=0');
    const { reader } = await poweredPinpad(card, [{ kind: 'cancel' }]);
    const answer = await reader.handle(verifyMessage(1));
    expect(hex(answer)).toBe('80 00 00 00 00 00 01 40 EF 00');
    expect(answerOf(answer).status?.errorName).toBe('PIN_CANCELLED');
    expect(card.received.length).toBe(0);
  });

  it('timeout → bError PIN_TIMEOUT (0xF0)', async () => {
    const card = new TestCard('T=0');
    const { reader } = await poweredPinpad(card, [{ kind: 'timeout' }]);
    const answer = answerOf(await reader.handle(verifyMessage(2)));
    expect(answer.status).toMatchObject({ bStatus: 0x40, bError: 0xf0, errorName: 'PIN_TIMEOUT' });
    expect(card.received.length).toBe(0);
  });

  it('an exhausted script answers timeout', async () => {
    const { reader } = await poweredPinpad(new TestCard('T=0'), []);
    expect(answerOf(await reader.handle(verifyMessage(2))).status?.bError).toBe(0xf0);
  });

  it('delay N waits through the injected sleep, then types the next PIN', async () => {
    const card = new TestCard('T=0');
    const { reader, sleeps } = await poweredPinpad(card, [{ kind: 'delay', milliseconds: 1500 }, pin('123456')]);
    const answer = answerOf(await reader.handle(verifyMessage(3)));
    expect(sleeps).toEqual([1500]);
    expect(hex(answer.data!.bytes)).toBe('90 00');
  });

  it('a wrong PIN reaches the card, which answers 63Cx with its retry counter', async () => {
    const card = new TestCard('T=0');
    const { reader } = await poweredPinpad(card, [pin('1111'), pin('2222'), pin('123456')]);
    expect(hex(answerOf(await reader.handle(verifyMessage(4))).data!.bytes)).toBe('63 C2');
    expect(hex(answerOf(await reader.handle(verifyMessage(5))).data!.bytes)).toBe('63 C1');
    expect(hex(answerOf(await reader.handle(verifyMessage(6))).data!.bytes)).toBe('90 00');
  });

  it('a PIN shorter than wPINMaxExtraDigit allows gets 64 03 from the reader, not the card', async () => {
    const card = new TestCard('T=0');
    const { reader, activity } = await poweredPinpad(card, [pin('12')]);
    expect(hex(answerOf(await reader.handle(verifyMessage(7))).data!.bytes)).toBe('64 03');
    expect(card.received.length).toBe(0);
    expect(activity).toContainEqual({ type: 'pin-entry', operation: 'verify', outcome: 'wrong-length' });
  });

  it('modify with a confirmation that differs gets 64 02; without "current PIN" only the new PIN is asked', async () => {
    const card = new TestCard('T=0');
    const { reader, prompts } = await poweredPinpad(card, [pin('1234'), pin('5678'), pin('5679'), pin('87654321')]);
    const modify = (seq: number, confirmPin: number) =>
      encodeSecure({
        slot: 0,
        seq,
        data: encodeSecureModifyData({
          formatString: 0x82,
          pinBlockString: 0x08,
          pinLengthFormat: 0x00,
          insertionOffsetOld: 0,
          insertionOffsetNew: 8,
          minPinSize: 4,
          maxPinSize: 8,
          confirmPin,
          apdu: fromHex('0024008110' + 'FF'.repeat(16)),
        }),
      });
    expect(hex(answerOf(await reader.handle(modify(1, 0x03))).data!.bytes)).toBe('64 02');
    expect(card.received.length).toBe(0);
    expect(hex(answerOf(await reader.handle(modify(2, 0x00))).data!.bytes)).toBe('90 00');
    expect(hex(card.lastApdu!)).toBe('00 24 00 81 10 FF FF FF FF FF FF FF FF 38 37 36 35 34 33 32 31');
    expect(prompts.map((p) => p.step)).toEqual(['current-pin', 'new-pin', 'confirm-new-pin', 'new-pin']);
    expect(prompts[0]).toMatchObject({ operation: 'modify', minDigits: 4, maxDigits: 8 });
  });

  it('answers CMD_SLOT_BUSY to a command that arrives while the keypad is in use', async () => {
    let release: (r: KeypadResult) => void = () => undefined;
    const keypad: Keypad = { enterPin: () => new Promise((resolve) => (release = resolve)) };
    const reader = new VirtualCcidReader({ keypad, card: new TestCard('T=0') });
    await reader.handle(encodeIccPowerOn({ slot: 0, seq: 0 }));
    const pending = reader.handle(verifyMessage(1));
    const meanwhile = answerOf(await reader.handle(encodeXfrBlock({ slot: 0, seq: 2, data: fromHex('00A4040000') })));
    expect(meanwhile.status).toMatchObject({ commandStatus: 'failed', errorName: 'CMD_SLOT_BUSY' });
    release(pin('123456'));
    expect(hex(answerOf(await pending).data!.bytes)).toBe('90 00');
  });

  it('refuses Secure without a powered card (ICC_MUTE) and a truncated structure (bError 0x0A)', async () => {
    const { reader } = pinpad(new TestCard('T=0'), [pin('123456')]);
    expect(answerOf(await reader.handle(verifyMessage(1))).status?.errorName).toBe('ICC_MUTE');
    await reader.handle(encodeIccPowerOn({ slot: 0, seq: 2 }));
    const truncated = encodeSecure({ slot: 0, seq: 3, data: fromHex('00000082') });
    expect(answerOf(await reader.handle(truncated)).status).toMatchObject({ commandStatus: 'failed', bError: 0x0a });
  });
});

describe('Secure: PIN formats', () => {
  async function apduFor(overrides: Partial<Parameters<typeof encodeSecureVerifyData>[0]>, digits: string) {
    const card = new TestCard('T=0');
    const { reader } = await poweredPinpad(card, [pin(digits)]);
    await reader.handle(verifyMessage(1, overrides));
    return hex(card.lastApdu!);
  }

  it('positions counted in bits give the same format 2 block as positions counted in bytes', async () => {
    const template = { pinBlockString: 0x47, pinLengthFormat: 0x04, maxPinSize: 12, apdu: fromHex('0020008008' + '20' + 'FF'.repeat(7)) };
    const bytes = await apduFor({ ...template, formatString: 0x89 }, '12345');
    const bits = await apduFor(
      { ...template, formatString: encodeFormatString({ unitsBytes: false, pinPosition: 8, rightJustify: false, coding: 'bcd' }) },
      '12345',
    );
    expect(bytes).toBe('00 20 00 80 08 25 12 34 5F FF FF FF FF');
    expect(bits).toBe(bytes);
  });

  it('BCD right-justified fills from the end of the block, keeping the filler nibble', async () => {
    const apdu = await apduFor({ formatString: 0x85, pinBlockString: 0x04, apdu: fromHex('0020008004FFFFFFFF') }, '12345');
    expect(apdu).toBe('00 20 00 80 04 FF F1 23 45');
  });

  it('binary with a 4-bit length in the high nibble of byte 0 (length position 0 bits)', async () => {
    const apdu = await apduFor(
      { formatString: 0x88, pinBlockString: 0x48, pinLengthFormat: 0x00, apdu: fromHex('0020008008' + '0F' + 'FF'.repeat(7)) },
      '4321',
    );
    expect(apdu).toBe('00 20 00 80 08 4F 04 03 02 01 FF FF FF');
  });

  it('refuses a PIN that does not fit the block (bError 0x0A) and sends nothing', async () => {
    const card = new TestCard('T=0');
    const { reader } = await poweredPinpad(card, [pin('123456')]);
    const answer = answerOf(await reader.handle(verifyMessage(1, { pinBlockString: 0x04, apdu: fromHex('0020008104FFFFFFFF') })));
    expect(answer.status).toMatchObject({ commandStatus: 'failed', bError: 0x0a });
    expect(card.received.length).toBe(0);
  });
});

describe('Secure with a T=1 card (TPDU reader)', () => {
  it('builds the I-block from bTeoPrologue, returns a whole I-block, and toggles N(S) only when it answered one', async () => {
    const card = new TestCard('T=1');
    const { reader } = await poweredPinpad(card, [pin('123456'), { kind: 'cancel' }, pin('123456')]);
    const xfr = async (seq: number, block: Uint8Array) =>
      decodeT1Block(answerOf(await reader.handle(encodeXfrBlock({ slot: 0, seq, data: block }))).data!.bytes);
    await xfr(1, fromHex('00C101FE3E'));
    expect(await xfr(2, encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00A4040006D27600012401') }))).toMatchObject({ ns: 0 });
    // libccid: prologue NAD 00, PCB 40 (N(S) 1), LEN of its template.
    const secure = verifyMessage(3, { teoPrologue: [0x00, 0x40, 0x0d] });
    const answer = answerOf(await reader.handle(secure));
    const block = decodeT1Block(answer.data!.bytes);
    expect(block).toMatchObject({ kind: 'I', ns: 1, edcValid: true });
    expect(hex(block.inf)).toBe('90 00');
    expect(hex(card.lastApdu!)).toBe('00 20 00 81 08 31 32 33 34 35 36 FF FF');
    // Cancelled: libccid rolls its N(S) back, so the next Secure carries N(S) 0 again.
    const cancelled = answerOf(await reader.handle(verifyMessage(4, { teoPrologue: [0x00, 0x00, 0x0d] })));
    expect(cancelled.status?.bError).toBe(0xef);
    const again = decodeT1Block(answerOf(await reader.handle(verifyMessage(5, { teoPrologue: [0x00, 0x00, 0x0d] }))).data!.bytes);
    expect(again).toMatchObject({ kind: 'I', ns: 0 });
    expect(hex(again.inf)).toBe('90 00');
    expect(await xfr(6, encodeT1Block({ kind: 'I', ns: 1, inf: fromHex('00200081') }))).toMatchObject({ kind: 'I', ns: 1 });
  });
});
