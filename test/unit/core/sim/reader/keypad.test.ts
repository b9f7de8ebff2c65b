import { describe, expect, it } from 'vitest';
import { FixedPinKeypad, parseKeypadScript, ScriptedKeypad } from '#core/sim/reader/keypad.js';

const prompt = { operation: 'verify', step: 'pin', minDigits: 4, maxDigits: 8, timeoutSeconds: 0 } as const;

describe('keypad script', () => {
  it('reads PINs, cancel, timeout and delays (ms by default, s and ms suffixes), skipping blanks and comments', () => {
    const { steps, errors } = parseKeypadScript('# demo\n123456\n\nCANCEL\ntimeout\ndelay 250\ndelay 2s\ndelay 40ms\r\n0000\n');
    expect(errors).toEqual([]);
    expect(steps).toEqual([
      { kind: 'digits', digits: '123456' },
      { kind: 'cancel' },
      { kind: 'timeout' },
      { kind: 'delay', milliseconds: 250 },
      { kind: 'delay', milliseconds: 2000 },
      { kind: 'delay', milliseconds: 40 },
      { kind: 'digits', digits: '0000' },
    ]);
  });

  it('reports bad lines by number without repeating their text (it may be a PIN)', () => {
    const { errors } = parseKeypadScript('12a456\ndelay soon\n1234567890123456\n');
    expect(errors.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(JSON.stringify(errors)).not.toMatch(/12a456|1234567890123456/);
  });

  it('plays steps in order, sleeping through delays, then falls back to the exhausted keypad', async () => {
    const slept: number[] = [];
    const keypad = new ScriptedKeypad(
      [
        { kind: 'delay', milliseconds: 5 },
        { kind: 'digits', digits: '1234' },
      ],
      {
        sleep: (ms) => (slept.push(ms), Promise.resolve()),
        whenExhausted: new FixedPinKeypad('9999'),
      },
    );
    expect(await keypad.enterPin(prompt)).toEqual({ kind: 'digits', digits: '1234' });
    expect(slept).toEqual([5]);
    expect(await keypad.enterPin(prompt)).toEqual({ kind: 'digits', digits: '9999' });
  });

  it('FixedPinKeypad refuses anything but digits', () => {
    expect(() => new FixedPinKeypad('12 34')).toThrow(RangeError);
  });
});
