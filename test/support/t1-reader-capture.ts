/**
 * A usbmon capture of a TPDU-level T=1 reader, built by hand: the device's enumeration (device
 * and configuration descriptors, with the CCID class descriptor of the GemPC Pinpad look-alike,
 * whose dwFeatures say TPDU level), a card powered with a T=1 ATR, then APDUs carried in T=1
 * blocks — a GET DATA answered with BER-TLV, a SELECT chained over two I-blocks with the card's
 * R-block between them. No public capture of such a reader exists; the capture layer reads this
 * one as it reads a real usbmon trace.
 */
import { encodeDataBlock, encodeIccPowerOn, encodeXfrBlock } from '#core/ccid/index.js';
import { encodeClassDescriptor } from '#core/ccid/class-descriptor.js';
import { fromHex } from '#core/bytes/hex.js';
import { encodeT1Block } from '#core/iso7816/index.js';
import { GEMPC_PINPAD_USB_PROFILE } from '#core/sim/usb/usb-reader-profiles.js';
import { concatBytes, pcapngOf, usbmon, usbmonCcidPipes } from '../unit/core/capture/capture-builder.js';

/** A YubiKey's ATR: TD1 offers T=1, no TC3, so the EDC is an LRC. */
export const T1_ATR = '3BF81300008131FE15597562696B657934D4';
/** GET DATA 6E (OpenPGP application related data) and its BER-TLV answer. */
export const GET_DATA = '00CA006E00';
export const GET_DATA_ANSWER = '6E0E4F08D2760001240103045F5201009000';

const ok = { slot: 0, iccStatus: 0, commandStatus: 0, bError: 0 };
const DEVICE = 4;

/** GET_DESCRIPTOR on endpoint 0 of device 4: the submit with its setup packet, the completion with the descriptor. */
function getDescriptor(type: number, answer: Uint8Array, id: bigint): Uint8Array[] {
  const setup = [0x80, 0x06, 0x00, type, 0x00, 0x00, answer.length & 0xff, answer.length >> 8];
  return [
    usbmon({ id, event: 'S', transfer: 2, endpoint: 0x80, device: DEVICE, setup, length: answer.length }),
    usbmon({ id, event: 'C', transfer: 2, endpoint: 0x80, device: DEVICE, data: Array.from(answer) }),
  ];
}

function deviceDescriptor(): Uint8Array {
  const p = GEMPC_PINPAD_USB_PROFILE;
  return Uint8Array.from([
    18,
    1,
    0x00,
    0x02,
    0,
    0,
    0,
    64,
    p.vendorId & 0xff,
    p.vendorId >> 8,
    p.productId & 0xff,
    p.productId >> 8,
    0,
    1,
    0,
    0,
    0,
    1,
  ]);
}

/** Configuration → CCID interface (class 0x0B) → class descriptor → bulk OUT 0x02, bulk IN 0x83, interrupt IN 0x81. */
function configurationDescriptor(): Uint8Array {
  const ccid = encodeClassDescriptor(GEMPC_PINPAD_USB_PROFILE.descriptor);
  const iface = Uint8Array.from([9, 4, 0, 0, 3, 0x0b, 0, 0, 0]);
  const endpoint = (address: number, attributes: number, size: number): Uint8Array =>
    Uint8Array.from([7, 5, address, attributes, size, 0, 0]);
  const body = concatBytes(iface, ccid, endpoint(0x02, 2, 64), endpoint(0x83, 2, 64), endpoint(0x81, 3, 8));
  const total = 9 + body.length;
  return concatBytes(Uint8Array.from([9, 2, total & 0xff, total >> 8, 1, 1, 0, 0x80, 50]), body);
}

export function t1ReaderCapture(): Uint8Array {
  const { out, inn } = usbmonCcidPipes(0x5000n);
  let seq = 0;
  const xfr = (block: Uint8Array, answer: Uint8Array): Uint8Array[][] => {
    const s = seq++;
    return [out(encodeXfrBlock({ slot: 0, seq: s, data: block })), inn(encodeDataBlock({ ...ok, seq: s, data: answer }))];
  };
  const records: Uint8Array[][] = [
    getDescriptor(1, deviceDescriptor(), 0x4000n),
    getDescriptor(2, configurationDescriptor(), 0x4001n),
    out(encodeIccPowerOn({ slot: 0, seq })),
    inn(encodeDataBlock({ ...ok, seq: seq++, data: fromHex(T1_ATR) })),
    ...xfr(encodeT1Block({ kind: 'I', ns: 0, inf: fromHex(GET_DATA) }), encodeT1Block({ kind: 'I', ns: 0, inf: fromHex(GET_DATA_ANSWER) })),
    // SELECT of the OpenPGP application, chained: the card acknowledges the first block with R(N(R)=0).
    ...xfr(encodeT1Block({ kind: 'I', ns: 1, more: true, inf: fromHex('00A4040006D276') }), encodeT1Block({ kind: 'R', nr: 0 })),
    ...xfr(encodeT1Block({ kind: 'I', ns: 0, inf: fromHex('00012401') }), encodeT1Block({ kind: 'I', ns: 1, inf: fromHex('9000') })),
  ];
  return pcapngOf(220, records.flat());
}
