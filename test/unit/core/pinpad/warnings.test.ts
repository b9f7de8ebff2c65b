/**
 * Each warning row fires for the combination it describes and stays quiet on a clean request;
 * libccid's per-reader rewrites produce the bytes its code produces.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import {
  buildPinRequest,
  identifyReader,
  libccidSecureData,
  PIN_WARNING_RULES,
  pinpadCapabilities,
  type ReaderIdentity,
} from '#core/pinpad/index.js';
import { parsedSettings } from './parsed-settings.js';
import type { PinOperationName } from '#core/pcsc/pin-format.js';

const GEMPC: ReaderIdentity = { vendorId: 0x08e6, productId: 0x3478 };
const SPR532: ReaderIdentity = { vendorId: 0x04e6, productId: 0xe003 };
const ST2000: ReaderIdentity = { vendorId: 0x046a, productId: 0x003e };

function ids(preset: string, operation: PinOperationName, settings: string[] = [], reader?: ReaderIdentity): string[] {
  return buildPinRequest({ preset, operation, settings: parsedSettings(...settings), ...(reader ? { reader } : {}) }).warnings.map(
    (w) => w.id,
  );
}

describe('warnings', () => {
  it('every rule has an id, a source and a unique id', () => {
    const seen = new Set<string>();
    for (const rule of PIN_WARNING_RULES) {
      expect(rule.source.length, rule.id).toBeGreaterThan(8);
      expect(seen.has(rule.id)).toBe(false);
      seen.add(rule.id);
    }
  });

  it('a clean request on an unknown reader has no warning but the default timeout note', () => {
    expect(ids('iso-ascii', 'verify')).toEqual([]);
    expect(ids('openpgp-pw1', 'verify')).toEqual(['timeout-default']);
  });

  it.each([
    ['bEntryValidationCondition 0', 'iso-ascii', 'verify', ['bEntryValidationCondition=0'], undefined, 'entry-validation-invalid'],
    ['bEntryValidationCondition above 7', 'iso-ascii', 'verify', ['bEntryValidationCondition=8'], undefined, 'entry-validation-invalid'],
    ['bNumberMessage not 01 on a GemPC Pinpad', 'piv-pin', 'verify', [], GEMPC, 'gempc-number-message'],
    ['GemPC entry condition', 'iso-ascii', 'verify', ['bEntryValidationCondition=3'], GEMPC, 'gempc-entry-validation'],
    ['more than 8 digits on a GemPC Pinpad', 'belgian-eid', 'verify', [], GEMPC, 'gempc-max-digits'],
    ['case-1 APDU on SPR532', 'openpgp-pw1', 'verify', [], SPR532, 'spr532-case1-verify'],
    ['variable-length modify on SPR532', 'openpgp-pw1', 'modify', [], SPR532, 'spr532-modify'],
    ['Lc 00 anywhere', 'openpgp-pw1', 'verify', ['apdu=0020008100'], undefined, 'lc-zero'],
    ['format 2 on an old SPR532', 'belgian-eid', 'verify', [], SPR532, 'spr532-format2'],
    ['Cherry ST-2000 modify messages', 'iso-ascii', 'modify', [], ST2000, 'modify-messages-rewritten'],
    ['Cherry case 1', 'openpgp-pw1', 'verify', [], ST2000, 'cherry-lc'],
    [
      'Cherry XX44 modify with one message',
      'iso-ascii',
      'modify',
      ['bNumberMessage=1'],
      { vendorId: 0x046a, productId: 0x0010 },
      'cherry-xx44-modify',
    ],
    [
      'Cherry KC 1000 SC modify with no message',
      'iso-ascii',
      'modify',
      ['bNumberMessage=0'],
      { vendorId: 0x046a, productId: 0x00a1 },
      'cherry-kc1000-modify',
    ],
    ['Gemalto modify with fewer than 3 messages', 'iso-ascii', 'modify', ['bNumberMessage=2'], GEMPC, 'gemalto-modify-indexes'],
    ['Dell keyboard', 'iso-ascii', 'verify', [], { vendorId: 0x413c, productId: 0x2100 }, 'dell-keyboard'],
    ['cyberJack', 'iso-ascii', 'verify', [], { name: 'REINER SCT cyberJack go 00 00' }, 'cyberjack-errors'],
    ['Belgian eID on a GemPC Pinpad', 'belgian-eid', 'verify', [], GEMPC, 'belgian-eid-gempc'],
    ['GnuPG allows 25 digits on SCM', 'openpgp-pw1', 'verify', [], SPR532, 'gnupg-long-pins'],
    ['PIN block too small for the maximum length', 'iso-ascii', 'verify', ['wPINMaxExtraDigit=4-12'], undefined, 'pin-block-too-small'],
    ['BCD block too small', 'iso-bcd', 'verify', ['bmPINBlockString=0x04', 'wPINMaxExtraDigit=4-12'], undefined, 'pin-block-too-small'],
    ['4-bit length field and 16 digits', 'iso-format2', 'verify', ['wPINMaxExtraDigit=4-16'], undefined, 'length-field-too-small'],
    [
      'length field over the digits',
      'iso-ascii',
      'verify',
      ['bmPINBlockString=0x88', 'bmPINLengthFormat=0x04'],
      undefined,
      'length-overlaps-digits',
    ],
    ['min above max', 'iso-ascii', 'verify', ['wPINMaxExtraDigit=9-8'], undefined, 'min-above-max'],
    ['timeout 0', 'custom', 'verify', [], undefined, 'timeout-default'],
    ['INS not VERIFY', 'iso-ascii', 'verify', ['apdu=0024008108FFFFFFFFFFFFFFFF'], undefined, 'apdu-ins'],
    ['Lc disagrees with the data', 'iso-ascii', 'verify', ['apdu=0020008108FFFF'], undefined, 'apdu-lc-mismatch'],
    ['PIN block past the template', 'iso-ascii', 'verify', ['apdu=0020008104FFFFFFFF'], undefined, 'pin-outside-apdu'],
    ['overlapping blocks', 'iso-ascii', 'modify', ['bInsertionOffsetNew=4'], undefined, 'insertion-overlap'],
    ['reserved coding', 'iso-ascii', 'verify', ['bmFormatString=0x83'], undefined, 'reserved-bits'],
    ['bNumberMessage 2 on a verify', 'iso-ascii', 'verify', ['bNumberMessage=2'], undefined, 'number-message-invalid'],
    ['bNumberMessage 4 on a modify', 'iso-ascii', 'modify', ['bNumberMessage=4'], undefined, 'number-message-invalid'],
    ['a T=1 prologue', 'iso-ascii', 'verify', ['bTeoPrologue=0x000005'], undefined, 'teo-prologue'],
  ] as const)('%s', (_what, preset, op, settings, reader, id) => {
    const found = ids(preset, op, [...settings], reader);
    expect(found).toContain(id);
  });

  it("capability rows: no keypad, operation not offered, the reader's PIN range and entry conditions", () => {
    const noKeypad = pinpadCapabilities({ name: 'r', features: {}, tlvProperties: null, pinProperties: null });
    expect(
      buildPinRequest({ preset: 'iso-ascii', operation: 'verify', capabilities: noKeypad }).warnings.map((w) => [w.id, w.severity]),
    ).toContainEqual(['no-keypad', 'error']);
    const verifyOnly = pinpadCapabilities({
      name: 'r',
      features: { VERIFY_PIN_DIRECT: '42330006' },
      tlvProperties: { bMinPINSize: 6, bMaxPINSize: 8 },
      pinProperties: { wLcdLayout: 0, bEntryValidationCondition: 0x02, bTimeOut2: 0 },
    });
    expect(buildPinRequest({ preset: 'iso-ascii', operation: 'modify', capabilities: verifyOnly }).warnings.map((w) => w.id)).toContain(
      'operation-not-offered',
    );
    const verify = buildPinRequest({
      preset: 'iso-ascii',
      operation: 'verify',
      capabilities: verifyOnly,
      settings: parsedSettings('bEntryValidationCondition=3'),
    });
    expect(verify.warnings.map((w) => w.id)).toContain('entry-validation-unsupported');
    // The reader's range narrowed the preset's (as OpenSC does) unless the user set it.
    expect(verify.parameters.wPINMaxExtraDigit).toBe(0x0608);
    expect(verify.adjustments.map((a) => a.field)).toEqual(['wPINMaxExtraDigit']);
    const mine = buildPinRequest({
      preset: 'iso-ascii',
      operation: 'verify',
      capabilities: verifyOnly,
      settings: parsedSettings('wPINMaxExtraDigit=4-8'),
    });
    expect(mine.parameters.wPINMaxExtraDigit).toBe(0x0408);
    expect(mine.adjustments).toEqual([]);
    expect(mine.warnings.map((w) => w.id)).toContain('reader-pin-range');
  });
});

describe('what libccid puts on the wire, reader by reader', () => {
  const params = (preset: string, op: PinOperationName, ...settings: string[]) =>
    buildPinRequest({ preset, operation: op, settings: parsedSettings(...settings) }).parameters;

  it('GemPC Pinpad verify: bNumberMessage 01 and bEntryValidationCondition 02 whatever was asked', () => {
    const wire = libccidSecureData('verify', params('piv-pin', 'verify', 'bEntryValidationCondition=3'), identifyReader(GEMPC));
    expect(wire.rewrites.map((r) => [r.field, r.from, r.to])).toEqual([
      ['bNumberMessage', 0, 1],
      ['bEntryValidationCondition', 3, 2],
    ]);
    // 00 1E 82 08 00 | 08 04 | EVC 02 | NM 01 | wLangId 0000 | bMsgIndex 00 | prologue | APDU
    expect(toHex(wire.data!)).toBe('001E82080008040201000000000000' + '0020008008FFFFFFFFFFFFFFFF');
  });

  it('SPR532 and Cherry ST-2000 modify: three zero message indexes with bNumberMessage 00 on the wire', () => {
    const wire = libccidSecureData('modify', params('iso-ascii', 'modify', 'bNumberMessage=1', 'bMsgIndex1=5'), identifyReader(SPR532));
    const d = wire.data!;
    // bPINOperation 01, bTimeOut, fmt, block, lenfmt, old, new, wPIN(2), confirm, EVC, NM at 11, wLangId, three indexes, prologue.
    expect(d[11]).toBe(0x00);
    expect(toHex(d.subarray(14, 17))).toBe('000000');
    expect(d.length).toBe(1 + 19 + 21);
  });

  it('Gemalto modify with one message: all three indexes, the real bNumberMessage kept', () => {
    const wire = libccidSecureData('modify', params('iso-ascii', 'modify', 'bNumberMessage=1'), identifyReader(GEMPC));
    expect(wire.data![11]).toBe(0x01);
    expect(toHex(wire.data!.subarray(14, 17))).toBe('000102');
    const generic = buildPinRequest({ preset: 'iso-ascii', operation: 'modify', settings: parsedSettings('bNumberMessage=1') }).ccid
      .abData!;
    expect(generic.length).toBe(wire.data!.length - 1);
  });

  it('SPR532 with a case-1 verify: the escape 80 02 00 goes first', () => {
    const wire = libccidSecureData('verify', params('openpgp-pw1', 'verify'), identifyReader(SPR532));
    expect(wire.before.map((b) => toHex(b.escape))).toEqual(['800200']);
  });

  it('what libccid refuses gets no bytes: a modify with bNumberMessage 4', () => {
    const wire = libccidSecureData('modify', params('iso-ascii', 'modify', 'bNumberMessage=4'), null);
    expect(wire.data).toBeUndefined();
    expect(wire.problems.map((p) => p.code)).toEqual(['bad-number-message']);
  });

  it('the request carries the libccid view only when it differs from the generic bytes', () => {
    expect(buildPinRequest({ preset: 'iso-ascii', operation: 'verify', reader: GEMPC }).libccid).toBeNull();
    expect(buildPinRequest({ preset: 'piv-pin', operation: 'verify', reader: GEMPC }).libccid?.rewrites.map((r) => r.field)).toEqual([
      'bNumberMessage',
    ]);
  });
});
