import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exportProfilesJson,
  MAX_PROFILES,
  mergeProfiles,
  parseProfilesJson,
  profilesForReader,
  PROFILE_FORMAT,
  removeProfile,
  upsertProfile,
  validateProfile,
  type PinProfile,
} from '#core/pinpad/index.js';

const profile = (over: Partial<PinProfile> = {}): PinProfile => ({
  name: 'GemPC verify',
  reader: 'Cardbench Virtual Pinpad 00 00',
  preset: 'piv-pin',
  operation: 'verify',
  settings: { bTimerOut: 30, bNumberMessage: '0x01', apdu: '0020008008FFFFFFFFFFFFFFFF' },
  select: true,
  ...over,
});

const file = (profiles: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ format: PROFILE_FORMAT, version: 1, profiles, ...extra });
const refusal = (text: string) => {
  const r = parseProfilesJson(text);
  if (r.ok) throw new Error('accepted');
  return r.message;
};

describe('pinpad profiles', () => {
  it('export then import gives the same profiles', () => {
    const saved = [
      profile(),
      profile({ name: 'change', operation: 'modify', preset: 'openpgp-pw1', settings: {}, note: 'works', savedAt: '2026-11-27T10:00:00Z' }),
    ];
    const text = exportProfilesJson(saved);
    expect(JSON.parse(text)).toMatchObject({ format: PROFILE_FORMAT, version: 1 });
    expect(parseProfilesJson(text)).toEqual({ ok: true, profiles: saved });
  });

  it('refuses garbage with a message that says what is wrong', () => {
    expect(refusal('{"format": ')).toMatch(/^not valid JSON/);
    expect(refusal('[]')).toBe(`not a Cardbench pinpad profile file ("format" must be "${PROFILE_FORMAT}")`);
    expect(refusal(file([], { version: 2 }))).toBe('the file is version 2, made by a newer Cardbench; this one reads version 1');
    expect(refusal(file([], { version: '1' }))).toBe('"version" must be an integer');
    expect(refusal(JSON.stringify({ format: PROFILE_FORMAT, version: 1, profiles: {} }))).toBe('"profiles" must be a list');
    expect(refusal(file([profile(), 3]))).toBe('profile 2 is not an object');
    expect(refusal(file([{ ...profile(), colour: 'red' }]))).toMatch(/^profile 1: unknown field "colour"/);
    expect(refusal(file([{ ...profile(), preset: 'nope' }]))).toMatch(/^profile 1: unknown preset "nope"/);
    expect(refusal(file([{ ...profile(), operation: 'unblock' }]))).toBe('profile 1: "operation" must be "verify" or "modify"');
    expect(refusal(file([{ ...profile(), select: 'yes' }]))).toBe('profile 1: "select" must be true or false');
    expect(refusal(file([{ ...profile(), settings: { bTimerOut: 999 } }]))).toMatch(/^profile 1: bTimerOut takes 0\.\.255/);
    expect(refusal(file([{ ...profile(), settings: { bConfirmPIN: 3 } }]))).toBe(
      'profile 1: bConfirmPIN belongs to a PIN modify, not a verify',
    );
    expect(refusal(file([{ ...profile(), name: '' }]))).toBe('profile 1: "name" must be a non-empty string');
    expect(refusal(file([{ ...profile(), savedAt: 'yesterday' }]))).toBe('profile 1: "savedAt" must be an ISO date');
    expect(refusal(file(Array.from({ length: MAX_PROFILES + 1 }, () => profile())))).toMatch(/at most 500/);
    expect(refusal('x'.repeat(1_000_001))).toMatch(/larger than/);
  });

  it('never holds a PIN: no PIN field, and no template with the digits already in the PIN block', () => {
    const withPin = { ...profile(), pin: '123456' };
    const r1 = validateProfile(withPin);
    expect(r1).toEqual({ ok: false, message: 'profile: a profile never holds a PIN; remove the "pin" field' });
    const digitsInTemplate = profile({ settings: { apdu: '0020008008313233343536FFFF' } });
    const r2 = validateProfile(digitsInTemplate);
    expect(r2.ok).toBe(false);
    if (!r2.ok) {
      expect(r2.message).toMatch(/holds digits where the PIN goes/);
      expect(r2.message).not.toContain('313233');
    }
    // BCD digits in a format 2 block are refused too; the fillers of a clean template are not.
    expect(validateProfile(profile({ preset: 'belgian-eid', settings: { apdu: '0020000108241234FFFFFFFFFF' } })).ok).toBe(false);
    expect(validateProfile(profile({ preset: 'belgian-eid', settings: {} })).ok).toBe(true);
  });

  it("no refusal message repeats the file's content", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), (json) => {
        const r = parseProfilesJson(json);
        if (!r.ok) expect(r.message.length).toBeLessThan(300);
      }),
      { numRuns: 300 },
    );
    const secret = '{"format": "cardbench-pinpad-profiles", "version": 1, "profiles": [{"name": "x", "reader": "r", "pin": "987654"';
    expect(refusal(secret)).not.toContain('987654');
  });

  it('keeps one profile per name and reader', () => {
    let list = upsertProfile([], profile());
    list = upsertProfile(list, profile({ settings: { bTimerOut: 10 } }));
    list = upsertProfile(list, profile({ reader: 'Other 00 00' }));
    expect(list).toHaveLength(2);
    expect(profilesForReader(list, 'Cardbench Virtual Pinpad 00 00')[0]!.settings).toEqual({ bTimerOut: 10 });
    expect(removeProfile(list, 'GemPC verify', 'Other 00 00')).toHaveLength(1);
    expect(mergeProfiles(list, [profile({ note: 'imported' })]).find((p) => p.reader === 'Cardbench Virtual Pinpad 00 00')!.note).toBe(
      'imported',
    );
  });
});
