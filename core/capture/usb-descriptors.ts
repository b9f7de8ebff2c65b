/**
 * USB standard descriptors as harvested from GET_DESCRIPTOR answers: device, configuration
 * (with its interfaces, endpoints and class-specific descriptors), strings. Tolerant: a short
 * or lying bLength ends the walk and is reported, what was read so far is kept.
 *
 * The CCID functional descriptor (type 0x21 inside a class 0x0B interface, or a 54-byte 0x21
 * inside a vendor-class 0xFF interface, as some readers do) is kept as raw bytes: core/ccid
 * decodes its fields.
 */
import type { UsbDirection, UsbTransferType } from './usb-packet.js';
import { decodeUtf16le } from './text-decode.js';

export const DESCRIPTOR_TYPES: Record<number, string> = {
  0x01: 'DEVICE',
  0x02: 'CONFIGURATION',
  0x03: 'STRING',
  0x04: 'INTERFACE',
  0x05: 'ENDPOINT',
  0x06: 'DEVICE_QUALIFIER',
  0x07: 'OTHER_SPEED_CONFIGURATION',
  0x08: 'INTERFACE_POWER',
  0x0b: 'INTERFACE_ASSOCIATION',
  0x0f: 'BOS',
  0x21: 'CLASS (HID / CCID functional)',
  0x30: 'SUPERSPEED_ENDPOINT_COMPANION',
};

export const INTERFACE_CLASS_CCID = 0x0b;
export const INTERFACE_CLASS_VENDOR = 0xff;
export const CCID_DESCRIPTOR_TYPE = 0x21;
export const CCID_DESCRIPTOR_LENGTH = 54;

/**
 * What a capture may make us keep. A descriptor is 7–9 bytes on the wire but a few hundred bytes
 * as an object, so counts chosen by the input (a crafted 16 MB configuration answer holds 1.8 M
 * interface descriptors) must not decide memory. Real devices stay far below these: a UVC webcam,
 * among the richest, has a few hundred descriptors in one configuration.
 */
export const DESCRIPTOR_LIMITS = {
  /** wLength and wTotalLength are 16-bit: a real configuration answer is never longer. */
  configurationBytes: 0xffff,
  /** Interface descriptors (alternate settings included) kept per configuration. */
  interfacesPerConfiguration: 64,
  endpointsPerInterface: 32,
  classDescriptorsPerInterface: 32,
  /** Distinct configurations (bConfigurationValue) kept per device. */
  configurationsPerDevice: 8,
  /** Descriptors (interfaces, endpoints, class descriptors, strings) kept for all devices together. */
  descriptorsPerCapture: 65_536,
} as const;

/** bmAttributes bits 1..0 of an endpoint descriptor (USB numbering, not usbmon's). */
export const ENDPOINT_TRANSFER_TYPES: readonly UsbTransferType[] = ['control', 'isochronous', 'bulk', 'interrupt'];

export interface UsbDeviceDescriptor {
  bcdUSB: number;
  bDeviceClass: number;
  bDeviceSubClass: number;
  bDeviceProtocol: number;
  bMaxPacketSize0: number;
  /** Absent when only the first 8 bytes were read (the usual first enumeration read). */
  idVendor?: number;
  idProduct?: number;
  bcdDevice?: number;
  iManufacturer?: number;
  iProduct?: number;
  iSerialNumber?: number;
  bNumConfigurations?: number;
  /** The raw bytes (a copy), to compare re-reads. */
  raw: Uint8Array;
}

export interface UsbEndpointDescriptor {
  /** bEndpointAddress: number | 0x80 for IN. */
  address: number;
  number: number;
  direction: UsbDirection;
  transferType: UsbTransferType;
  maxPacketSize: number;
  interval: number;
}

export interface UsbClassDescriptor {
  type: number;
  /** Raw bytes including bLength and bDescriptorType (a copy). */
  bytes: Uint8Array;
}

/** The endpoints a CCID interface uses plus its raw functional descriptor. */
export interface CcidInterfaceInfo {
  interfaceNumber: number;
  /** The 54-byte class descriptor (bLength 0x36, type 0x21) as read; core/ccid decodes it. */
  descriptor: Uint8Array;
  /** Endpoint numbers (0–15, no direction bit). */
  bulkIn?: number;
  bulkOut?: number;
  interruptIn?: number;
  /** dwMaxCCIDMessageLength (offset 44 of the descriptor), when the descriptor is long enough. */
  maxMessageLength?: number;
}

export interface UsbInterfaceDescriptor {
  bInterfaceNumber: number;
  bAlternateSetting: number;
  bInterfaceClass: number;
  bInterfaceSubClass: number;
  bInterfaceProtocol: number;
  iInterface: number;
  endpoints: UsbEndpointDescriptor[];
  classDescriptors: UsbClassDescriptor[];
  ccid?: CcidInterfaceInfo;
}

export interface UsbConfigurationDescriptor {
  wTotalLength: number;
  bNumInterfaces: number;
  bConfigurationValue: number;
  iConfiguration: number;
  bmAttributes: number;
  /** In units of 2 mA (USB 2) as sent. */
  bMaxPower: number;
  interfaces: UsbInterfaceDescriptor[];
  /** Bytes of the configuration that were read (a 9-byte first read is common). */
  bytesRead: number;
}

export interface DescriptorParse<T> {
  value: T | undefined;
  problems: string[];
  /** What DESCRIPTOR_LIMITS made the parse leave out, in words. */
  dropped?: string;
}

export function parseDeviceDescriptor(bytes: Uint8Array): DescriptorParse<UsbDeviceDescriptor> {
  if (bytes.length < 8 || bytes[1] !== 0x01) {
    return { value: undefined, problems: [`not a device descriptor (${bytes.length} bytes, type ${bytes[1] ?? '-'})`] };
  }
  const u16 = (at: number): number => bytes[at]! | (bytes[at + 1]! << 8);
  const d: UsbDeviceDescriptor = {
    bcdUSB: u16(2),
    bDeviceClass: bytes[4]!,
    bDeviceSubClass: bytes[5]!,
    bDeviceProtocol: bytes[6]!,
    bMaxPacketSize0: bytes[7]!,
    raw: bytes.slice(0, Math.min(bytes.length, 18)),
  };
  if (bytes.length >= 12) {
    d.idVendor = u16(8);
    d.idProduct = u16(10);
  }
  if (bytes.length >= 18) {
    d.bcdDevice = u16(12);
    d.iManufacturer = bytes[14]!;
    d.iProduct = bytes[15]!;
    d.iSerialNumber = bytes[16]!;
    d.bNumConfigurations = bytes[17]!;
  }
  return { value: d, problems: [] };
}

/** Interfaces, endpoints and class descriptors a configuration holds: what it costs to keep. */
export function descriptorCount(config: UsbConfigurationDescriptor): number {
  let count = config.interfaces.length;
  for (const iface of config.interfaces) count += iface.endpoints.length + iface.classDescriptors.length;
  return count;
}

/**
 * Walks a configuration blob: interfaces collect the endpoints and class descriptors after them.
 * Bounded by DESCRIPTOR_LIMITS; what is dropped is said in one problem.
 */
export function parseConfigurationDescriptor(whole: Uint8Array): DescriptorParse<UsbConfigurationDescriptor> {
  const problems: string[] = [];
  if (whole.length < 9 || whole[1] !== 0x02) {
    return { value: undefined, problems: [`not a configuration descriptor (${whole.length} bytes)`] };
  }
  const limits = DESCRIPTOR_LIMITS;
  const bytes = whole.length > limits.configurationBytes ? whole.subarray(0, limits.configurationBytes) : whole;
  const dropped = { interfaces: 0, endpoints: 0, classDescriptors: 0 };
  const config: UsbConfigurationDescriptor = {
    wTotalLength: bytes[2]! | (bytes[3]! << 8),
    bNumInterfaces: bytes[4]!,
    bConfigurationValue: bytes[5]!,
    iConfiguration: bytes[6]!,
    bmAttributes: bytes[7]!,
    bMaxPower: bytes[8]!,
    interfaces: [],
    bytesRead: bytes.length,
  };
  let current: UsbInterfaceDescriptor | undefined;
  let skipping = false;
  let at = bytes[0]! >= 9 ? bytes[0]! : 9;
  while (at + 2 <= bytes.length) {
    const length = bytes[at]!;
    const type = bytes[at + 1]!;
    if (length < 2) {
      problems.push(`descriptor at offset ${at} has bLength ${length}`);
      break;
    }
    if (at + length > bytes.length) {
      // Past the 16-bit cut the walk ends where the cut fell; that drop is reported below.
      if (bytes.length === whole.length)
        problems.push(`descriptor at offset ${at} (bLength ${length}) runs past the ${bytes.length} bytes read`);
      break;
    }
    const d = bytes.subarray(at, at + length);
    if (type === 0x04 && length >= 9 && config.interfaces.length >= limits.interfacesPerConfiguration) {
      // Endpoints and class descriptors after a dropped interface belong to it: drop them too.
      dropped.interfaces++;
      current = undefined;
      skipping = true;
    } else if (type === 0x04 && length >= 9) {
      skipping = false;
      current = {
        bInterfaceNumber: d[2]!,
        bAlternateSetting: d[3]!,
        bInterfaceClass: d[5]!,
        bInterfaceSubClass: d[6]!,
        bInterfaceProtocol: d[7]!,
        iInterface: d[8]!,
        endpoints: [],
        classDescriptors: [],
      };
      config.interfaces.push(current);
    } else if (skipping) {
      if (type === 0x05) dropped.endpoints++;
      else if (type !== 0x0b) dropped.classDescriptors++;
    } else if (type === 0x05 && length >= 7 && current && current.endpoints.length >= limits.endpointsPerInterface) {
      dropped.endpoints++;
    } else if (type === 0x05 && length >= 7 && current) {
      const address = d[2]!;
      current.endpoints.push({
        address,
        number: address & 0x0f,
        direction: address & 0x80 ? 'in' : 'out',
        transferType: ENDPOINT_TRANSFER_TYPES[d[3]! & 0x03]!,
        maxPacketSize: (d[4]! | (d[5]! << 8)) & 0x07ff,
        interval: d[6]!,
      });
    } else if (current && type !== 0x04 && type !== 0x05 && type !== 0x0b) {
      if (current.classDescriptors.length >= limits.classDescriptorsPerInterface) dropped.classDescriptors++;
      else current.classDescriptors.push({ type, bytes: d.slice() });
    }
    at += length;
  }
  const drops = [
    dropped.interfaces ? `${dropped.interfaces} interface descriptor(s) beyond ${limits.interfacesPerConfiguration}` : '',
    dropped.endpoints ? `${dropped.endpoints} endpoint descriptor(s) beyond ${limits.endpointsPerInterface} per interface` : '',
    dropped.classDescriptors
      ? `${dropped.classDescriptors} class descriptor(s) beyond ${limits.classDescriptorsPerInterface} per interface`
      : '',
    whole.length > bytes.length
      ? `${whole.length - bytes.length} byte(s) beyond the 16-bit wTotalLength (${limits.configurationBytes})`
      : '',
  ].filter(Boolean);
  const result: DescriptorParse<UsbConfigurationDescriptor> = { value: config, problems };
  if (drops.length > 0) result.dropped = `configuration ${config.bConfigurationValue}: dropped ${drops.join(', ')}`;
  for (const iface of config.interfaces) attachCcid(iface);
  return result;
}

function attachCcid(iface: UsbInterfaceDescriptor): void {
  const isCcidClass = iface.bInterfaceClass === INTERFACE_CLASS_CCID;
  const functional = iface.classDescriptors.find(
    (c) =>
      c.type === CCID_DESCRIPTOR_TYPE &&
      (isCcidClass || (iface.bInterfaceClass === INTERFACE_CLASS_VENDOR && c.bytes.length === CCID_DESCRIPTOR_LENGTH)),
  );
  if (!functional) return;
  const ccid: CcidInterfaceInfo = { interfaceNumber: iface.bInterfaceNumber, descriptor: functional.bytes };
  for (const ep of iface.endpoints) {
    if (ep.transferType === 'bulk' && ep.direction === 'in') ccid.bulkIn ??= ep.number;
    else if (ep.transferType === 'bulk' && ep.direction === 'out') ccid.bulkOut ??= ep.number;
    else if (ep.transferType === 'interrupt' && ep.direction === 'in') ccid.interruptIn ??= ep.number;
  }
  const b = functional.bytes;
  if (b.length >= 48) ccid.maxMessageLength = (b[44]! | (b[45]! << 8) | (b[46]! << 16) | (b[47]! << 24)) >>> 0;
  iface.ccid = ccid;
}

/** String descriptor index 0 lists LANGIDs; any other index is UTF-16LE text. */
export function parseStringDescriptor(bytes: Uint8Array, index: number): { text?: string; languages?: number[] } {
  if (bytes.length < 2 || bytes[1] !== 0x03) return {};
  const end = Math.min(bytes.length, Math.max(2, bytes[0]!));
  const body = bytes.subarray(2, end);
  if (index === 0) {
    const languages: number[] = [];
    for (let i = 0; i + 1 < body.length; i += 2) languages.push(body[i]! | (body[i + 1]! << 8));
    return { languages };
  }
  return { text: decodeUtf16le(body) };
}
