import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { decodeClassDescriptor } from '#core/ccid/class-descriptor.js';
import { decodeCcidMessage } from '#core/ccid/decode-message.js';
import {
  encodeAbort,
  encodeEscape,
  encodeGetParameters,
  encodeGetSlotStatus,
  encodeIccPowerOff,
  encodeIccPowerOn,
  encodeMechanical,
  encodeResetParameters,
  encodeSetParameters,
  encodeXfrBlock,
} from '#core/ccid/encode-message.js';
import { decodeT1Block, encodeT1Block } from '#core/iso7816/t1.js';
import { ScriptedKeypad } from '#core/sim/reader/keypad.js';
import { VirtualCcidReader, type ReaderActivity } from '#core/sim/reader/virtual-ccid-reader.js';
import { TestCard, testAtr } from './test-card.js';

const hex = (bytes: Uint8Array) => toHex(bytes, ' ').toUpperCase();
const a = (seq: number) => ({ slot: 0, seq });

function reader(card?: TestCard) {
  const activity: ReaderActivity[] = [];
  const keypad = new ScriptedKeypad([], { sleep: () => Promise.resolve() });
  const r = new VirtualCcidReader({ keypad, ...(card ? { card } : {}), onActivity: (x) => activity.push(x) });
  return { reader: r, activity };
}

async function ask(r: VirtualCcidReader, message: Uint8Array) {
  const answer = await r.handle(message);
  const decoded = decodeCcidMessage(answer, { direction: 'in', tpduLevel: true });
  expect(decoded.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return { bytes: answer, msg: decoded };
}

describe('VirtualCcidReader: profile', () => {
  it('presents the GemPC Pinpad class descriptor: TPDU level, 271-byte messages, PIN verify+modify, one slot', () => {
    const { reader: r } = reader();
    const { descriptor } = decodeClassDescriptor(r.classDescriptor);
    expect(descriptor).toMatchObject({
      dwFeatures: 0x00010230,
      dwMaxCCIDMessageLength: 271,
      bPINSupport: 0x03,
      bMaxSlotIndex: 0,
      dwMaxIFSD: 254,
      pinSupport: { verify: true, modify: true },
    });
    expect(descriptor!.features.exchangeLevel).toBe('tpdu');
  });
});

describe('VirtualCcidReader: slot and power', () => {
  it('reports absent, present-inactive and present-active in GetSlotStatus and follows insert/remove', async () => {
    const { reader: r } = reader();
    expect((await ask(r, encodeGetSlotStatus(a(1)))).msg.status).toMatchObject({ iccStatus: 'absent', commandStatus: 'ok' });
    r.insertCard(new TestCard('T=0'));
    expect(hex(r.takeSlotChange()!)).toBe('50 03');
    expect(r.takeSlotChange()).toBeUndefined();
    expect((await ask(r, encodeGetSlotStatus(a(2)))).msg.status?.iccStatus).toBe('present-inactive');
    await ask(r, encodeIccPowerOn(a(3)));
    expect((await ask(r, encodeGetSlotStatus(a(4)))).msg.status?.iccStatus).toBe('present-active');
    r.removeCard();
    expect(hex(r.takeSlotChange()!)).toBe('50 02');
    expect((await ask(r, encodeGetSlotStatus(a(5)))).msg.status?.iccStatus).toBe('absent');
  });

  it('answers IccPowerOn with the ATR in a DataBlock echoing bSeq, and IccPowerOff with SlotStatus', async () => {
    const card = new TestCard('T=1');
    const { reader: r, activity } = reader(card);
    const on = await ask(r, encodeIccPowerOn({ slot: 0, seq: 0x42, powerSelect: 1 }));
    expect(on.msg).toMatchObject({ name: 'RDR_to_PC_DataBlock', bSeq: 0x42, status: { commandStatus: 'ok', iccStatus: 'present-active' } });
    expect(hex(on.msg.data!.bytes)).toBe(hex(testAtr('T=1')));
    const off = await ask(r, encodeIccPowerOff(a(0x43)));
    expect(off.msg).toMatchObject({ name: 'RDR_to_PC_SlotStatus', bSeq: 0x43, status: { iccStatus: 'present-inactive' } });
    expect(activity.map((x) => x.type)).toEqual(['power-on', 'power-off']);
  });

  it('fails IccPowerOn without a card: ICC_MUTE with "absent"', async () => {
    const { reader: r } = reader();
    const on = await ask(r, encodeIccPowerOn(a(1)));
    expect(on.msg.status).toMatchObject({ commandStatus: 'failed', iccStatus: 'absent', errorName: 'ICC_MUTE' });
  });

  it('refuses a message for slot 1 (bError 5), a wrong dwLength (bError 1) and a message shorter than a header', async () => {
    const { reader: r } = reader(new TestCard('T=0'));
    expect((await ask(r, encodeGetSlotStatus({ slot: 1, seq: 1 }))).msg.status).toMatchObject({ commandStatus: 'failed', bError: 5 });
    const lying = encodeXfrBlock({ ...a(2), data: fromHex('00A40400') });
    const cut = lying.subarray(0, lying.length - 1);
    const answer = await ask(r, cut);
    expect(answer.msg).toMatchObject({ name: 'RDR_to_PC_DataBlock', status: { commandStatus: 'failed', bError: 1 } });
    expect((await ask(r, fromHex('6500'))).msg.status?.bError).toBe(1);
  });

  it('answers Abort and refuses Mechanical (command not supported)', async () => {
    const { reader: r } = reader(new TestCard('T=0'));
    expect((await ask(r, encodeAbort(a(1)))).msg.status?.commandStatus).toBe('ok');
    expect((await ask(r, encodeMechanical({ ...a(2), fn: 1 }))).msg.status).toMatchObject({ commandStatus: 'failed', bError: 0 });
  });
});

describe('VirtualCcidReader: parameters', () => {
  it('T=1: GetParameters after power-on reflects the ATR (IFSC FE, BWI/CWI 45); SetParameters as libccid sends it is kept', async () => {
    const { reader: r } = reader(new TestCard('T=1'));
    await ask(r, encodeIccPowerOn(a(1)));
    const get = await ask(r, encodeGetParameters(a(2)));
    expect(get.msg.name).toBe('RDR_to_PC_Parameters');
    expect(get.msg.fields.bProtocolNum).toBe(1);
    expect(hex(get.msg.data!.bytes)).toBe('11 10 00 45 00 FE 00');
    const set = await ask(r, encodeSetParameters({ ...a(3), protocolNum: 1, protocolData: fromHex('11100045 00FE00'.replace(' ', '')) }));
    expect(set.msg.status?.commandStatus).toBe('ok');
    expect(hex(set.msg.data!.bytes)).toBe('11 10 00 45 00 FE 00');
    const changed = await ask(
      r,
      encodeSetParameters({ ...a(4), protocolNum: 1, protocolData: fromHex('1110005500 2000'.replace(' ', '')) }),
    );
    expect(hex(changed.msg.data!.bytes)).toBe('11 10 00 55 00 20 00');
    const reset = await ask(r, encodeResetParameters(a(5)));
    expect(hex(reset.msg.data!.bytes)).toBe('11 10 00 45 00 FE 00');
  });

  it('T=0: SetParameters 11 00 00 0A 00 → Parameters; asking for T=1 on a T=0 card fails on bProtocolNum (bError 7)', async () => {
    const { reader: r } = reader(new TestCard('T=0'));
    await ask(r, encodeIccPowerOn(a(1)));
    const set = await ask(r, encodeSetParameters({ ...a(2), protocolNum: 0, protocolData: fromHex('1100000A00') }));
    expect(set.msg).toMatchObject({ name: 'RDR_to_PC_Parameters', status: { commandStatus: 'ok' } });
    expect(hex(set.msg.data!.bytes)).toBe('11 00 00 0A 00');
    const wrong = await ask(r, encodeSetParameters({ ...a(3), protocolNum: 1, protocolData: fromHex('11100045 00FE00'.replace(' ', '')) }));
    expect(wrong.msg.status).toMatchObject({ commandStatus: 'failed', bError: 7 });
    const short = await ask(r, encodeSetParameters({ ...a(4), protocolNum: 0, protocolData: fromHex('1100') }));
    expect(short.msg.status).toMatchObject({ commandStatus: 'failed', bError: 0x0a });
  });
});

describe('VirtualCcidReader: XfrBlock at TPDU level', () => {
  it('T=0: the payload is the command TPDU and the answer the card data + SW', async () => {
    const card = new TestCard('T=0');
    const { reader: r, activity } = reader(card);
    await ask(r, encodeIccPowerOn(a(1)));
    const x = await ask(r, encodeXfrBlock({ ...a(2), data: fromHex('00A4040C09F04C414243415244 01'.replace(' ', '')) }));
    expect(hex(x.msg.data!.bytes)).toBe('90 00');
    const v = await ask(r, encodeXfrBlock({ ...a(3), data: fromHex('00200081') }));
    expect(hex(v.msg.data!.bytes)).toBe('63 C3');
    expect(activity.filter((e) => e.type === 'apdu')).toEqual([
      { type: 'apdu', cla: 0, ins: 0xa4, sw: 0x9000, via: 'xfr-block' },
      { type: 'apdu', cla: 0, ins: 0x20, sw: 0x63c3, via: 'xfr-block' },
    ]);
  });

  it('T=1: speaks blocks for the card (IFS, I-block answer with LRC)', async () => {
    const { reader: r } = reader(new TestCard('T=1'));
    await ask(r, encodeIccPowerOn(a(1)));
    const ifs = await ask(r, encodeXfrBlock({ ...a(2), data: fromHex('00C101FE3E') }));
    expect(hex(ifs.msg.data!.bytes)).toBe('00 E1 01 FE 1E');
    const sel = await ask(
      r,
      encodeXfrBlock({ ...a(3), data: encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00A4040006D27600012401') }) }),
    );
    expect(hex(sel.msg.data!.bytes)).toBe(hex(encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('9000') })));
  });

  it('refuses XfrBlock while the card is not powered (ICC_MUTE, present-inactive)', async () => {
    const { reader: r } = reader(new TestCard('T=1'));
    const x = await ask(r, encodeXfrBlock({ ...a(1), data: fromHex('00C101FE3E') }));
    expect(x.msg.status).toMatchObject({ commandStatus: 'failed', iccStatus: 'present-inactive', errorName: 'ICC_MUTE' });
  });

  it('a power cycle restarts the T=1 sequence numbers', async () => {
    const { reader: r } = reader(new TestCard('T=1'));
    await ask(r, encodeIccPowerOn(a(1)));
    await ask(r, encodeXfrBlock({ ...a(2), data: encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00A4040000') }) }));
    await ask(r, encodeIccPowerOn(a(3)));
    const again = await ask(r, encodeXfrBlock({ ...a(4), data: encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00A4040000') }) }));
    expect(decodeT1Block(again.msg.data!.bytes)).toMatchObject({ kind: 'I', ns: 0 });
  });
});

describe('VirtualCcidReader: GemPC escape commands', () => {
  it('answers the firmware query (02) with printable ASCII under 50 bytes', async () => {
    const { reader: r } = reader();
    const e = await ask(r, encodeEscape({ ...a(1), data: fromHex('02') }));
    expect(e.msg).toMatchObject({ name: 'RDR_to_PC_Escape', status: { commandStatus: 'ok' } });
    const text = String.fromCharCode(...e.msg.data!.bytes);
    expect(text).toMatch(/^GemPC Pinpad [ -~]+$/);
    expect(text.length).toBeLessThan(50);
  });

  it('accepts 01 01 01 and the localized prompts (B2 A0 00 4D 4C + 160 bytes)', async () => {
    const { reader: r } = reader();
    expect((await ask(r, encodeEscape({ ...a(1), data: fromHex('010101') }))).msg.status?.commandStatus).toBe('ok');
    const prompts = Uint8Array.from([0xb2, 0xa0, 0x00, 0x4d, 0x4c, ...new Uint8Array(160).fill(0x20)]);
    const p = await ask(r, encodeEscape({ ...a(2), data: prompts }));
    expect(p.msg.status?.commandStatus).toBe('ok');
    expect(p.msg.dwLength).toBe(0);
  });

  it('answers 6A with the 21-byte firmware features record: verify+modify direct, bNumberMessageFix, PIN 4..12', async () => {
    const { reader: r } = reader();
    const f = await ask(r, encodeEscape({ ...a(1), data: fromHex('6A') }));
    const d = f.msg.data!.bytes;
    expect(d.length).toBe(21);
    expect(d[4]! & 0x60).toBe(0x60);
    expect(d[8]! & 0x04).toBe(0x04);
    expect([d[13], d[14]]).toEqual([4, 12]);
  });

  it('refuses an unknown escape with command-not-supported', async () => {
    const { reader: r } = reader();
    const e = await ask(r, encodeEscape({ ...a(1), data: fromHex('FF00') }));
    expect(e.msg.status).toMatchObject({ commandStatus: 'failed', bError: 0 });
  });
});

describe('VirtualCcidReader: hostile input', () => {
  it('answers 2,000 random messages (valid headers, random types and bodies) without throwing', async () => {
    let seed = 0x1234567;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const types = [0x62, 0x63, 0x65, 0x6f, 0x6c, 0x6d, 0x61, 0x6b, 0x6e, 0x6a, 0x69, 0x71, 0x72, 0x73, 0x00, 0xff];
    const { reader: r } = reader(new TestCard('T=1'));
    for (let i = 0; i < 2000; i++) {
      const body = Uint8Array.from({ length: random() % 40 }, random);
      const message = new Uint8Array(10 + body.length);
      message[0] = types[random() % types.length]!;
      new DataView(message.buffer).setUint32(1, random() % 8 === 0 ? random() : body.length, true);
      message[6] = i & 0xff;
      message.set(body, 10);
      const answer = await r.handle(message);
      expect(answer.length).toBeGreaterThanOrEqual(10);
      expect(answer[6]).toBe(i & 0xff);
    }
  });
});
