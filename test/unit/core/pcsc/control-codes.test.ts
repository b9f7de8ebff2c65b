import { describe, expect, it } from 'vitest';
import {
  CM_IOCTL_GET_FEATURE_REQUEST_LINUX,
  CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS,
  decodeControlCode,
  getFeatureRequestCode,
  scardCtlCode,
} from '#core/pcsc/control-codes.js';
import { decodeFeatureList } from '#core/pcsc/features.js';
import { decodeTlvProperties } from '#core/pcsc/tlv-properties.js';
import { decodePinProperties } from '#core/pcsc/pin-properties.js';
import { fromHex } from '#core/bytes/hex.js';

describe('SCARD_CTL_CODE', () => {
  it('pcsc-lite and Windows numbers of CM_IOCTL_GET_FEATURE_REQUEST', () => {
    expect(CM_IOCTL_GET_FEATURE_REQUEST_LINUX).toBe(0x42000d48);
    expect(CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS).toBe(0x00313520);
    expect(getFeatureRequestCode('windows')).toBe(0x313520);
    expect(scardCtlCode(3500, 'pcsc-lite')).toBe(0x42000dac);
  });

  it('decodes both shapes back', () => {
    expect(decodeControlCode(0x313520)).toEqual({ platform: 'windows', functionNumber: 3400 });
    expect(decodeControlCode(0x42330006)).toEqual({ platform: 'pcsc-lite', functionNumber: 0x330006 });
    expect(decodeControlCode(0x12345678)).toBeUndefined();
  });
});

describe('malformed reader answers', () => {
  it('feature list: truncated TLV and a wrong value length', () => {
    const r = decodeFeatureList(fromHex('06 04 42 33 00 06 07 02 00 01 0A 04 42'));
    expect(r.features.map((f) => f.name)).toEqual(['VERIFY_PIN_DIRECT']);
    expect(r.problems.map((p) => p.code)).toEqual(['bad-length', 'truncated']);
    expect(decodeFeatureList(fromHex('14 04 00 00 00 01')).features[0]!.name).toBe('unknown feature 0x14');
  });

  it('TLV properties: firmware string and a truncated entry', () => {
    const r = decodeTlvProperties(fromHex('08 04 56 31 2E 30 06 01 04 07 01'));
    expect(r.byName).toEqual({ sFirmwareID: 'V1.0', bMinPINSize: 4 });
    expect(r.problems.map((p) => p.code)).toEqual(['truncated']);
  });

  it('PIN properties: LCD layout and short answers', () => {
    expect(decodePinProperties(fromHex('10 02 02 05')).properties).toEqual({
      wLcdLayout: 0x0210,
      lcd: { lines: 2, charactersPerLine: 16 },
      bEntryValidationCondition: 2,
      bTimeOut2: 5,
    });
    expect(decodePinProperties(fromHex('00 00')).problems[0]!.code).toBe('truncated');
  });
});
