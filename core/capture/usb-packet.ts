import type { CaptureRecord } from './capture-types.js';

/**
 * The one USB packet model every link type is normalized to (usbmon 189/220, USBPcap 249,
 * Darwin 266). One UsbPacket per capture record; the transfer layer pairs them.
 */

export type UsbDirection = 'in' | 'out';
export type UsbTransferType = 'isochronous' | 'interrupt' | 'control' | 'bulk' | 'unknown';
/**
 * submit/complete: host-side URB/IRP events. error: usbmon 'E' (submission failed).
 * packet: a record that is both (no pairing needed); no current link type produces it, QEMU's
 * device-side pcaps write S/C pairs per 64-byte USB packet, which pair like host records.
 */
export type UsbEvent = 'submit' | 'complete' | 'error' | 'packet';
/** USBPcap control transfers are logged per stage. */
export type UsbControlStage = 'setup' | 'data' | 'status' | 'complete';

/** USB, Linux usbmon and USBPcap all number transfer types the same way. */
export const USB_TRANSFER_TYPES: readonly UsbTransferType[] = ['isochronous', 'interrupt', 'control', 'bulk'];

export function transferTypeFromCode(code: number): UsbTransferType {
  return USB_TRANSFER_TYPES[code] ?? 'unknown';
}

export interface UsbSetupPacket {
  bmRequestType: number;
  bRequest: number;
  wValue: number;
  wIndex: number;
  wLength: number;
}

export function readSetupPacket(view: DataView, offset: number): UsbSetupPacket {
  return {
    bmRequestType: view.getUint8(offset),
    bRequest: view.getUint8(offset + 1),
    wValue: view.getUint16(offset + 2, true),
    wIndex: view.getUint16(offset + 4, true),
    wLength: view.getUint16(offset + 6, true),
  };
}

const NO_BYTES = new Uint8Array(0);

/**
 * A normalized USB record. The payload is not sliced eagerly (a subarray per packet costs
 * more than the rest of the decode): `data` makes the view on demand. The view points into
 * the pushed chunk; copy it if you keep it (or you pin the chunk).
 */
export class UsbPacket {
  /** 1-based frame number in the capture. */
  frame: number;
  /** Nanoseconds since frame 1. */
  timeNs: number;
  linkType: number;
  interfaceIndex: number;
  bus: number;
  /** USB device address (0 during enumeration). */
  device: number;
  /** Endpoint number 0–15 (without the direction bit). */
  endpoint: number;
  direction: UsbDirection;
  transferType: UsbTransferType;
  event: UsbEvent;
  /** The 64-bit URB id (usbmon), IRP id (USBPcap) or I/O id (Darwin) as two 32-bit halves. */
  urbIdHigh: number;
  urbIdLow: number;
  /** Raw status: usbmon errno (0, -115 EINPROGRESS on submit, -32 stall…), USBD_STATUS, IOReturn. */
  status: number;
  /** The link type's notion of success for this event (a submit counts as ok). */
  statusOk: boolean;
  /** The 8-byte setup packet, on control submits (usbmon 'S' with setup, USBPcap setup stage, Darwin submit). */
  setup: UsbSetupPacket | undefined;
  /** USBPcap control stage; undefined for other link types. */
  controlStage: UsbControlStage | undefined;
  /** Payload length as it was on the bus for this event (0 when this event carries no data). */
  dataLength: number;
  /** Payload bytes present in the capture. */
  capturedLength: number;
  /** capturedLength < dataLength: the snapshot length (or usbmon's own buffer) cut it. */
  truncated: boolean;
  /** Where the payload lives: buffer[dataOffset .. dataOffset+capturedLength). */
  buffer: Uint8Array;
  dataOffset: number;
  /** Bytes of link-layer header before the payload in the record (for a hex view). */
  headerLength: number;

  /**
   * Starts a packet from its container record; the link decoder fills in the rest. (One
   * allocation per packet: this runs 1.8 M times on a large import.)
   */
  constructor(record: CaptureRecord) {
    this.frame = record.frame;
    this.timeNs = record.timeNs;
    this.linkType = record.linkType;
    this.interfaceIndex = record.interfaceIndex;
    this.buffer = record.buffer;
    this.bus = 0;
    this.device = 0;
    this.endpoint = 0;
    this.direction = 'out';
    this.transferType = 'unknown';
    this.event = 'submit';
    this.urbIdHigh = 0;
    this.urbIdLow = 0;
    this.status = 0;
    this.statusOk = true;
    this.setup = undefined;
    this.controlStage = undefined;
    this.dataLength = 0;
    this.capturedLength = 0;
    this.truncated = false;
    this.dataOffset = 0;
    this.headerLength = 0;
  }

  /**
   * Keeps only the payload, in a buffer of its own, and lets go of the chunk the record came in:
   * a packet that outlives its chunk (a URB still in flight) would otherwise keep all of it.
   */
  detach(): void {
    if (this.buffer.length === this.capturedLength && this.dataOffset === 0) return;
    this.buffer = this.capturedLength === 0 ? NO_BYTES : this.data.slice();
    this.dataOffset = 0;
  }

  /** The captured payload (a view, no copy). */
  get data(): Uint8Array {
    return this.buffer.subarray(this.dataOffset, this.dataOffset + this.capturedLength);
  }

  /** Endpoint address as on the wire: number | 0x80 for IN. */
  get endpointAddress(): number {
    return this.direction === 'in' ? this.endpoint | 0x80 : this.endpoint;
  }

  get urbId(): bigint {
    return (BigInt(this.urbIdHigh >>> 0) << 32n) | BigInt(this.urbIdLow >>> 0);
  }
}
