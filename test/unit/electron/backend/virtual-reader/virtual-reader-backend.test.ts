/** The built-in "Cardbench Virtual Pinpad" through the whole stack: backend → CCID driver → in-process USB → reader model → card. */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { decodeClassDescriptor } from '#core/ccid/class-descriptor.js';
import { CM_IOCTL_GET_FEATURE_REQUEST_LINUX } from '#core/pcsc/control-codes.js';
import { decodeFeatureList } from '#core/pcsc/features.js';
import { ScriptedKeypad } from '#core/sim/reader/keypad.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { CallStoppedError } from '../../../../../electron/backend/abortable.js';
import { MODIFY_PIN_DIRECT_CODE, VERIFY_PIN_DIRECT_CODE } from '../../../../../electron/backend/ccid-usb/ccid-driver-reader.js';
import {
  createVirtualReaderBackend,
  VIRTUAL_READER_NAME,
  type VirtualReaderBackend,
} from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { openpgpPw1VerifyStructure } from '../../../../support/openpgp-pinpad.js';

const hex = (bytes: Uint8Array) => toHex(bytes).toUpperCase();
const bytes = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
let backend: VirtualReaderBackend | undefined;

afterEach(async () => {
  await backend?.dispose();
  backend = undefined;
});

describe('createVirtualReaderBackend', () => {
  it('lists one reader, kind virtual, with the card powered and its ATR', async () => {
    backend = createVirtualReaderBackend();
    await backend.settled();
    expect(backend.kind).toBe('virtual');
    expect(backend.status()).toEqual({ available: true });
    expect(backend.readers()).toEqual([{ name: VIRTUAL_READER_NAME, cardPresent: true, atr: hex(new VirtualSmartCard().atr) }]);
  });

  it('SELECT OpenPGP → 9000, VERIFY with the default PW1, and a 600-byte READ BINARY', async () => {
    backend = createVirtualReaderBackend();
    const select = await backend.transmit(VIRTUAL_READER_NAME, bytes('00A4040006D27600012401'));
    expect(hex(select.response)).toBe('9000');
    expect(select.protocol).toBe('T=1');
    expect(select.ms).toBeGreaterThanOrEqual(0);
    expect(hex((await backend.transmit(VIRTUAL_READER_NAME, bytes('0020008106313233343536'))).response)).toBe('9000');
    await backend.transmit(VIRTUAL_READER_NAME, bytes('00A4020C022F01'));
    const read = await backend.transmit(VIRTUAL_READER_NAME, bytes('00B00000000258'));
    expect(read.response.length).toBe(602);
    expect(hex(read.response.subarray(598))).toBe('56579000');
  });

  it('answers GET_FEATURE_REQUEST like a pinpad and runs VERIFY_PIN_DIRECT on the scripted keypad', async () => {
    const keypad = new ScriptedKeypad([{ kind: 'digits', digits: '123456' }, { kind: 'cancel' }], { sleep: () => Promise.resolve() });
    backend = createVirtualReaderBackend({ keypad });
    const features = decodeFeatureList(await backend.control!(VIRTUAL_READER_NAME, CM_IOCTL_GET_FEATURE_REQUEST_LINUX, new Uint8Array(0)));
    expect(features.features.map((f) => [f.name, f.controlCode])).toEqual([
      ['VERIFY_PIN_DIRECT', VERIFY_PIN_DIRECT_CODE],
      ['MODIFY_PIN_DIRECT', MODIFY_PIN_DIRECT_CODE],
    ]);
    await backend.transmit(VIRTUAL_READER_NAME, bytes('00A4040006D27600012401'));
    const verify = openpgpPw1VerifyStructure();
    expect(hex(await backend.control!(VIRTUAL_READER_NAME, VERIFY_PIN_DIRECT_CODE, verify))).toBe('9000');
    expect(hex(await backend.control!(VIRTUAL_READER_NAME, VERIFY_PIN_DIRECT_CODE, verify))).toBe('6401');
    await expect(backend.control!(VIRTUAL_READER_NAME, 0x42000001, new Uint8Array(0))).rejects.toMatchObject({ code: 'operation-failed' });
  });

  it('ccidDescriptor() is the 54-byte GemPC-like descriptor with bPINSupport 3 at TPDU level', () => {
    backend = createVirtualReaderBackend();
    const raw = backend.ccidDescriptor!(VIRTUAL_READER_NAME)!;
    expect(raw.length).toBe(54);
    const d = decodeClassDescriptor(raw).descriptor!;
    expect(d).toMatchObject({ bPINSupport: 3, dwFeatures: 0x00010230, dwMaxIFSD: 254 });
    expect(d.features.exchangeLevel).toBe('tpdu');
    expect(backend.ccidDescriptor!('other')).toBeUndefined();
  });

  it('follows card removal and insertion (onChange) and reconnects after disconnect(unpower)', async () => {
    backend = createVirtualReaderBackend();
    await backend.settled();
    let changes = 0;
    backend.onChange(() => changes++);
    backend.device.removeCard(0);
    expect(backend.readers()[0]).toMatchObject({ cardPresent: false, atr: null });
    await expect(backend.transmit(VIRTUAL_READER_NAME, bytes('00A4040006D27600012401'))).rejects.toMatchObject({
      code: 'operation-failed',
    });
    backend.device.insertCard(0, new VirtualSmartCard());
    expect(hex((await backend.transmit(VIRTUAL_READER_NAME, bytes('00A4040006D27600012401'))).response)).toBe('9000');
    await backend.disconnect(VIRTUAL_READER_NAME, 'unpower');
    expect(backend.driver.activation(0)).toBeUndefined();
    expect(hex((await backend.transmit(VIRTUAL_READER_NAME, bytes('00A4040006D27600012401'))).response)).toBe('9000');
    expect(changes).toBeGreaterThanOrEqual(3);
  });

  it('an unknown reader name and a disposed backend say so', async () => {
    backend = createVirtualReaderBackend({ card: null });
    await backend.settled();
    expect(backend.readers()[0]).toMatchObject({ cardPresent: false });
    await expect(backend.transmit('nope', bytes('00A40400'))).rejects.toMatchObject({ code: 'operation-failed' });
    await backend.dispose();
    expect(backend.readers()).toEqual([]);
    expect(backend.status().available).toBe(false);
    await expect(backend.transmit(VIRTUAL_READER_NAME, bytes('00A40400'))).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('createVirtualReaderBackend, a card that stops answering', () => {
  it('a transmit waiting on it stops as soon as its signal fires and the command is aborted; the next one powers the card anew', async () => {
    backend = createVirtualReaderBackend();
    await backend.settled();
    expect(hex((await backend.transmit(VIRTUAL_READER_NAME, bytes('00A4000C022F01'))).response)).toBe('9000');
    backend.device.faults.muteCard = 'no-answer';
    const controller = new AbortController();
    const waiting = backend.transmit(VIRTUAL_READER_NAME, bytes('00B0000010'), { signal: controller.signal });
    // Let the command reach the device, which holds it unanswered.
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort('SIGINT');
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallStoppedError);
    expect((error as CallStoppedError).what).toBe(`the answer of the card in ${VIRTUAL_READER_NAME}`);
    // The reader was told to give the command up (PC_to_RDR_Abort, after the ABORT class request).
    await waitUntil(() => backend!.device.received.some((message) => message[0] === 0x72));
    // A call made with a signal that has already fired does not reach the card at all.
    const sentBefore = backend.device.received.length;
    await expect(backend.transmit(VIRTUAL_READER_NAME, bytes('00B0000010'), { signal: controller.signal })).rejects.toBeInstanceOf(
      CallStoppedError,
    );
    expect(backend.device.received.length).toBe(sentBefore);
    // Once the card answers again, the same reader works: a fresh power-on, then the answer.
    backend.device.faults.muteCard = undefined;
    const again = await backend.transmit(VIRTUAL_READER_NAME, bytes('00A4000C022F01'), { signal: new AbortController().signal });
    expect(hex(again.response)).toBe('9000');
  });
});

/** Polls the in-process device (no timers of its own to wait on) one event-loop turn at a time. */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 1000) throw new Error('condition never became true');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
