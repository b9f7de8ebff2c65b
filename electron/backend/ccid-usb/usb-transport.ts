/**
 * UsbCcidTransport over one claimed interface of a `usb` (2.x) device: what the CCID driver
 * needs, with libusb's errors classified so the driver can tell a timeout from an unplug.
 */
import {
  UsbTransferError,
  type InterruptListener,
  type UsbCcidDeviceInfo,
  type UsbCcidTransport,
  type UsbControlSetup,
  type UsbTransferFailure,
} from '#core/ccid/host/usb-ccid-transport.js';
import { claimFailureAdvice } from './claim-advice.js';
import type { CcidInterfaceCandidate } from './find-ccid-interfaces.js';
import type { UsbDeviceLike, UsbInEndpointLike, UsbInterfaceLike, UsbLibException, UsbOutEndpointLike } from './usb-lib.js';

export function classifyUsbError(error: UsbLibException | undefined): UsbTransferFailure {
  const text = error?.message ?? '';
  if (/TIMED_OUT|TIMEOUT/i.test(text)) return 'timeout';
  if (/NO_DEVICE|NOT_FOUND/i.test(text)) return 'disconnected';
  if (/STALL|PIPE/i.test(text)) return 'stall';
  if (/CANCELLED/i.test(text)) return 'cancelled';
  return 'io';
}

function transferError(error: UsbLibException | undefined, what: string): UsbTransferError {
  return new UsbTransferError(classifyUsbError(error), `${what}: ${error?.message ?? 'unknown USB error'}`);
}

export class ClaimError extends Error {
  constructor(
    message: string,
    readonly advice: string,
  ) {
    super(`${message} ${advice}`);
  }
}

/** Opens the device and claims the interface; on failure says who probably holds it. */
export async function openUsbCcidTransport(device: UsbDeviceLike, candidate: CcidInterfaceCandidate): Promise<UsbCcidTransport> {
  let usbInterface: UsbInterfaceLike;
  try {
    device.open();
    usbInterface = device.interface(candidate.interfaceNumber);
    // Linux: a kernel driver never binds CCID, but a generic one (usbfs by another process) may.
    if (process.platform === 'linux' && usbInterface.isKernelDriverActive()) usbInterface.detachKernelDriver();
    usbInterface.claim();
  } catch (error) {
    try {
      device.close();
    } catch {
      // The device may never have opened.
    }
    throw new ClaimError('Could not open the reader.', claimFailureAdvice(error));
  }
  const strings = await readStrings(device);
  const info: UsbCcidDeviceInfo = {
    vendorId: device.deviceDescriptor.idVendor,
    productId: device.deviceDescriptor.idProduct,
    bcdDevice: device.deviceDescriptor.bcdDevice,
    ...strings,
    location: `usb ${device.busNumber}-${(device.portNumbers ?? [device.deviceAddress]).join('.')}`,
    interfaceNumber: candidate.interfaceNumber,
    interfaceClass: candidate.interfaceClass,
    classDescriptor: candidate.classDescriptor,
    bulkIn: candidate.bulkIn,
    bulkOut: candidate.bulkOut,
    ...(candidate.interruptIn ? { interruptIn: candidate.interruptIn } : {}),
  };
  const bulkIn = usbInterface.endpoint(candidate.bulkIn.address) as UsbInEndpointLike;
  const bulkOut = usbInterface.endpoint(candidate.bulkOut.address) as UsbOutEndpointLike;
  const interrupt = candidate.interruptIn ? (usbInterface.endpoint(candidate.interruptIn.address) as UsbInEndpointLike) : undefined;
  let closed = false;

  const transport: UsbCcidTransport = {
    info,
    bulkOut: (bytes) =>
      new Promise((resolve, reject) => {
        bulkOut.timeout = 5000;
        bulkOut.transfer(bytes, (error) => (error ? reject(transferError(error, 'bulk OUT')) : resolve()));
      }),
    bulkIn: (maxLength, timeoutMs) =>
      new Promise((resolve, reject) => {
        bulkIn.timeout = Math.max(1, Math.round(timeoutMs));
        bulkIn.transfer(maxLength, (error, data) =>
          error ? reject(transferError(error, 'bulk IN')) : resolve(new Uint8Array(data ?? [])),
        );
      }),
    controlIn: (setup, length, timeoutMs) => control(device, setup, length, timeoutMs).then((data) => data ?? new Uint8Array(0)),
    controlOut: (setup, data, timeoutMs) => control(device, setup, data, timeoutMs).then(() => undefined),
    async close() {
      if (closed) return;
      closed = true;
      interrupt?.stopPoll?.();
      await new Promise<void>((resolve) => usbInterface.release(() => resolve()));
      try {
        device.close();
      } catch {
        // Already gone (unplugged).
      }
    },
  };
  if (interrupt?.startPoll) {
    transport.interruptIn = (listener: InterruptListener) => {
      interrupt.on('data', (data) => listener.data(new Uint8Array(data)));
      interrupt.on('error', (error) => listener.error(transferError(error, 'interrupt IN')));
      interrupt.startPoll?.(1, candidate.interruptIn?.maxPacketSize ?? 8);
      return () => {
        interrupt.stopPoll?.();
        interrupt.removeAllListeners('data');
        interrupt.removeAllListeners('error');
      };
    };
  }
  return transport;
}

function control(
  device: UsbDeviceLike,
  setup: UsbControlSetup,
  dataOrLength: number | Uint8Array,
  _timeoutMs: number,
): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    device.controlTransfer(setup.bmRequestType, setup.bRequest, setup.wValue, setup.wIndex, dataOrLength, (error, data) => {
      if (error) reject(transferError(error, 'control transfer'));
      else resolve(data instanceof Uint8Array ? new Uint8Array(data) : undefined);
    });
  });
}

async function readStrings(device: UsbDeviceLike): Promise<Pick<UsbCcidDeviceInfo, 'manufacturer' | 'product' | 'serialNumber'>> {
  const read = (index: number): Promise<string | undefined> =>
    index === 0
      ? Promise.resolve(undefined)
      : new Promise((resolve) => device.getStringDescriptor(index, (error, value) => resolve(error ? undefined : value)));
  const d = device.deviceDescriptor;
  const [manufacturer, product, serialNumber] = await Promise.all([read(d.iManufacturer), read(d.iProduct), read(d.iSerialNumber)]);
  return {
    ...(manufacturer ? { manufacturer } : {}),
    ...(product ? { product } : {}),
    ...(serialNumber ? { serialNumber } : {}),
  };
}
