import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '#core/bytes/hex.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { buildPinRequest, decideRun, parseParameterSetting, probeUnavailable, readRetryCounter } from '#core/pinpad/index.js';

describe('the retry-counter guard', () => {
  it('reads 63Cx, 90 00 and 69 83', () => {
    expect(readRetryCounter(fromHex('63C3'))).toMatchObject({ state: 'tries-left', triesLeft: 3, sw: 0x63c3 });
    expect(readRetryCounter(fromHex('63C0'))).toMatchObject({ state: 'blocked', triesLeft: 0 });
    expect(readRetryCounter(fromHex('6983'))).toMatchObject({ state: 'blocked', triesLeft: 0 });
    expect(readRetryCounter(fromHex('9000'))).toMatchObject({ state: 'verified', triesLeft: null });
    expect(readRetryCounter(fromHex('6A88'))).toMatchObject({ state: 'unknown', sw: 0x6a88 });
    expect(readRetryCounter(fromHex('63'))).toMatchObject({ state: 'unknown', sw: null });
  });

  it('runs, asks at one try left, refuses a blocked PIN', () => {
    const one = readRetryCounter(fromHex('63C1'));
    expect(decideRun(one, { confirmLastTry: false })).toMatchObject({ decision: 'confirm' });
    expect(decideRun(one, { confirmLastTry: true })).toMatchObject({ decision: 'run' });
    expect(decideRun(readRetryCounter(fromHex('63C2')), { confirmLastTry: false }).decision).toBe('run');
    expect(decideRun(readRetryCounter(fromHex('6983')), { confirmLastTry: true }).decision).toBe('refuse');
    expect(decideRun(probeUnavailable('the Belgian eID counts it as a wrong PIN'), { confirmLastTry: false })).toMatchObject({
      decision: 'run',
    });
  });

  it("the probe follows the template's reference, and presets whose card counts it have none", () => {
    const setting = parseParameterSetting('apdu=00200082');
    if (!setting.ok) throw new Error(setting.message);
    expect(toHex(buildPinRequest({ preset: 'openpgp-pw1', operation: 'verify', settings: [setting.setting] }).retryProbe.apdu!)).toBe(
      '00200082',
    );
    expect(toHex(buildPinRequest({ preset: 'openpgp-pw3', operation: 'modify' }).retryProbe.apdu!)).toBe('00200083');
    expect(buildPinRequest({ preset: 'belgian-eid', operation: 'verify' }).retryProbe).toMatchObject({
      apdu: null,
      support: 'unsupported',
    });
    expect(buildPinRequest({ preset: 'iso-ascii', operation: 'verify' }).retryProbe.support).toBe('card-dependent');
  });

  it('against the virtual card: the probe costs nothing, and the guard sees the counter fall to one try', () => {
    const card = new VirtualSmartCard({ protocol: 'T=0', openPgpPw1: '123456' });
    const request = buildPinRequest({ preset: 'openpgp-pw1', operation: 'verify' });
    expect(toHex(card.transmit(request.select!))).toBe('9000');
    const probe = request.retryProbe.apdu!;
    expect(readRetryCounter(card.transmit(probe))).toMatchObject({ triesLeft: 3 });
    expect(readRetryCounter(card.transmit(probe))).toMatchObject({ triesLeft: 3 });
    const wrongPin = fromHex('0020008106393939393939');
    expect(toHex(card.transmit(wrongPin))).toBe('63C2');
    expect(toHex(card.transmit(wrongPin))).toBe('63C1');
    const reading = readRetryCounter(card.transmit(probe));
    expect(reading).toMatchObject({ state: 'tries-left', triesLeft: 1 });
    expect(decideRun(reading, { confirmLastTry: false }).decision).toBe('confirm');
  });
});
