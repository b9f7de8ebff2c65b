/**
 * The CCID host driver against every in-process reader profile: activation, each exchange level,
 * T=1 chaining both ways, Escape, the class requests, card events, Secure on the keypad.
 */
import { describe, expect, it } from 'vitest';
import { CcidError } from '#core/ccid/host/ccid-error.js';
import { encodePinModifyStructure } from '#core/pcsc/pin-structures.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { ScriptedKeypad } from '#core/sim/reader/keypad.js';
import {
  EXTENDED_APDU_PROFILE,
  GEMPC_PINPAD_USB_PROFILE,
  QEMU_TPDU_T0_PROFILE,
  SHORT_APDU_PROFILE,
  TWO_SLOT_PROFILE,
} from '#core/sim/usb/usb-reader-profiles.js';
import { apdu, hexOf, rig, SELECT_OPENPGP } from '../../sim/usb/usb-rig.js';
import { openpgpPw1VerifyStructure } from '../../../../support/openpgp-pinpad.js';

const SELECT_LONG_FILE = apdu('00A4020C022F01');
const READ_600_EXTENDED = apdu('00B00000000258');
const expectedFile = (from: number, length: number) => hexOf(Uint8Array.from({ length }, (_, i) => (from + i) & 0xff));
const types = (messages: Uint8Array[]) => messages.map((m) => m[0]);

describe('GemPC pinpad profile: TPDU level, T=1 by the host', () => {
  it('activates at 1.8 V first, sends SetParameters from the ATR and negotiates IFSD 254', async () => {
    const { driver, sent } = rig(GEMPC_PINPAD_USB_PROFILE);
    const activation = await driver.powerOn(0);
    expect(activation).toMatchObject({ protocol: 'T=1', powerSelect: 3, parametersSet: true, ifsd: 254 });
    expect(hexOf(activation.atr)).toBe(hexOf(new VirtualSmartCard().atr));
    const messages = sent();
    expect(types(messages)).toEqual([0x62, 0x61, 0x6f]);
    // SetParameters T=1: Fi/Di 11, TCCKS 10 (LRC, direct), BWI 4 / CWI 5, IFSC FE.
    expect(hexOf(messages[1]!.subarray(10))).toBe('1110004500FE00');
    expect(hexOf(messages[2]!.subarray(10))).toBe('00C101FE3E'); // S(IFS request 254)
  });

  it('SELECT OpenPGP → 9000; a 600-byte READ BINARY comes back chained over 3 I-blocks', async () => {
    const { driver, sent } = rig(GEMPC_PINPAD_USB_PROFILE);
    await driver.powerOn(0);
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP)).slice(-4)).toBe('9000');
    expect(hexOf(await driver.transmit(0, SELECT_LONG_FILE))).toBe('9000');
    const before = sent().length;
    const response = await driver.transmit(0, READ_600_EXTENDED);
    expect(hexOf(response)).toBe(expectedFile(0, 600) + '9000');
    // 602 bytes with IFSD 254: three I-blocks, two R-block acknowledgements from us.
    expect(sent().length - before).toBe(3);
  });

  it('a 600-byte extended UPDATE BINARY goes out chained in IFSC-sized blocks and is read back', async () => {
    const { driver } = rig(GEMPC_PINPAD_USB_PROFILE);
    await driver.powerOn(0);
    await driver.transmit(0, SELECT_LONG_FILE);
    const data = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) & 0xff);
    const update = Uint8Array.of(0x00, 0xd6, 0x00, 0x00, 0x00, 0x02, 0x58, ...data);
    expect(hexOf(await driver.transmit(0, update))).toBe('9000');
    expect(hexOf(await driver.transmit(0, READ_600_EXTENDED))).toBe(hexOf(data) + '9000');
  });

  it('Escape reaches the reader (GemPC firmware string) and an unknown one is refused with its bError', async () => {
    const { driver } = rig(GEMPC_PINPAD_USB_PROFILE);
    expect(new TextDecoder().decode(await driver.escape(Uint8Array.of(0x02)))).toContain('GemPC Pinpad');
    const refused = await driver.escape(Uint8Array.of(0x99)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CcidError);
    expect(refused).toMatchObject({ code: 'command-failed', bError: 0x00 });
  });

  it('Secure verify and modify from PC/SC structures: the keypad PIN reaches the card through our T=1 N(S)', async () => {
    const keypad = new ScriptedKeypad(
      [
        { kind: 'digits', digits: '999999' },
        { kind: 'digits', digits: '123456' },
        { kind: 'digits', digits: '123456' },
        { kind: 'digits', digits: '654321' },
        { kind: 'digits', digits: '654321' },
        { kind: 'cancel' },
      ],
      { sleep: () => Promise.resolve() },
    );
    const { driver } = rig(GEMPC_PINPAD_USB_PROFILE, { keypad });
    await driver.powerOn(0);
    await driver.transmit(0, SELECT_OPENPGP);
    const verify = openpgpPw1VerifyStructure();
    expect(await driver.verifyPin(0, verify)).toMatchObject({ kind: 'wrong-pin', triesLeft: 2, sw: 0x63c2 });
    expect(await driver.verifyPin(0, verify)).toMatchObject({ kind: 'accepted', sw: 0x9000 });
    // The T=1 sequence numbers stayed in step: an ordinary APDU still works.
    expect(hexOf(await driver.transmit(0, apdu('00200081'))).slice(-4)).toBe('9000');
    const modify = encodePinModifyStructure({
      formatString: 0x82,
      pinBlockString: 0x00,
      pinLengthFormat: 0x00,
      insertionOffsetOld: 0,
      insertionOffsetNew: 0,
      minPinSize: 6,
      maxPinSize: 8,
      confirmPin: 0x03,
      numberMessage: 3,
      apdu: apdu('00240081'),
    });
    expect(await driver.modifyPin(0, modify)).toMatchObject({ kind: 'accepted', operation: 'modify' });
    expect(await driver.verifyPin(0, verify)).toMatchObject({ kind: 'cancelled', bError: 0xef });
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP)).slice(-4)).toBe('9000');
  });

  it('card removal and insertion arrive as live events from the interrupt pipe', async () => {
    const { driver, device, events } = rig(GEMPC_PINPAD_USB_PROFILE);
    await driver.powerOn(0);
    device.removeCard(0);
    expect(events).toContainEqual({ type: 'card-removed', slot: 0 });
    await expect(driver.transmit(0, SELECT_OPENPGP)).rejects.toMatchObject({ code: 'no-card' });
    device.insertCard(0, new VirtualSmartCard());
    expect(events).toContainEqual({ type: 'card-inserted', slot: 0 });
    await expect(driver.transmit(0, SELECT_OPENPGP)).rejects.toMatchObject({ code: 'card-inactive' });
    await driver.powerOn(0);
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP)).slice(-4)).toBe('9000');
    device.hardwareError(0, 0x01);
    expect(events.at(-1)).toMatchObject({ type: 'hardware-error', slot: 0, code: 1 });
  });

  it('an empty slot: slotStatus says absent and power-on fails with no-card', async () => {
    const { driver } = rig(GEMPC_PINPAD_USB_PROFILE, { cards: [undefined] });
    expect(await driver.slotStatus(0)).toBe('absent');
    await expect(driver.powerOn(0)).rejects.toMatchObject({ code: 'no-card' });
    await expect(driver.slotStatus(3)).rejects.toMatchObject({ code: 'bad-slot' });
  });
});

describe('QEMU profile: TPDU level, T=0, the host runs the case rules', () => {
  it('powers on with automatic voltage and no SetParameters (the reader configures itself)', async () => {
    const { driver, sent } = rig(QEMU_TPDU_T0_PROFILE, { cards: [new VirtualSmartCard({ protocol: 'T=0' })] });
    expect(await driver.powerOn(0)).toMatchObject({ protocol: 'T=0', powerSelect: 0, parametersSet: false });
    expect(types(sent())).toEqual([0x62]);
  });

  it('case 4 drops Le and follows 61xx with GET RESPONSE; case 2 with a wrong Le is repeated after 6Cxx', async () => {
    const { driver, sent } = rig(QEMU_TPDU_T0_PROFILE, { cards: [new VirtualSmartCard({ protocol: 'T=0' })] });
    await driver.powerOn(0);
    // SELECT 2F01 returning its FCI: case 4 → Lc data without Le, 61 13, GET RESPONSE 13.
    const select = await driver.transmit(0, apdu('00A40000022F0100'));
    expect(hexOf(select).slice(-4)).toBe('9000');
    expect(select.length).toBe(0x13 + 2);
    const tpdus = sent()
      .slice(1)
      .map((m) => hexOf(m.subarray(10)));
    expect(tpdus).toEqual(['00A40000022F01', '00C0000013']);
    // GET DATA 6E with Le 00: 6Cxx, the host repeats it with the exact Le.
    await driver.transmit(0, SELECT_OPENPGP);
    const getData = await driver.transmit(0, apdu('00CA006E00'));
    expect(hexOf(getData).slice(-4)).toBe('9000');
    expect(getData.length).toBe(0xe4 + 2);
    expect(
      sent()
        .slice(-2)
        .map((m) => hexOf(m.subarray(10))),
    ).toEqual(['00CA006E00', '00CA006EE4']);
    await driver.transmit(0, apdu('00A4000C023F00'));
    expect(hexOf(await driver.transmit(0, SELECT_LONG_FILE))).toBe('9000');
    const read = await driver.transmit(0, apdu('00B0000000'));
    expect(hexOf(read)).toBe(expectedFile(0, 256) + '9000');
    const longCommand = Uint8Array.of(0x00, 0xd6, 0x00, 0x00, 0x00, 0x01, 0x2c, ...new Uint8Array(300));
    await expect(driver.transmit(0, longCommand)).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('pass-through sends the APDU untouched and returns 61xx to the caller, as libccid does', async () => {
    const { driver, sent } = rig(QEMU_TPDU_T0_PROFILE, {
      cards: [new VirtualSmartCard({ protocol: 'T=0' })],
      driver: { t0Procedure: 'pass-through' },
    });
    await driver.powerOn(0);
    const answer = await driver.transmit(0, apdu('00A40000022F0100'));
    expect(hexOf(answer)).toBe('6113');
    expect(hexOf(sent().at(-1)!.subarray(10))).toBe('00A40000022F0100');
  });
});

describe('APDU level profiles', () => {
  it('short APDU level: one XfrBlock per APDU, 61xx left to the caller, extended APDUs refused', async () => {
    const { driver, sent } = rig(SHORT_APDU_PROFILE);
    await driver.powerOn(0);
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP)).slice(-4)).toBe('9000');
    expect(hexOf(sent().at(-1)!.subarray(10))).toBe(hexOf(SELECT_OPENPGP));
    await expect(driver.transmit(0, READ_600_EXTENDED)).rejects.toMatchObject({ code: 'unsupported' });
    expect(await driver.clockFrequencies()).toEqual([4000, 8000, 12000]);
    expect(await driver.dataRates()).toEqual([10753, 688172]);
  });

  it('extended APDU level: a 607-byte command is chained with wLevelParameter 1/3/2, the 602-byte answer with bChainParameter', async () => {
    const { driver, sent } = rig(EXTENDED_APDU_PROFILE);
    await driver.powerOn(0);
    await driver.transmit(0, SELECT_LONG_FILE);
    const data = Uint8Array.from({ length: 600 }, (_, i) => (255 - i) & 0xff);
    const before = sent().length;
    expect(hexOf(await driver.transmit(0, Uint8Array.of(0x00, 0xd6, 0x00, 0x00, 0x00, 0x02, 0x58, ...data)))).toBe('9000');
    const levels = sent()
      .slice(before)
      .map((m) => m[8]! | (m[9]! << 8));
    expect(levels).toEqual([0x01, 0x03, 0x02]); // 262 + 262 + 83 bytes
    const readFrom = sent().length;
    expect(hexOf(await driver.transmit(0, READ_600_EXTENDED))).toBe(hexOf(data) + '9000');
    expect(
      sent()
        .slice(readFrom)
        .map((m) => m[8]! | (m[9]! << 8)),
    ).toEqual([0x00, 0x10, 0x10]);
  });

  it('two slots: each slot has its own card, addressed by bSlot', async () => {
    const t0 = new VirtualSmartCard({ protocol: 'T=0' });
    const { driver, device, events } = rig(TWO_SLOT_PROFILE, { cards: [new VirtualSmartCard(), t0] });
    expect(driver.slotCount).toBe(2);
    expect((await driver.powerOn(0)).protocol).toBe('T=1');
    expect((await driver.powerOn(1)).protocol).toBe('T=0');
    expect(hexOf(await driver.transmit(1, apdu('00A40000022F0100')))).toBe('6113');
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP)).slice(-4)).toBe('9000');
    device.removeCard(1);
    expect(events).toContainEqual({ type: 'card-removed', slot: 1 });
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP)).slice(-4)).toBe('9000');
    await expect(driver.transmit(1, SELECT_OPENPGP)).rejects.toMatchObject({ code: 'no-card' });
  });
});
