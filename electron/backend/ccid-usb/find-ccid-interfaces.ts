/**
 * Which interfaces of a USB device are CCID readers: class 0x0B, or a vendor-class interface
 * (0xFF) that still carries a 54-byte CCID class descriptor (some readers predate the class
 * code), with one bulk IN, one bulk OUT and usually one interrupt IN endpoint.
 */
import type { UsbEndpointInfo } from '#core/ccid/host/usb-ccid-transport.js';
import type { UsbDeviceLike } from './usb-lib.js';

export const CCID_INTERFACE_CLASS = 0x0b;
const VENDOR_CLASS = 0xff;
const CCID_DESCRIPTOR_TYPE = 0x21;
const CCID_DESCRIPTOR_LENGTH = 54;
const TRANSFER_TYPE_MASK = 0x03;
const BULK = 0x02;
const INTERRUPT = 0x03;

export interface CcidInterfaceCandidate {
  interfaceNumber: number;
  interfaceClass: number;
  classDescriptor: Uint8Array;
  bulkIn: UsbEndpointInfo;
  bulkOut: UsbEndpointInfo;
  interruptIn?: UsbEndpointInfo;
}

/** Never throws: a device whose descriptors cannot be read simply has no CCID interface. */
export function findCcidInterfaces(device: UsbDeviceLike): CcidInterfaceCandidate[] {
  let interfaces;
  try {
    interfaces = device.configDescriptor?.interfaces ?? [];
  } catch {
    return [];
  }
  const found: CcidInterfaceCandidate[] = [];
  for (const alternates of interfaces) {
    const descriptor = alternates.find((alt) => alt.bAlternateSetting === 0) ?? alternates[0];
    if (!descriptor) continue;
    if (descriptor.bInterfaceClass !== CCID_INTERFACE_CLASS && descriptor.bInterfaceClass !== VENDOR_CLASS) continue;
    const classDescriptor = ccidClassDescriptor(descriptor.extra);
    if (!classDescriptor) continue;
    const endpoint = (type: number, input: boolean): UsbEndpointInfo | undefined => {
      const e = descriptor.endpoints.find(
        (ep) => (ep.bmAttributes & TRANSFER_TYPE_MASK) === type && (ep.bEndpointAddress & 0x80) === (input ? 0x80 : 0),
      );
      return e ? { address: e.bEndpointAddress, maxPacketSize: e.wMaxPacketSize } : undefined;
    };
    const bulkIn = endpoint(BULK, true);
    const bulkOut = endpoint(BULK, false);
    if (!bulkIn || !bulkOut) continue;
    const interruptIn = endpoint(INTERRUPT, true);
    found.push({
      interfaceNumber: descriptor.bInterfaceNumber,
      interfaceClass: descriptor.bInterfaceClass,
      classDescriptor,
      bulkIn,
      bulkOut,
      ...(interruptIn ? { interruptIn } : {}),
    });
  }
  return found;
}

/** The CCID functional descriptor among the class-specific descriptors, walked by bLength. */
export function ccidClassDescriptor(extra: Uint8Array): Uint8Array | undefined {
  for (let at = 0; at + 2 <= extra.length;) {
    const length = extra[at]!;
    if (length < 2) return undefined;
    if (extra[at + 1] === CCID_DESCRIPTOR_TYPE && length === CCID_DESCRIPTOR_LENGTH && at + length <= extra.length) {
      return Uint8Array.from(extra.subarray(at, at + length));
    }
    at += length;
  }
  return undefined;
}
