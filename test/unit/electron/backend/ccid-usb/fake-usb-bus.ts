/**
 * A usb@2-shaped device (the slice electron/backend/ccid-usb/usb-lib.ts declares) whose pipes and
 * class requests are a core/sim/usb VirtualUsbCcidDevice: the one fake of the direct-USB tests,
 * standing for the bus this machine does not have.
 *
 * Options: `claimError`, what claiming the interface throws (libusb's words, e.g. LIBUSB_ERROR_BUSY);
 * `behindOtherInterface`, a composite device whose interface 0 is HID and whose CCID interface (1)
 * carries an unrelated class descriptor before the CCID one, so that the adapter has to look for both.
 */
import type { UsbCcidTransport } from '#core/ccid/host/usb-ccid-transport.js';
import type { VirtualUsbCcidDevice } from '#core/sim/usb/virtual-usb-ccid-device.js';
import type { UsbDeviceLike, UsbInEndpointLike, UsbOutEndpointLike } from '../../../../../electron/backend/ccid-usb/usb-lib.js';

export interface FakeUsbBusOptions {
  claimError?: string;
  behindOtherInterface?: boolean;
}

export function fakeUsbBusDevice(virtual: VirtualUsbCcidDevice, options: FakeUsbBusOptions = {}): UsbDeviceLike & { claimed: boolean } {
  const info = virtual.info;
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
        (error: Error) => callback(new Error(`LIBUSB_TRANSFER_${/timeout|TIMED_OUT/i.test(error.message) ? 'TIMED_OUT' : 'ERROR'}`)),
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
        (error: Error) => callback(error),
      ),
  };
  const transport = virtual as UsbCcidTransport;
  const ccidInterface = {
    bInterfaceNumber: options.behindOtherInterface ? 1 : 0,
    bAlternateSetting: 0,
    bInterfaceClass: info.interfaceClass,
    extra: Uint8Array.from(options.behindOtherInterface ? [9, 0x24, 1, 2, 3, 4, 5, 6, 7, ...info.classDescriptor] : info.classDescriptor),
    endpoints,
  };
  const hidInterface = { bInterfaceNumber: 0, bAlternateSetting: 0, bInterfaceClass: 3, extra: new Uint8Array(0), endpoints: [] };
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
    configDescriptor: { interfaces: options.behindOtherInterface ? [[hidInterface], [ccidInterface]] : [[ccidInterface]] },
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
      type: number,
      request: number,
      value: number,
      index: number,
      dataOrLength: number | Uint8Array,
      callback: (error: undefined, data?: Uint8Array) => void,
    ) => {
      const setup = { bmRequestType: type, bRequest: request, wValue: value, wIndex: index };
      if (typeof dataOrLength === 'number') void transport.controlIn(setup, dataOrLength, 1000).then((data) => callback(undefined, data));
      else void transport.controlOut(setup, dataOrLength, 1000).then(() => callback(undefined));
    },
    getStringDescriptor: (index: number, callback: (error: undefined, value?: string) => void) =>
      callback(undefined, index === 1 ? 'Cardbench' : info.product),
  };
  return device;
}
