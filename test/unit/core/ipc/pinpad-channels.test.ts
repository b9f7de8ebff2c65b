import { describe, expect, it } from 'vitest';
import { pinpadChannels, PINPAD_EVENT_NAMES } from '#core/ipc/channels/pinpad.js';
import { CHANNEL_NAMES, EVENT_NAMES, isEventName } from '#core/ipc/contract.js';
import { dispatch, type Handlers } from '#core/ipc/dispatch.js';

const base = {
  reader: 'virtual:Cardbench Virtual Pinpad',
  preset: 'openpgp-pw1',
  operation: 'verify',
  select: true,
  confirmLastTry: false,
};

describe('the pinpad contract', () => {
  it('is merged into the one contract, channels and events', () => {
    for (const name of Object.keys(pinpadChannels)) expect(CHANNEL_NAMES).toContain(name);
    for (const name of PINPAD_EVENT_NAMES) {
      expect(EVENT_NAMES).toContain(name);
      expect(isEventName(name)).toBe(true);
    }
    expect(Object.keys(pinpadChannels).sort()).toEqual(
      [
        'pinpad.build',
        'pinpad.cancel',
        'pinpad.capabilities',
        'pinpad.deleteProfile',
        'pinpad.exportProfiles',
        'pinpad.importProfiles',
        'pinpad.keypadInput',
        'pinpad.presets',
        'pinpad.profiles',
        'pinpad.readTries',
        'pinpad.run',
        'pinpad.runSoftware',
        'pinpad.saveProfile',
      ].sort(),
    );
  });

  it('a PIN reaches the software-path handler intact, and a bad one is refused without being echoed', async () => {
    const seen: unknown[] = [];
    const handlers: Partial<Handlers> = {
      'pinpad.runSoftware': (args) => {
        seen.push(args);
        throw new Error('stop here');
      },
    };
    await dispatch(handlers, 'pinpad.runSoftware', { ...base, pin: '123456' });
    expect(seen).toEqual([{ ...base, pin: '123456' }]);
    for (const bad of [{ pin: '12a4567' }, { pin: '9876543210987654' }, { newPin: '' }, { pinCode: '4711' }]) {
      const envelope = await dispatch(handlers, 'pinpad.runSoftware', { ...base, ...bad });
      expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
      const text = JSON.stringify(envelope);
      for (const value of Object.values(bad)) if (value) expect(text).not.toContain(value);
    }
    const keypad = await dispatch(handlers, 'pinpad.keypadInput', { requestId: 'r1', action: 'digits', digits: '12x456' });
    expect(JSON.stringify(keypad)).not.toContain('12x456');
    expect(seen).toHaveLength(1);
  });

  it('checks overrides and profiles at the door', async () => {
    const handlers: Partial<Handlers> = { 'pinpad.build': () => ({}) as never, 'pinpad.saveProfile': () => [] };
    expect(
      await dispatch(handlers, 'pinpad.build', { preset: 'piv-pin', operation: 'verify', overrides: { bTimerOut: 30, apdu: '00200080' } }),
    ).toMatchObject({ ok: true });
    const tooMany = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`f${i}`, 1]));
    expect(await dispatch(handlers, 'pinpad.build', { preset: 'piv-pin', operation: 'verify', overrides: tooMany })).toMatchObject({
      ok: false,
    });
    expect(await dispatch(handlers, 'pinpad.build', { preset: 'piv-pin', operation: 'unblock' })).toMatchObject({ ok: false });
    const profile = { name: 'p', reader: 'r', preset: 'piv-pin', operation: 'verify', settings: {}, select: true };
    expect(await dispatch(handlers, 'pinpad.saveProfile', { profile })).toMatchObject({ ok: true });
    expect(await dispatch(handlers, 'pinpad.saveProfile', { profile: { ...profile, pin: '1234' } })).toMatchObject({ ok: false });
  });
});
