/**
 * The direct-USB backend. On this machine there is no USB bus, so the "unavailable" path is
 * tested for real. The adapter itself (descriptor walking, claim, endpoint transfers, interrupt
 * polling) runs against a fake `usb` bus of the same shape as usb@2's API, whose one device is the
 * virtual CCID reader: only the bus is fake, the reader answers as the device model does.
 */
import { describe, expect, it } from 'vitest';
import type { UsbCcidTransport } from '../../../../../core/ccid/host/usb-ccid-transport.js';
import { VirtualSmartCard } from '../../../../../core/sim/card/virtual-smart-card.js';
import { FixedPinKeypad } from '../../../../../core/sim/reader/keypad.js';
import { GEMPC_PINPAD_USB_PROFILE, TWO_SLOT_PROFILE } from '../../../../../core/sim/usb/usb-reader-profiles.js';
import { VirtualUsbCcidDevice } from '../../../../../core/sim/usb/virtual-usb-ccid-device.js';
import { claimFailureAdvice } from '../../../../../electron/backend/ccid-usb/claim-advice.js';
import { ccidClassDescriptor, findCcidInterfaces } from '../../../../../electron/backend/ccid-usb/find-ccid-interfaces.js';
import { createUsbReaderBackend } from '../../../../../electron/backend/ccid-usb/usb-reader-backend.js';
import { classifyUsbError } from '../../../../../electron/backend/ccid-usb/usb-transport.js';
import type { UsbDeviceLike, UsbInEndpointLike, UsbLib, UsbOutEndpointLike } from '../../../../../electron/backend/ccid-usb/usb-lib.js';

const timers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A usb@2-shaped device whose endpoints are the virtual reader's pipes. */
function busDevice(virtual: VirtualUsbCcidDevice, options: { claimError?: string } = {}): UsbDeviceLike & { claimed: boolean } {
  const info = virtual.info;
  const extra = Uint8Array.from([9, 0x24, 1, 2, 3, 4, 5, 6, 7, ...info.classDescriptor]); // an unrelated class descriptor first
  const endpoints = [
    { bEndpointAddress: info.bulkOut.address, bmAttributes: 2, wMaxPacketSize: info.bulkOut.maxPacketSize },
    { bEndpointAddress: info.bulkIn.address, bmAttributes: 2, wMaxPacketSize: info.bulkIn.maxPacketSize },
    ...(info.interruptIn
      ? [{ bEndpointAddress: info.interruptIn.address, bmAttributes: 3, wMaxPacketSize: info.interruptIn.maxPacketSize }]
      : []),
  ];
  const listeners: Record<string, ((value: never) => void)[]> = {};
  let stopInterrupt: (() => void) | undefined;
  const inEndpoint = (interrupt: boolean): UsbInEndpointLike => ({
    timeout: 0,
    transfer(length, callback) {
      virtual.bulkIn(length, this.timeout || 5000).then(
        (data) => callback(undefined, data),
        (error: Error) => callback(Object.assign(new Error(`LIBUSB_TRANSFER_${/timeout/i.test(error.message) ? 'TIMED_OUT' : 'ERROR'}`))),
      );
    },
    startPoll: interrupt
      ? () => {
          stopInterrupt = virtual.interruptIn?.({
            data: (bytes) => listeners.data?.forEach((l) => l(bytes as never)),
            error: (failure) => listeners.error?.forEach((l) => l(failure as never)),
          });
        }
      : undefined,
    stopPoll: () => stopInterrupt?.(),
    on(event: string, listener: (value: never) => void) {
      (listeners[event] ??= []).push(listener);
      return this;
    },
    removeAllListeners: (event?: string) => (event ? delete listeners[event] : undefined),
  });
  const outEndpoint: UsbOutEndpointLike = {
    timeout: 0,
    transfer: (data, callback) =>
      void virtual.bulkOut(data).then(
        () => callback(undefined),
        (e: Error) => callback(e),
      ),
  };
  const device = {
    claimed: false,
    busNumber: 3,
    deviceAddress: 7,
    portNumbers: [1, 4],
    deviceDescriptor: {
      idVendor: info.vendorId,
      idProduct: info.productId,
      bcdDevice: info.bcdDevice,
      iManufacturer: 1,
      iProduct: 2,
      iSerialNumber: 0,
    },
    configDescriptor: {
      interfaces: [
        [{ bInterfaceNumber: 0, bAlternateSetting: 0, bInterfaceClass: 3, extra: new Uint8Array(0), endpoints: [] }],
        [{ bInterfaceNumber: 1, bAlternateSetting: 0, bInterfaceClass: info.interfaceClass, extra, endpoints }],
      ],
    },
    open: () => undefined,
    close: () => undefined,
    interface: () => ({
      claim: () => {
        if (options.claimError) throw new Error(options.claimError);
        device.claimed = true;
      },
      release: (callback: () => void) => callback(),
      isKernelDriverActive: () => false,
      detachKernelDriver: () => undefined,
      endpoint: (address: number) =>
        address === info.bulkOut.address ? outEndpoint : address === info.interruptIn?.address ? inEndpoint(true) : inEndpoint(false),
    }),
    controlTransfer: (
      _t: number,
      request: number,
      _v: number,
      _i: number,
      dataOrLength: number | Uint8Array,
      callback: (e: undefined, d?: Uint8Array) => void,
    ) => {
      const setup = { bmRequestType: _t, bRequest: request, wValue: _v, wIndex: _i };
      if (typeof dataOrLength === 'number')
        void (virtual as UsbCcidTransport).controlIn(setup, dataOrLength, 1000).then((d) => callback(undefined, d));
      else void (virtual as UsbCcidTransport).controlOut(setup, dataOrLength, 1000).then(() => callback(undefined));
    },
    getStringDescriptor: (index: number, callback: (e: undefined, v?: string) => void) =>
      callback(undefined, index === 1 ? 'Cardbench' : info.product),
  };
  return device;
}

function virtualDevice(profile = GEMPC_PINPAD_USB_PROFILE): VirtualUsbCcidDevice {
  return new VirtualUsbCcidDevice({ profile, keypad: new FixedPinKeypad('123456'), cards: [new VirtualSmartCard(), undefined], timers });
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
    const device = busDevice(virtualDevice());
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
      lib: { getDeviceList: () => [busDevice(virtualDevice(TWO_SLOT_PROFILE))] },
    });
    await backend.settled();
    expect(backend.readers().map((r) => r.name.replace(/.* slot /, 'slot '))).toEqual(['slot 0', 'slot 1']);
    await backend.dispose();
  });

  it('explains a busy reader: who probably holds it and how to free it', async () => {
    const backend = createUsbReaderBackend({
      probe: available,
      lib: { getDeviceList: () => [busDevice(virtualDevice(), { claimError: 'LIBUSB_ERROR_BUSY' })] },
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
    const device = busDevice(virtualDevice());
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
