/**
 * PIN entry on a direct-USB CCID reader: the usb backend (descriptor walk, claim, bulk and
 * interrupt pipes, the ABORT class request) over a usb@2-shaped bus whose device is a core/sim/usb
 * reader profile — only the bus is fake; the driver, the reader model and the card are the real
 * code. Its keypad is a person scripted in the device (the device's own keypad, not the app's).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { GEMPC_PINPAD_USB_PROFILE, QEMU_TPDU_T0_PROFILE, type UsbReaderProfile } from '#core/sim/usb/usb-reader-profiles.js';
import { VirtualUsbCcidDevice } from '#core/sim/usb/virtual-usb-ccid-device.js';
import { createUsbReaderBackend } from '../../../../../electron/backend/ccid-usb/usb-reader-backend.js';
import { nodeTimers } from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { fakeUsbBusDevice } from '../ccid-usb/fake-usb-bus.js';
import { DeviceKeypad } from './device-keypad.js';
import { startPinpadBackend, type PinpadHarness } from './pinpad-harness.js';

const PW1 = '739146';
let h: PinpadHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function usbReader(profile: UsbReaderProfile, protocol: 'T=0' | 'T=1'): Promise<{ keypad: DeviceKeypad; reader: string }> {
  const keypad = new DeviceKeypad();
  const device = new VirtualUsbCcidDevice({
    profile,
    keypad,
    cards: [new VirtualSmartCard({ protocol, openPgpPw1: PW1 })],
    timers: nodeTimers,
  });
  const bus = { getDeviceList: () => [fakeUsbBusDevice(device)] };
  h = startPinpadBackend(() => [createUsbReaderBackend({ probe: () => ({ available: true }), lib: bus })]);
  const api = h.api;
  await expect.poll(async () => (await api.invoke('readers.list', {})).readers.find((r) => r.atr !== null)?.id ?? null).not.toBeNull();
  const reader = (await api.invoke('readers.list', {})).readers[0]!.id;
  return { keypad, reader };
}

const run = (reader: string, operation: 'verify' | 'modify' = 'verify') =>
  h!.api.invoke('pinpad.run', { reader, preset: 'openpgp-pw1', operation, select: true, confirmLastTry: false });

describe('direct-USB CCID reader', () => {
  it('GemPC-like profile (TPDU T=1): verify on the reader keypad through PC_to_RDR_Secure, then a host abort', async () => {
    const { keypad, reader } = await usbReader(GEMPC_PINPAD_USB_PROFILE, 'T=1');
    expect(reader).toBe('usb:Cardbench Virtual Pinpad [08E6:3478] (usb 3-1.4)');
    keypad.queue.push({ kind: 'digits', digits: PW1 });
    const verified = await run(reader);
    expect(verified).toMatchObject({ path: 'ccid-secure', ran: true, response: '9000', outcome: { kind: 'accepted' } });
    expect(keypad.prompts[0]).toMatchObject({ operation: 'verify', step: 'pin', minDigits: 6, maxDigits: 15 });

    const pending = run(reader);
    await expect.poll(() => keypad.prompts.length).toBe(2);
    expect(await h!.api.invoke('pinpad.cancel', { reader })).toMatchObject({ cancelled: true });
    expect(await pending).toMatchObject({ ran: true, response: null, outcome: { kind: 'cancelled', title: 'Aborted by the host' } });
    expect(keypad.aborted).toBe(1);
    keypad.queue.push({ kind: 'digits', digits: PW1 });
    expect((await run(reader)).response).toBe('9000');
  });

  it('QEMU 433-Swap profile (TPDU T=0, bPINSupport verify only): verify on the keypad, modify refused towards the software path', async () => {
    const { keypad, reader } = await usbReader(QEMU_TPDU_T0_PROFILE, 'T=0');
    const caps = await h!.api.invoke('pinpad.capabilities', { reader });
    expect(caps).toMatchObject({ keypad: true, verify: true, modify: false });
    keypad.queue.push({ kind: 'digits', digits: '000000' }, { kind: 'timeout' });
    expect(await run(reader)).toMatchObject({ response: '63C2', outcome: { kind: 'wrong-pin', triesLeft: 2 } });
    expect(await run(reader)).toMatchObject({ response: null, outcome: { kind: 'timeout' } });
    await expect(run(reader, 'modify')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/cannot change a PIN on a keypad.*software path/),
    });
    const software = await h!.api.invoke('pinpad.runSoftware', {
      reader,
      preset: 'openpgp-pw1',
      operation: 'modify',
      select: true,
      confirmLastTry: false,
      currentPin: PW1,
      newPin: '582063',
      newPinAgain: '582063',
    });
    expect(software).toMatchObject({ path: 'software', response: '9000', outcome: { kind: 'accepted', title: 'PIN changed' } });
  });
});
