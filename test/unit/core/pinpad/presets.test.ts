/**
 * Presets: every one builds, decodes back to the same fields in both layouts, carries a source
 * and a well-formed SELECT, and the rows that come from middleware reproduce the bytes that
 * middleware sends (blocks logged in OpenSC issues and in eid-mw, GnuPG's structure as its code
 * writes it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '#core/bytes/byte-reader.js';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { decodeSecureData } from '#core/ccid/secure.js';
import { parseCommandApdu } from '#core/iso7816/command-apdu.js';
import { pinStructureFields } from '#core/pcsc/pin-format.js';
import { decodePinStructure } from '#core/pcsc/pin-structures.js';
import {
  buildPinRequest,
  findPreset,
  PIN_PARAMETER_FIELDS,
  PIN_PRESETS,
  pinRequestView,
  presetOperations,
  type PinParameterSetting,
} from '#core/pinpad/index.js';
import { parsedSettings } from './parsed-settings.js';

const spaced = (hex: string) => hex.replace(/\s+/g, '');

describe('the preset table', () => {
  it('has the presets the CLI documents, and more', () => {
    const names = PIN_PRESETS.map((p) => p.name);
    for (const name of [
      'openpgp-pw1',
      'openpgp-pw1-82',
      'openpgp-pw3',
      'piv-pin',
      'ias-ecc',
      'belgian-eid',
      'esteid',
      'smartcard-hsm',
      'iso-ascii',
      'iso-bcd',
      'iso-format2',
      'custom',
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(PIN_PRESETS.map((p) => [p.name, p] as const))(
    '%s: has a source, a note on its retry probe, and a SELECT that is a SELECT by AID',
    (_n, preset) => {
      expect(preset.source.length).toBeGreaterThan(10);
      expect(preset.retryProbeNote.length).toBeGreaterThan(10);
      expect(presetOperations(preset).length).toBeGreaterThan(0);
      if (preset.select) {
        const select = parseCommandApdu(fromHex(preset.select));
        expect(select.problems).toEqual([]);
        expect([select.ins, select.p1]).toEqual([0xa4, 0x04]);
        expect(select.data.length).toBeGreaterThanOrEqual(5);
      }
    },
  );

  const rows = PIN_PRESETS.flatMap((p) => presetOperations(p).map((op) => [p.name, op] as const));
  it.each(rows)('%s %s: build → decode gives the same fields in the PC/SC structure and the CCID Secure, with no error', (name, op) => {
    const request = buildPinRequest({ preset: name, operation: op });
    expect(request.warnings.filter((w) => w.severity === 'error')).toEqual([]);
    expect(request.pcsc.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const pcsc = decodePinStructure(op, request.pcsc.bytes).parameters!;
    const ccid = decodeSecureData(new ByteReader(request.ccid.abData!)).parameters!;
    for (const spec of pinStructureFields('pcsc', op)) {
      if (spec.name === 'ulDataLength') continue;
      expect(pcsc[spec.name], spec.name).toBe(request.parameters[spec.name]);
    }
    for (const spec of pinStructureFields('ccid', op, request.parameters.bNumberMessage)) {
      if (spec.name === 'ulDataLength') continue;
      expect(ccid[spec.name], spec.name).toBe(request.parameters[spec.name]);
    }
    expect(toHex(pcsc.apdu)).toBe(toHex(request.parameters.apdu));
    expect(toHex(ccid.apdu)).toBe(toHex(request.parameters.apdu));
    // The template's header is the operation's INS.
    expect(request.parameters.apdu[1]).toBe(op === 'verify' ? 0x20 : 0x24);
  });
});

describe('presets reproduce what the middleware sends', () => {
  it('openpgp-pw1: GnuPG pcsc_pinpad_verify for a variable-length reader (fixedlen 0, min 6, max 15), Lc 00 and bTeoPrologue LEN 5 as its PC/SC path writes them', () => {
    // scd/apdu.c: 00 00 82 fixedlen 00 max min 02 01 09 04 00 00 00 fixedlen+5, ulDataLength fixedlen+5, CLA INS P1 P2 fixedlen.
    const r = buildPinRequest({
      preset: 'openpgp-pw1',
      operation: 'verify',
      settings: parsedSettings('apdu=0020008100', 'bTeoPrologue=5'),
    });
    expect(toHex(r.pcsc.bytes)).toBe(spaced('00 00 82 00 00 0F 06 02 01 09 04 00 00 00 05 05 00 00 00 00 20 00 81 00'));
    // …and the wizard warns that an SPR532 would leave that Lc alone.
    expect(r.warnings.map((w) => w.id)).toContain('lc-zero');
  });

  it('openpgp-pw1 modify: GnuPG pcsc_pinpad_modify for P1 00 (bConfirmPIN 03, three messages 0 1 2)', () => {
    const r = buildPinRequest({
      preset: 'openpgp-pw1',
      operation: 'modify',
      settings: parsedSettings('apdu=0024008100', 'bTeoPrologue=5'),
    });
    expect(toHex(r.pcsc.bytes)).toBe(spaced('00 00 82 00 00 00 00 0F 06 03 02 03 09 04 00 01 02 00 00 05 05 00 00 00 00 24 00 81 00'));
  });

  it('esteid: the block OpenSC logged for an EstEID on a reader with a display (OpenSC #1083)', () => {
    const display = { lines: 2, charactersPerLine: 16 };
    const caps = {
      reader: 'r',
      keypad: true,
      verify: true,
      modify: true,
      verifyVia: 'VERIFY_PIN_DIRECT' as const,
      modifyVia: 'MODIFY_PIN_DIRECT' as const,
      lcd: display,
      minPin: null,
      maxPin: null,
      entryValidationCondition: null,
      timeOut2: null,
      ppdu: null,
      identity: { name: 'r' },
      known: null,
      sentences: [],
    };
    const r = buildPinRequest({ preset: 'esteid', operation: 'verify', capabilities: caps });
    expect(toHex(r.pcsc.bytes)).toBe(spaced('1E1E0200000C0402FF00000000000004 00000000200001'));
    expect(r.adjustments.map((a) => a.field)).toEqual(['bNumberMessage']);
  });

  it('smartcard-hsm: the block of OpenSC #309 with the Lc 00 it had then, and the case-1 form PR #317 made of it', () => {
    const before = buildPinRequest({ preset: 'smartcard-hsm', operation: 'verify', settings: parsedSettings('apdu=0020008100') });
    expect(toHex(before.pcsc.bytes)).toBe(spaced('1E1E0200000F06020000000000000005 0000000020008100'));
    const spr = buildPinRequest({
      preset: 'smartcard-hsm',
      operation: 'verify',
      settings: parsedSettings('apdu=0020008100'),
      reader: { vendorId: 0x04e6, productId: 0xe003 },
    });
    expect(spr.warnings.find((w) => w.id === 'lc-zero')).toMatchObject({ severity: 'error' });
    const after = buildPinRequest({ preset: 'smartcard-hsm', operation: 'verify' });
    expect(toHex(after.pcsc.bytes)).toBe(spaced('1E1E0200000F06020000000000000004 00000000200081'));
  });

  it("belgian-eid: eid-mw's logged GemPC Pinpad blocks (wLangId CD CD in that log, max 8 on the GemPC)", () => {
    const v = buildPinRequest({
      preset: 'belgian-eid',
      operation: 'verify',
      settings: parsedSettings('wPINMaxExtraDigit=4-8', 'wLangId=0xCDCD'),
    });
    expect(toHex(v.pcsc.bytes)).toBe(
      spaced('1E 1E 89 47 04 08 04 02 01 CD CD 00 00 00 00 0D 00 00 00 00 20 00 01 08 20 FF FF FF FF FF FF FF'),
    );
    // The logged modify has message indexes 00 00 00; eid-mw's PinCmd2 now writes 00 01 02 (the preset's values).
    const m = buildPinRequest({
      preset: 'belgian-eid',
      operation: 'modify',
      settings: parsedSettings('wPINMaxExtraDigit=4-8', 'wLangId=0xCDCD', 'bMsgIndex2=0', 'bMsgIndex3=0'),
    });
    expect(toHex(m.pcsc.bytes)).toBe(
      spaced(
        '1E 1E 89 47 04 00 08 08 04 03 02 03 CD CD 00 00 00 00 00 00 15 00 00 00 00 24 00 01 10 20 FF FF FF FF FF FF FF 20 FF FF FF FF FF FF FF',
      ),
    );
  });

  it("belgian-eid on an SPR532: eid-mw's SPR532 (firmware 5.05) log needs bmFormatString 01, and the wizard names that quirk", () => {
    const r = buildPinRequest({
      preset: 'belgian-eid',
      operation: 'verify',
      settings: parsedSettings('bmFormatString=0x01', 'wPINMaxExtraDigit=4-8', 'wLangId=0xCDCD'),
    });
    expect(toHex(r.pcsc.bytes)).toBe(
      spaced('1E 1E 01 47 04 08 04 02 01 CD CD 00 00 00 00 0D 00 00 00 00 20 00 01 08 20 FF FF FF FF FF FF FF'),
    );
    const m = buildPinRequest({
      preset: 'belgian-eid',
      operation: 'modify',
      settings: parsedSettings('bmFormatString=0x01', 'wLangId=0xCDCD', 'bMsgIndex2=0', 'bMsgIndex3=0'),
    });
    expect(toHex(m.pcsc.bytes)).toBe(
      spaced(
        '1E 1E 01 47 04 00 08 0C 04 03 02 03 CD CD 00 00 00 00 00 00 15 00 00 00 00 24 00 01 10 20 FF FF FF FF FF FF FF 20 FF FF FF FF FF FF FF',
      ),
    );
    const spr = buildPinRequest({
      preset: 'belgian-eid',
      operation: 'verify',
      reader: { name: 'SCM Microsystems Inc. SPRx32 USB Smart Card Reader 00 00' },
    });
    expect(spr.warnings.map((w) => w.id)).toContain('spr532-format2');
  });

  it("piv-pin: OpenSC's verify block for PIV without a display, template 00 20 00 80 08 FF×8", () => {
    const r = buildPinRequest({ preset: 'piv-pin', operation: 'verify' });
    expect(toHex(r.pcsc.bytes)).toBe(
      spaced('1E 1E 82 08 00 08 04 02 00 00 00 00 00 00 00 0D 00 00 00 00 20 00 80 08 FF FF FF FF FF FF FF FF'),
    );
    expect(findPreset('PIV-PIN')?.name).toBe('piv-pin');
  });
});

describe('any parameters a user can set', () => {
  it('build, decode back and serialise without throwing', () => {
    const rows = PIN_PRESETS.flatMap((p) => presetOperations(p).map((op) => [p.name, op] as const));
    fc.assert(
      fc.property(
        fc.constantFrom(...rows),
        fc.array(fc.tuple(fc.constantFrom(...PIN_PARAMETER_FIELDS), fc.integer({ min: 0, max: 0xffffff })), { maxLength: 8 }),
        fc.uint8Array({ minLength: 4, maxLength: 48 }),
        ([preset, op], values, template) => {
          const settings: PinParameterSetting[] = values
            .filter(([field]) => field.operations.includes(op))
            .map(([field, v]) => ({ name: field.name, value: v % (field.max + 1) }));
          settings.push({ name: 'apdu', value: template });
          const request = buildPinRequest({ preset, operation: op, settings });
          const back = decodePinStructure(op, request.pcsc.bytes).parameters!;
          for (const s of settings) if (s.name !== 'apdu') expect(back[s.name]).toBe(request.parameters[s.name]);
          expect(JSON.parse(JSON.stringify(pinRequestView(request))).pcsc.hex).toBe(toHex(request.pcsc.bytes));
          expect(request.template.roles).toHaveLength(template.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});
