import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import {
  decodeClassDescriptor,
  encodeClassDescriptor,
  exchangeLevelOf,
  type CcidClassDescriptorFields,
} from '#core/ccid/class-descriptor.js';

// Raw bytes pulled with `tshark -r F -Y 'usb.bDescriptorType==0x02' -x` from the configuration
// descriptors of usbpcap-emv-gcc2024/usb.pcapng and usbmon-qemu-labcard/labcard-basic.usbmon.pcapng.
const GCC = fromHex(
  '36 21 10 01 00 07 03 00 00 00 a0 0f 00 00 e0 2e 00 00 03 01 2a 00 00 2c 80 0a 00 5f fe 00 00 00 07 00 00 00 00 00 00 00 be 04 04 00 10 01 00 00 ff ff 00 00 00 01',
);
const QEMU = fromHex(
  '36 21 10 01 00 07 01 00 00 00 a0 0f 00 00 00 00 01 00 00 80 25 00 00 00 c2 01 00 00 fe 00 00 00 00 00 00 00 00 00 00 00 fe 04 01 00 12 00 01 00 ff ff 00 00 01 01',
);

describe('decodeClassDescriptor', () => {
  it('GCC "EMV Smartcard Reader" 2ce3:9563: short+extended APDU level, 272-byte messages', () => {
    const { descriptor, problems, node } = decodeClassDescriptor(GCC, 0x2e);
    expect(problems).toEqual([]);
    expect(descriptor).toMatchObject({
      bLength: 54,
      bDescriptorType: 0x21,
      bcdCCID: 0x0110,
      version: '1.10',
      bMaxSlotIndex: 0,
      slotCount: 1,
      bVoltageSupport: 7,
      voltages: ['5.0V', '3.0V', '1.8V'],
      dwProtocols: 3,
      protocols: ['T=0', 'T=1'],
      dwDefaultClock: 4000,
      dwMaximumClock: 12000,
      bNumClockSupported: 3,
      dwDataRate: 10753,
      dwMaxDataRate: 688172,
      bNumDataRatesSupported: 0x5f,
      dwMaxIFSD: 254,
      dwSynchProtocols: 7,
      synchProtocols: ['2-wire', '3-wire', 'I2C'],
      dwMechanical: 0,
      mechanical: [],
      dwFeatures: 0x000404be,
      dwMaxCCIDMessageLength: 272,
      bClassGetResponse: 0xff,
      bClassEnvelope: 0xff,
      wLcdLayout: 0,
      bPINSupport: 0,
      pinSupport: { verify: false, modify: false },
      bMaxCCIDBusySlots: 1,
    });
    expect(descriptor!.lcd).toBeUndefined();
    expect(descriptor!.features.exchangeLevel).toBe('extended-apdu');
    expect(descriptor!.features.flags.map((f) => f.name)).toEqual([
      'auto-parameters-from-atr',
      'auto-activation',
      'auto-voltage',
      'auto-clock',
      'auto-baud-rate',
      'auto-pps',
      'auto-ifsd',
      'extended-apdu-level',
    ]);
    expect(descriptor!.features.automatic).toHaveLength(7);
    expect(descriptor!.features.usbWakeUp).toBe(false);
    // Every field is a node at its absolute offset.
    const features = node.children!.find((n) => n.id === 'ccid.descriptor.dwFeatures')!;
    expect(features).toMatchObject({ offset: 0x2e + 40, length: 4, label: 'dwFeatures: 0x000404BE (short and extended APDU level)' });
    expect(features.children).toHaveLength(8);
    expect(node.children).toHaveLength(22);
    expect(node).toMatchObject({ offset: 0x2e, length: 54 });
  });

  it('QEMU usb-ccid 08e6:4433: TPDU level, PIN verification', () => {
    const { descriptor, problems } = decodeClassDescriptor(QEMU);
    expect(problems).toEqual([]);
    expect(descriptor).toMatchObject({
      dwProtocols: 1,
      protocols: ['T=0'],
      dwMaximumClock: 0x10000,
      dwDataRate: 9600,
      dwMaxDataRate: 115200,
      dwFeatures: 0x000104fe,
      dwMaxCCIDMessageLength: 0x10012,
      bPINSupport: 1,
      pinSupport: { verify: true, modify: false },
    });
    expect(descriptor!.features.exchangeLevel).toBe('tpdu');
    expect(descriptor!.features.flags.map((f) => f.name)).toContain('auto-parameters-negotiation');
  });

  it('truncated and odd descriptors give problems, never throw', () => {
    const cut = decodeClassDescriptor(GCC.subarray(0, 30));
    expect(cut.descriptor).toBeUndefined();
    expect(cut.problems.map((p) => p.code)).toEqual(['truncated']);
    expect(cut.node.children!.length).toBeGreaterThan(5);
    const odd = Uint8Array.from(GCC);
    odd[1] = 0xff;
    odd[42] = odd[42]! | 0x03; // a second exchange level bit
    const r = decodeClassDescriptor(odd);
    expect(r.descriptor).toBeDefined();
    expect(r.problems.map((p) => p.code).sort()).toEqual(['several-exchange-levels', 'unexpected-descriptor-type']);
    expect(decodeClassDescriptor(new Uint8Array(0)).problems[0]!.code).toBe('truncated');
  });

  it('exchange level from dwFeatures', () => {
    expect(exchangeLevelOf(0)).toBe('character');
    expect(exchangeLevelOf(0x00010000)).toBe('tpdu');
    expect(exchangeLevelOf(0x00020000)).toBe('short-apdu');
    expect(exchangeLevelOf(0x00040000)).toBe('extended-apdu');
  });
});

describe('encodeClassDescriptor', () => {
  it('rebuilds both real descriptors byte for byte', () => {
    for (const raw of [GCC, QEMU]) {
      const { descriptor } = decodeClassDescriptor(raw);
      expect(toHex(encodeClassDescriptor(descriptor!))).toBe(toHex(raw));
    }
  });

  it('round-trips any field values', () => {
    const u8 = fc.integer({ min: 0, max: 0xff });
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const fields = fc.record<CcidClassDescriptorFields>({
      bcdCCID: u16,
      bMaxSlotIndex: u8,
      bVoltageSupport: u8,
      dwProtocols: u32,
      dwDefaultClock: u32,
      dwMaximumClock: u32,
      bNumClockSupported: u8,
      dwDataRate: u32,
      dwMaxDataRate: u32,
      bNumDataRatesSupported: u8,
      dwMaxIFSD: u32,
      dwSynchProtocols: u32,
      dwMechanical: u32,
      dwFeatures: u32,
      dwMaxCCIDMessageLength: u32,
      bClassGetResponse: u8,
      bClassEnvelope: u8,
      wLcdLayout: u16,
      bPINSupport: u8,
      bMaxCCIDBusySlots: u8,
    });
    fc.assert(
      fc.property(fields, (f) => {
        const { descriptor } = decodeClassDescriptor(encodeClassDescriptor(f));
        expect(descriptor).toMatchObject(f);
      }),
      { numRuns: 500 },
    );
  });
});
