/**
 * The direct-USB backend. On this machine there is no USB bus, so the "unavailable" path is
 * tested for real. The adapter itself (descriptor walking, claim, endpoint transfers, interrupt
 * polling) runs against a fake `usb` bus of the same shape as usb@2's API, whose one device is the
 * virtual CCID reader: only the bus is fake, the reader answers as the device model does.
 */
import { describe, expect, it } from 'vitest';
import { VirtualSmartCard } from '#core/sim/card/virtual-smart-card.js';
import { FixedPinKeypad } from '#core/sim/reader/keypad.js';
import { GEMPC_PINPAD_USB_PROFILE, TWO_SLOT_PROFILE } from '#core/sim/usb/usb-reader-profiles.js';
import { VirtualUsbCcidDevice } from '#core/sim/usb/virtual-usb-ccid-device.js';
import { claimFailureAdvice } from '../../../../../electron/backend/ccid-usb/claim-advice.js';
import { ccidClassDescriptor, findCcidInterfaces } from '../../../../../electron/backend/ccid-usb/find-ccid-interfaces.js';
import { createUsbReaderBackend } from '../../../../../electron/backend/ccid-usb/usb-reader-backend.js';
import { classifyUsbError } from '../../../../../electron/backend/ccid-usb/usb-transport.js';
import type { UsbLib } from '../../../../../electron/backend/ccid-usb/usb-lib.js';
import { nodeTimers } from '../../../../../electron/backend/virtual-reader/virtual-reader-backend.js';
import { fakeUsbBusDevice } from './fake-usb-bus.js';

function virtualDevice(profile = GEMPC_PINPAD_USB_PROFILE): VirtualUsbCcidDevice {
  return new VirtualUsbCcidDevice({
    profile,
    keypad: new FixedPinKeypad('123456'),
    cards: [new VirtualSmartCard(), undefined],
    timers: nodeTimers,
  });
}

const available = () => ({ available: true });

describe('direct USB backend', () => {
  it('reports why there is no USB on this machine and lists nothing, without crashing', async () => {
    const backend = createUsbReaderBackend();
    await backend.settled();
    const status = backend.status();
    if (!status.available) {
      expect(status.reason).toMatch(/^USB access unavailable/);
      expect(backend.readers()).toEqual([]);
      await expect(backend.transmit('any', new Uint8Array([0, 0xa4, 4, 0]))).rejects.toMatchObject({ code: 'unavailable' });
    } else {
      expect(Array.isArray(backend.readers())).toBe(true);
    }
    await backend.dispose();
  });

  it('finds the CCID interface, claims it and talks APDUs through the real driver', async () => {
    const device = fakeUsbBusDevice(virtualDevice(), { behindOtherInterface: true });
    const lib: UsbLib = { getDeviceList: () => [device] };
    const backend = createUsbReaderBackend({ probe: available, lib });
    await backend.settled();
    await expect.poll(() => backend.readers()[0]?.atr ?? null).not.toBeNull();
    const [reader] = backend.readers();
    expect(reader?.name).toBe('Cardbench Virtual Pinpad [08E6:3478] (usb 3-1.4)');
    expect(device.claimed).toBe(true);
    const select = await backend.transmit(reader!.name, Uint8Array.from(Buffer.from('00A4040006D27600012401', 'hex')));
    expect(Buffer.from(select.response).toString('hex')).toBe('9000');
    expect(select.protocol).toBe('T=1');
    const read = await backend.transmit(reader!.name, Uint8Array.from(Buffer.from('00A4000C022F01', 'hex')));
    expect(Buffer.from(read.response).toString('hex')).toBe('9000');
    expect(backend.ccidDescriptor?.(reader!.name)?.length).toBe(54);
    await backend.dispose();
    expect(backend.readers()).toEqual([]);
  });

  it('lists one reader per slot of a two-slot reader', async () => {
    const backend = createUsbReaderBackend({
      probe: available,
      lib: { getDeviceList: () => [fakeUsbBusDevice(virtualDevice(TWO_SLOT_PROFILE), { behindOtherInterface: true })] },
    });
    await backend.settled();
    expect(backend.readers().map((r) => r.name.replace(/.* slot /, 'slot '))).toEqual(['slot 0', 'slot 1']);
    await backend.dispose();
  });

  it('explains a busy reader: who probably holds it and how to free it', async () => {
    const backend = createUsbReaderBackend({
      probe: available,
      lib: { getDeviceList: () => [fakeUsbBusDevice(virtualDevice(), { behindOtherInterface: true, claimError: 'LIBUSB_ERROR_BUSY' })] },
    });
    await backend.settled();
    expect(backend.readers()).toEqual([]);
    const [problem] = backend.problems();
    expect(problem).toContain('pcscd');
    expect(problem).toContain('disable-ccid');
    expect(backend.status().detail).toContain('disable-ccid');
    await backend.dispose();
  });

  it('survives a bus that fails to list', async () => {
    const backend = createUsbReaderBackend({
      probe: available,
      lib: {
        getDeviceList: () => {
          throw new Error('LIBUSB_ERROR_IO');
        },
      },
    });
    await backend.settled();
    expect(backend.problems()[0]).toContain('LIBUSB_ERROR_IO');
    await backend.dispose();
  });
});

describe('USB adapter helpers', () => {
  it('walks class-specific descriptors by length to the 54-byte CCID one', () => {
    const ccid = new Uint8Array(54);
    ccid[0] = 54;
    ccid[1] = 0x21;
    expect(ccidClassDescriptor(Uint8Array.from([5, 0x24, 0, 0, 0, ...ccid]))?.length).toBe(54);
    expect(ccidClassDescriptor(Uint8Array.from([0, 0x21]))).toBeUndefined();
    expect(ccidClassDescriptor(ccid.subarray(0, 30))).toBeUndefined();
  });

  it('ignores interfaces that are not CCID or lack bulk pipes', () => {
    const device = fakeUsbBusDevice(virtualDevice(), { behindOtherInterface: true });
    expect(findCcidInterfaces(device)).toHaveLength(1);
    device.configDescriptor!.interfaces[1]![0]!.endpoints = [];
    expect(findCcidInterfaces(device)).toEqual([]);
  });

  it('classifies libusb errors and gives advice', () => {
    expect(classifyUsbError(new Error('LIBUSB_TRANSFER_TIMED_OUT'))).toBe('timeout');
    expect(classifyUsbError(new Error('LIBUSB_ERROR_NO_DEVICE'))).toBe('disconnected');
    expect(classifyUsbError(new Error('LIBUSB_TRANSFER_STALL'))).toBe('stall');
    expect(classifyUsbError(new Error('LIBUSB_ERROR_OTHER'))).toBe('io');
    expect(claimFailureAdvice(new Error('LIBUSB_ERROR_ACCESS'), 'linux')).toContain('udev');
    expect(claimFailureAdvice(new Error('LIBUSB_ERROR_NOT_SUPPORTED'), 'win32')).toContain('WinUSB');
  });
});
