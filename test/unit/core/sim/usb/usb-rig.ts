/** A driver wired to an in-process USB reader, for the host driver tests. */
import { CcidDriver, type CcidDriverEvent, type CcidDriverOptions } from '#core/ccid/host/ccid-driver.js';
import type { CcidTraceEntry } from '#core/ccid/host/ccid-message-channel.js';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import type { SmartCard } from '#core/sim/card/virtual-card.js';
import { FixedPinKeypad, type Keypad } from '#core/sim/reader/keypad.js';
import type { UsbFaults } from '#core/sim/usb/usb-faults.js';
import type { UsbReaderProfile } from '#core/sim/usb/usb-reader-profiles.js';
import { VirtualUsbCcidDevice } from '#core/sim/usb/virtual-usb-ccid-device.js';

export const timers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function rig(
  profile: UsbReaderProfile,
  options: { cards?: (SmartCard | undefined)[]; keypad?: Keypad; faults?: UsbFaults; driver?: CcidDriverOptions } = {},
) {
  const cards = options.cards ?? [new VirtualSmartCard({ protocol: 'T=1' })];
  const device = new VirtualUsbCcidDevice({
    profile,
    keypad: options.keypad ?? new FixedPinKeypad('123456'),
    cards,
    timers,
    faults: options.faults,
  });
  const trace: CcidTraceEntry[] = [];
  const events: CcidDriverEvent[] = [];
  const driver = CcidDriver.open(device, { ...options.driver, trace: (e) => trace.push(e) });
  driver.onEvent((e) => events.push(e));
  const sent = () => trace.filter((e): e is { direction: 'out'; bytes: Uint8Array } => e.direction === 'out').map((e) => e.bytes);
  return { device, driver, trace, events, sent };
}

export const apdu = (hex: string) =>
  Uint8Array.from(
    hex
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );
export const hexOf = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
export const SELECT_OPENPGP = apdu('00A4040006D27600012401');
