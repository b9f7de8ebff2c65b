/**
 * The live driver reads dwMaxCCIDMessageLength from the device: a reader claiming 4 GiB must not
 * make it ask libusb for 4 GiB reads (issue 8, item 7).
 */
import { describe, expect, it } from 'vitest';
import { CCID_MAX_MESSAGE_LENGTH } from '#core/ccid/class-descriptor.js';
import { SHORT_APDU_PROFILE } from '#core/sim/usb/usb-reader-profiles.js';
import { hexOf, rig, SELECT_OPENPGP } from '../../sim/usb/usb-rig.js';

describe('CCID driver and a lying dwMaxCCIDMessageLength', () => {
  it('reads bulk IN in pieces no larger than the CCID maximum, and still talks to the card', async () => {
    const profile = { ...SHORT_APDU_PROFILE, descriptor: { ...SHORT_APDU_PROFILE.descriptor, dwMaxCCIDMessageLength: 0xffffffff } };
    const { device, driver } = rig(profile);
    const asked: number[] = [];
    const bulkIn = device.bulkIn.bind(device);
    device.bulkIn = (maxLength, timeoutMs) => {
      asked.push(maxLength);
      return bulkIn(maxLength, timeoutMs);
    };
    await driver.powerOn(0);
    expect(hexOf(await driver.transmit(0, SELECT_OPENPGP)).slice(-4)).toBe('9000');
    expect(asked.length).toBeGreaterThan(0);
    expect(Math.max(...asked)).toBe(CCID_MAX_MESSAGE_LENGTH);
  });
});
