import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '#core/bytes/hex.js';
import { emptyPinParameters } from '#core/pcsc/pin-format.js';
import {
  applyParameterSettings,
  parseParameterSetting,
  PIN_PARAMETER_FIELDS,
  PinParameterError,
  settingsFromRecord,
  settingsToRecord,
} from '#core/pinpad/parameters.js';

const ok = (text: string) => {
  const parsed = parseParameterSetting(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.setting;
};
const message = (text: string) => {
  const parsed = parseParameterSetting(text);
  if (parsed.ok) throw new Error(`${text} parsed`);
  return parsed.message;
};

describe('FIELD=VALUE settings', () => {
  it('lists every PC/SC part 10 field the issue names', () => {
    const names = PIN_PARAMETER_FIELDS.map((f) => f.name);
    for (const name of [
      'bTimerOut',
      'bTimerOut2',
      'bmFormatString',
      'bmPINBlockString',
      'bmPINLengthFormat',
      'wPINMaxExtraDigit',
      'bEntryValidationCondition',
      'bNumberMessage',
      'wLangId',
      'bMsgIndex',
      'bTeoPrologue',
      'bInsertionOffsetOld',
      'bInsertionOffsetNew',
      'bConfirmPIN',
      'bMsgIndex1',
      'bMsgIndex2',
      'bMsgIndex3',
    ]) {
      expect(names).toContain(name);
    }
    for (const f of PIN_PARAMETER_FIELDS) expect(f.help.length).toBeGreaterThan(10);
  });

  it('takes decimal and 0x-hex values, MIN-MAX for wPINMaxExtraDigit, apdu=HEX, and the CCID spelling of the timeout', () => {
    expect(ok('bTimerOut=30')).toEqual({ name: 'bTimerOut', value: 30 });
    expect(ok('bTimerOut=0x1E')).toEqual({ name: 'bTimerOut', value: 30 });
    expect(ok('btimeout=0x1e')).toEqual({ name: 'bTimerOut', value: 30 });
    expect(ok('wPINMaxExtraDigit=4-12')).toEqual({ name: 'wPINMaxExtraDigit', value: 0x040c });
    expect(ok('wLangId=0x0409')).toEqual({ name: 'wLangId', value: 0x0409 });
    expect(ok('bTeoPrologue=0x000005')).toEqual({ name: 'bTeoPrologue', value: 5 });
    const apdu = ok('apdu=00 20 00 81');
    expect(apdu.name).toBe('apdu');
    expect(toHex(apdu.value as Uint8Array)).toBe('00200081');
  });

  it('says what was wrong and what is accepted', () => {
    expect(message('bTimerOut')).toMatch(/FIELD=VALUE/);
    expect(message('bTimerOut=300')).toBe('bTimerOut takes 0..255 (0xFF), decimal or 0x-hex; got "300"');
    expect(message('bTimerOut=-1')).toMatch(/takes 0\.\.255/);
    expect(message('bTimerOut=0x')).toMatch(/takes 0\.\.255/);
    expect(message('bConfirmPIN=4')).toMatch(/takes 0\.\.3/);
    expect(message('bTimeout2x=1')).toMatch(/unknown field "bTimeout2x"/);
    expect(message('FormatString=0x82')).toMatch(/did you mean bmFormatString\?/);
    expect(message('apdu=0020')).toMatch(/at least CLA INS P1 P2/);
    expect(message('apdu=00 2G 00 81')).toMatch(/not a hex digit/);
    expect(message('wPINMaxExtraDigit=4-300')).toMatch(/0\.\.255/);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const parsed = parseParameterSetting(text);
        if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a field the operation does not carry instead of ignoring it', () => {
    const p = emptyPinParameters();
    expect(() => applyParameterSettings(p, 'verify', [ok('bConfirmPIN=3')])).toThrow(PinParameterError);
    expect(() => applyParameterSettings(p, 'modify', [ok('bMsgIndex=1')])).toThrow(
      'bMsgIndex belongs to a PIN verify, not a modify (a modify uses bMsgIndex1..3)',
    );
    expect(() => applyParameterSettings(p, 'verify', [ok('bMsgIndex2=1')])).toThrow(/a verify uses bMsgIndex/);
    const applied = applyParameterSettings(p, 'modify', [ok('bConfirmPIN=3'), ok('apdu=00240081'), ok('bConfirmPIN=1')]);
    expect(applied.bConfirmPIN).toBe(1);
    expect(toHex(applied.apdu)).toBe('00240081');
    expect(p.bConfirmPIN).toBe(0);
  });

  it('round-trips through a record (profiles, IPC overrides) and names the bad entry', () => {
    const settings = settingsFromRecord({ bTimerOut: 30, bmFormatString: '0x82', apdu: '00200081' });
    expect(settingsToRecord(settings)).toEqual({ bTimerOut: 30, bmFormatString: 0x82, apdu: '00200081' });
    expect(() => settingsFromRecord({ bNumberMessage: 256 })).toThrow(/bNumberMessage takes 0\.\.255/);
    try {
      settingsFromRecord({ nope: 1 });
    } catch (error) {
      expect((error as PinParameterError).field).toBe('nope');
    }
  });
});
