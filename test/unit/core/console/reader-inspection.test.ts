import { describe, expect, it } from 'vitest';
import { buildInspection, inspectionText } from '#core/console/reader-inspection.js';
import { identifyAtr, parseSmartcardList } from '#core/console/smartcard-list.js';
import { encodeFeatureList } from '#core/pcsc/features.js';
import { encodePinProperties } from '#core/pcsc/pin-properties.js';
import { encodeTlvProperties } from '#core/pcsc/tlv-properties.js';

describe('buildInspection', () => {
  const raw = {
    id: 'pcsc:Pinpad 00 00',
    name: 'Pinpad 00 00',
    backend: 'pcsc',
    cardPresent: true,
    atr: '3B8A8131FE458031C073F4014082900024',
    featureAnswer: encodeFeatureList([
      { tag: 0x06, controlCode: 0x42330006 },
      { tag: 0x07, controlCode: 0x42330007 },
      { tag: 0x0a, controlCode: 0x4233000a },
      { tag: 0x12, controlCode: 0x42330012 },
    ]),
    tlvAnswer: encodeTlvProperties([
      { tag: 0x01, value: 0x0210, size: 2 },
      { tag: 0x06, value: 4, size: 1 },
      { tag: 0x0a, value: 261, size: 4 },
      { tag: 0x0b, value: 0x08e6, size: 2 },
    ]),
    pinAnswer: encodePinProperties({ wLcdLayout: 0x0210, bEntryValidationCondition: 0x02, bTimeOut2: 0 }),
  };

  it('decodes features, properties, pinpad/LCD, ATR and max APDU', () => {
    const inspection = buildInspection(raw);
    expect(inspection.features).toEqual({
      VERIFY_PIN_DIRECT: '42330006',
      MODIFY_PIN_DIRECT: '42330007',
      IFD_PIN_PROPERTIES: '4233000A',
      GET_TLV_PROPERTIES: '42330012',
    });
    expect(inspection.tlvProperties).toEqual({ wLcdLayout: 0x0210, bMinPINSize: 4, dwMaxAPDUDataSize: 261, wIdVendor: 0x08e6 });
    expect(inspection.pinpad).toEqual({ verify: true, modify: true, lcd: { lines: 2, charactersPerLine: 16 } });
    expect(inspection.maxApdu).toBe(261);
    expect(inspection.atr).toMatchObject({ protocols: ['T=1'], tck: { present: true, valid: true } });
    expect(JSON.parse(JSON.stringify(inspection))).toEqual(inspection);
  });

  it('notes a truncated answer instead of throwing', () => {
    const inspection = buildInspection({ ...raw, tlvAnswer: Uint8Array.of(0x01, 0x04, 0x00) });
    expect(inspection.notes.join(' ')).toMatch(/GET_TLV_PROPERTIES answer: .*runs past the end/);
  });

  it('the text form is what a driver maintainer reads', () => {
    const text = inspectionText(buildInspection(raw));
    expect(text).toMatch(/VERIFY_PIN_DIRECT\s+42330006/);
    expect(text).toContain('Pinpad: verify + modify; LCD: 2×16');
    expect(text).toContain('Max APDU data: 261 bytes');
  });
});

describe('smartcard_list.txt', () => {
  const list = parseSmartcardList(
    [
      '# comment',
      '3B 8A 81 31 FE 45 80 31 C0 73 F4 01 40 82 90 00 24',
      '\tCardbench virtual card',
      '\tsecond line',
      '',
      '3B .. 00',
      '\tWildcard card',
      '',
    ].join('\n'),
  );

  it('parses entries and matches ATRs with wildcards', () => {
    expect(list).toHaveLength(2);
    expect(identifyAtr(list, '3B8A8131FE458031C073F4014082900024')).toEqual(['Cardbench virtual card', 'second line']);
    expect(identifyAtr(list, '3B1200')).toEqual(['Wildcard card']);
    expect(identifyAtr(list, '3B120000')).toEqual([]);
  });

  it('skips a pattern that is not a valid regular expression', () => {
    expect(identifyAtr(parseSmartcardList('3B [ 00\n\tbroken\n'), '3B00')).toEqual([]);
  });
});
