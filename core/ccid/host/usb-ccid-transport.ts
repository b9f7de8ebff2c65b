/**
 * What the CCID driver needs from a USB device, and nothing more: the bulk pipes, the interrupt
 * pipe, control transfers (for the CCID class requests) and the descriptors read at enumeration.
 * The `usb` package adapter and the in-process virtual device both implement it, so the driver
 * cannot tell a real reader from the virtual one.
 */

/** Failure of one transfer, classified so the driver knows what to do next. */
export type UsbTransferFailure =
  /** Nothing arrived in time (a bulk IN with a timeout). */
  | 'timeout'
  /** The device is gone (unplugged, reset, or the bus vanished). */
  | 'disconnected'
  /** The endpoint stalled (the reader refused the transfer). */
  | 'stall'
  /** The transfer was cancelled (transport closed). */
  | 'cancelled'
  /** Anything else the USB stack reported. */
  | 'io';

export class UsbTransferError extends Error {
  override readonly name = 'UsbTransferError';
  constructor(
    readonly failure: UsbTransferFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A SETUP packet without its data stage. */
export interface UsbControlSetup {
  bmRequestType: number;
  bRequest: number;
  wValue: number;
  wIndex: number;
}

export interface UsbEndpointInfo {
  address: number;
  maxPacketSize: number;
}

/** The parts of the device, configuration and string descriptors a user wants to see. */
export interface UsbCcidDeviceInfo {
  vendorId: number;
  productId: number;
  bcdDevice: number;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** Where the reader is (bus-port path, or "virtual"). */
  location: string;
  interfaceNumber: number;
  /** bInterfaceClass: 0x0B for CCID, 0xFF for the vendor-class readers that still carry a CCID descriptor. */
  interfaceClass: number;
  /** The 54-byte CCID class descriptor (bDescriptorType 0x21) as read from the configuration. */
  classDescriptor: Uint8Array;
  bulkIn: UsbEndpointInfo;
  bulkOut: UsbEndpointInfo;
  interruptIn?: UsbEndpointInfo;
}

export interface InterruptListener {
  data(bytes: Uint8Array): void;
  /** The interrupt pipe failed (device gone, usually). */
  error(failure: UsbTransferError): void;
}

export interface UsbCcidTransport {
  readonly info: UsbCcidDeviceInfo;
  bulkOut(bytes: Uint8Array): Promise<void>;
  /** One bulk IN transfer of at most maxLength bytes; rejects with UsbTransferError('timeout') after timeoutMs. */
  bulkIn(maxLength: number, timeoutMs: number): Promise<Uint8Array>;
  /** Starts reading the interrupt IN endpoint; returns the function that stops it. Absent without one. */
  interruptIn?(listener: InterruptListener): () => void;
  controlIn(setup: UsbControlSetup, length: number, timeoutMs: number): Promise<Uint8Array>;
  controlOut(setup: UsbControlSetup, data: Uint8Array, timeoutMs: number): Promise<void>;
  /** Releases the interface and closes the device; idempotent. */
  close(): Promise<void>;
}

/** CCID class-specific requests (CCID 1.1 §5.3). */
export const CCID_CLASS_REQUEST = {
  ABORT: 0x01,
  GET_CLOCK_FREQUENCIES: 0x02,
  GET_DATA_RATES: 0x03,
} as const;

/** bmRequestType for class requests to the interface, host-to-device and device-to-host. */
export const CLASS_INTERFACE_OUT = 0x21;
export const CLASS_INTERFACE_IN = 0xa1;
