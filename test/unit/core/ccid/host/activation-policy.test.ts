import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { decodeClassDescriptor, encodeClassDescriptor, type CcidClassDescriptorFields } from '#core/ccid/class-descriptor.js';
import {
  cardTiming,
  chooseProtocol,
  ifsdToOffer,
  needsSetParameters,
  protocolParametersFor,
  usesTa1,
  voltageOrder,
} from '#core/ccid/host/activation-policy.js';
import { parseAtr } from '#core/iso7816/atr.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { EXTENDED_APDU_PROFILE, GEMPC_PINPAD_USB_PROFILE, QEMU_TPDU_T0_PROFILE } from '#core/sim/usb/usb-reader-profiles.js';

/** A descriptor as the driver gets it: encoded by the reader, decoded by us. */
const reader = (fields: CcidClassDescriptorFields, changes: Partial<CcidClassDescriptorFields> = {}) =>
  decodeClassDescriptor(encodeClassDescriptor({ ...fields, ...changes })).descriptor!;

const GEMPC = reader(GEMPC_PINPAD_USB_PROFILE.descriptor);
const QEMU = reader(QEMU_TPDU_T0_PROFILE.descriptor);
const T1_CARD = parseAtr(new VirtualSmartCard({ protocol: 'T=1' }).atr);
const T0_CARD = parseAtr(new VirtualSmartCard({ protocol: 'T=0' }).atr);
/** A dual-protocol card with TA1 = 96 (Fi 512, Di 32) and T=1 IFSC 254, LRC. */
const DUAL_CARD = parseAtr(fromHex('3B DB 96 00 80 B1 FE 45 1F 83 00 31 C0 64 C7 FC 10 00 01 90 00 00'));

describe('activation policy (pure: class descriptor + ATR)', () => {
  it('tries the voltages the reader offers from the lowest class up, or only automatic when the reader chooses', () => {
    expect(voltageOrder(GEMPC)).toEqual([3, 2, 1]);
    expect(voltageOrder(reader(GEMPC_PINPAD_USB_PROFILE.descriptor, { bVoltageSupport: 0x03 }))).toEqual([2, 1]);
    expect(voltageOrder(reader(GEMPC_PINPAD_USB_PROFILE.descriptor, { bVoltageSupport: 0 }))).toEqual([0]);
    // QEMU's reader selects the voltage itself (dwFeatures bit 0x08).
    expect(voltageOrder(QEMU)).toEqual([0]);
  });

  it('uses the protocol asked for when card and reader both have it, else the first they share, and says when there is none', () => {
    expect(chooseProtocol(GEMPC, T1_CARD)).toBe('T=1');
    expect(chooseProtocol(GEMPC, DUAL_CARD)).toBe('T=0');
    expect(chooseProtocol(GEMPC, DUAL_CARD, 'T=1')).toBe('T=1');
    expect(chooseProtocol(QEMU, DUAL_CARD, 'T=1')).toBe('T=0');
    expect(() => chooseProtocol(QEMU, T1_CARD)).toThrow('The card offers T=1; the reader supports T=0.');
  });

  it('sends SetParameters built from the ATR unless the reader configures itself (the bytes libccid sends)', () => {
    expect(needsSetParameters(GEMPC)).toBe(true);
    expect(needsSetParameters(QEMU)).toBe(false);
    const t1 = protocolParametersFor(GEMPC, T1_CARD, 'T=1');
    expect([t1.protocolNum, toHex(t1.protocolData)]).toEqual([1, '1110004500FE00']);
    const t0 = protocolParametersFor(GEMPC, T0_CARD, 'T=0');
    expect([t0.protocolNum, toHex(t0.protocolData)]).toEqual([0, '1100000A00']);
  });

  it('keeps Fi/Di at 372/1 until a PPS: TA1 counts only when the reader negotiates it', () => {
    expect(usesTa1(GEMPC, DUAL_CARD)).toBe(false);
    expect(cardTiming(GEMPC, DUAL_CARD, 'T=1')).toMatchObject({ protocol: 'T=1', fi: 372, di: 1 });
    expect(toHex(protocolParametersFor(GEMPC, DUAL_CARD, 'T=1').protocolData).slice(0, 2)).toBe('11');
    // The extended-APDU reader does automatic PPS (dwFeatures 0x80).
    const pps = reader(EXTENDED_APDU_PROFILE.descriptor);
    expect(usesTa1(pps, DUAL_CARD)).toBe(true);
    expect(cardTiming(pps, DUAL_CARD, 'T=1')).toMatchObject({ fi: 512, di: 32 });
    expect(toHex(protocolParametersFor(pps, DUAL_CARD, 'T=1').protocolData)).toBe('9610004500FE00');
  });

  it('offers the IFSD the reader can take (1..254) unless the reader exchanges it itself', () => {
    expect(ifsdToOffer(GEMPC)).toBe(254);
    expect(ifsdToOffer(reader(GEMPC_PINPAD_USB_PROFILE.descriptor, { dwMaxIFSD: 0 }))).toBe(32);
    expect(ifsdToOffer(reader(GEMPC_PINPAD_USB_PROFILE.descriptor, { dwMaxIFSD: 4096 }))).toBe(254);
    expect(ifsdToOffer(QEMU)).toBeUndefined();
  });
});
