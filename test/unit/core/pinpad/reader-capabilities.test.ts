import { describe, expect, it } from 'vitest';
import { fromHex } from '#core/bytes/hex.js';
import { buildInspection } from '#core/console/reader-inspection.js';
import { encodeFeatureList } from '#core/pcsc/features.js';
import { encodePinProperties } from '#core/pcsc/pin-properties.js';
import { encodeTlvProperties } from '#core/pcsc/tlv-properties.js';
import { identifyReader, parseReaderIdentity, pinpadCapabilities } from '#core/pinpad/index.js';
import { requireShared } from '../../../shared-path.js';
import { controlCalls, PINPAD_TXT, readGroundTruth } from '../ccid/ground-truth.js';

const skip = requireShared(...PINPAD_TXT);

describe('reader capabilities for PIN entry', () => {
  it.skipIf(skip)("from the real answers of the capture's reader (GET_FEATURE_REQUEST, GET_TLV_PROPERTIES, IFD_PIN_PROPERTIES)", () => {
    const calls = controlCalls(readGroundTruth(PINPAD_TXT));
    const out = (step: number) => calls.find((c) => c.step === step)!.output!;
    const inspection = buildInspection({
      id: 'pcsc:Gemalto',
      name: 'Gemalto Gemplus USB SmartCard Reader 433-Swap [CCID Interface] (1-0000:00:02.0-1) 00 00',
      backend: 'pcsc',
      cardPresent: true,
      atr: '3B0A4C41422D4341524430 31'.replace(/ /g, ''),
      featureAnswer: out(1),
      tlvAnswer: out(2),
      pinAnswer: out(3),
    });
    const caps = pinpadCapabilities(inspection);
    expect(caps).toMatchObject({
      keypad: true,
      verify: true,
      modify: false,
      verifyVia: 'VERIFY_PIN_DIRECT',
      modifyVia: null,
      lcd: null,
      minPin: null,
      maxPin: null,
      entryValidationCondition: 0x07,
      timeOut2: 0,
      ppdu: { viaEscape: false, viaTransmit: false },
      identity: { vendorId: 0x08e6, productId: 0x4433 },
      known: { model: 'gemalto', by: 'vendor-id' },
    });
    expect(caps.sentences[0]).toBe(
      'This reader can verify a PIN on its keypad (VERIFY_PIN_DIRECT) but not change one: a PIN change is typed here and sent in the APDU.',
    );
    expect(caps.sentences.join(' ')).toContain('the validation key');
  });

  it('a reader without a keypad gets the software path, said plainly', () => {
    const caps = pinpadCapabilities({ name: 'Plain reader 00 00', features: {}, tlvProperties: null, pinProperties: null });
    expect(caps.keypad).toBe(false);
    expect(caps.sentences[0]).toBe('This reader has no keypad: the PIN will be typed here and sent in the APDU.');
  });

  it('reads bPINSupport and the LCD from the CCID descriptor on direct-USB and virtual readers, and the TLV min/max and identity', () => {
    const caps = pinpadCapabilities({
      name: 'Cardbench Virtual Pinpad',
      features: {},
      tlvProperties: { bMinPINSize: 4, bMaxPINSize: 8, wIdVendor: 0x04e6, wIdProduct: 0xe003, sFirmwareID: '5.05' },
      pinProperties: null,
      ccidDescriptor: { fields: { pinSupport: { verify: true, modify: true }, lcd: { lines: 2, charactersPerLine: 16 } } },
    });
    expect(caps).toMatchObject({
      verifyVia: 'CCID bPINSupport',
      modifyVia: 'CCID bPINSupport',
      lcd: { lines: 2, charactersPerLine: 16 },
      minPin: 4,
      maxPin: 8,
    });
    expect(caps.known).toMatchObject({ model: 'spr532', by: 'usb-id' });
    expect(caps.identity.firmware).toBe('5.05');
    expect(caps.sentences).toContain('It accepts PINs of 4 to 8 digits (bMinPINSize/bMaxPINSize).');
  });

  it('the START/FINISH pair counts, a lone START does not', () => {
    const codes = encodeFeatureList([
      { tag: 0x01, controlCode: 0x42330001 },
      { tag: 0x02, controlCode: 0x42330002 },
      { tag: 0x03, controlCode: 0x42330003 },
    ]);
    const inspection = buildInspection({
      id: 'x',
      name: 'x',
      backend: 'pcsc',
      cardPresent: false,
      atr: null,
      featureAnswer: codes,
      tlvAnswer: encodeTlvProperties([]),
      pinAnswer: encodePinProperties({ wLcdLayout: 0x0210, bEntryValidationCondition: 2, bTimeOut2: 0 }),
    });
    const caps = pinpadCapabilities(inspection);
    expect([caps.verifyVia, caps.modifyVia]).toEqual(['START/FINISH', null]);
    expect(caps.lcd).toEqual({ lines: 2, charactersPerLine: 16 });
  });
});

describe('reader identity', () => {
  it('by VID:PID, by vendor, by the names GnuPG matches', () => {
    expect(identifyReader(parseReaderIdentity('08E6:3478'))).toMatchObject({ model: 'gempc-pinpad', by: 'usb-id' });
    expect(identifyReader({ vendorId: 0x046a, productId: 0x9999 })).toMatchObject({ model: 'cherry', by: 'vendor-id' });
    expect(identifyReader({ name: 'Cherry SmartTerminal ST-2xxx [Vendor Interface] 00 00' })).toMatchObject({
      model: 'cherry-st2000',
      by: 'name',
    });
    expect(identifyReader({ name: 'REINER SCT cyberJack RFID komfort (9721581331) 00 00' })?.model).toBe('cyberjack');
    expect(identifyReader({ name: 'Identiv uTrust 3700 F' })).toBeNull();
    expect(identifyReader({ vendorId: 0x1234, productId: 1 })).toBeNull();
    expect(parseReaderIdentity('Some reader')).toEqual({ name: 'Some reader' });
    expect(fromHex('00')).toHaveLength(1);
  });
});
