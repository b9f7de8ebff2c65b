/**
 * Cross-check against libccid: on the QEMU reader profile (08e6:4433, TPDU level, T=0, automatic
 * voltage and parameters), the messages our driver sends to power the card and to carry the 33
 * labcard APDUs must be the bytes libccid 1.5.2 sent for the same APDUs, bSeq aside
 * (../shared/captures/usbmon-qemu-labcard/labcard-basic.txt). pcscd leaves 61xx/6Cxx to the
 * application, so the driver runs in pass-through mode like libccid.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { QEMU_TPDU_T0_PROFILE } from '#core/sim/usb/usb-reader-profiles.js';
import { requireShared } from '../../../../shared-path.js';
import { apduExchanges, LABCARD_TXT, loggedCcidMessages, readGroundTruth } from '../ground-truth.js';
import { hexOf, rig } from '../../sim/usb/usb-rig.js';

const skip = requireShared(...LABCARD_TXT);
const withoutSeq = (m: Uint8Array) => {
  const copy = Uint8Array.from(m);
  copy[6] = 0;
  return hexOf(copy);
};

describe.skipIf(skip)('libccid cross-check (QEMU labcard capture)', () => {
  const text = skip ? '' : readGroundTruth(LABCARD_TXT);

  it('power-on and the 33 APDUs: every IccPowerOn and XfrBlock equals libccid’s, bSeq aside', async () => {
    const logged = loggedCcidMessages(text)
      .filter((m) => m.direction === 'out' && (m.bytes[0] === 0x62 || m.bytes[0] === 0x6f))
      .map((m) => withoutSeq(m.bytes));
    const exchanges = apduExchanges(text);
    expect(exchanges).toHaveLength(33);
    expect(logged).toHaveLength(35); // 2 power-ons + 33 XfrBlocks

    const { driver, sent } = rig(QEMU_TPDU_T0_PROFILE, {
      cards: [new VirtualSmartCard({ protocol: 'T=0' })],
      driver: { t0Procedure: 'pass-through' },
    });
    await driver.powerOn(0);
    for (const [index, exchange] of exchanges.entries()) {
      // scriptor reset the card between APDU 27 and 28: libccid sent IccPowerOn again (warm reset).
      if (index === 27) await driver.powerOn(0);
      await driver.transmit(0, exchange.command);
    }
    expect(sent().map(withoutSeq)).toEqual(logged);
  });

  it('bSeq advances by one per message, as in libccid’s log', async () => {
    const { driver, sent } = rig(QEMU_TPDU_T0_PROFILE, {
      cards: [new VirtualSmartCard({ protocol: 'T=0' })],
      driver: { t0Procedure: 'pass-through' },
    });
    await driver.slotStatus(0);
    await driver.powerOn(0);
    await driver.transmit(0, Uint8Array.of(0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00));
    expect(sent().map((m) => m[6])).toEqual([0, 1, 2]);
  });
});
