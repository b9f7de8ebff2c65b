/**
 * Linux usbmon pseudo-header: LINKTYPE_USB_LINUX (189, 48 bytes) and LINKTYPE_USB_LINUX_MMAPPED
 * (220, 64 bytes, then ndesc × 16-byte isochronous descriptors for iso URBs). Fields are in the
 * byte order of the capturing host, which is the byte order of the file (libpcap/wiretap swap
 * the pseudo-header together with the file), so the container's order is used.
 *
 * QEMU's device-side pcaps (usb-ccid `pcap=`) also use 220 but write len_cap as header + data
 * (64 + n): the payload is therefore taken from the record, bounded by len_cap, never beyond.
 */
import { hexLiteral } from '../bytes/hex.js';
import type { CaptureProblem, CaptureRecord } from './capture-types.js';
import { UsbPacket, readSetupPacket, transferTypeFromCode, type UsbEvent } from './usb-packet.js';

export const LINKTYPE_USB_LINUX = 189;
export const LINKTYPE_USB_LINUX_MMAPPED = 220;

/** usbmon event types ('S', 'C', 'E'). */
export const USBMON_EVENTS: Record<number, UsbEvent> = { 0x53: 'submit', 0x43: 'complete', 0x45: 'error' };

const ISO_DESCRIPTOR = 16;
const TRANSFER_ISO = 0;
const EINPROGRESS = -115;

export function decodeUsbmon(record: CaptureRecord, report: (p: CaptureProblem) => void): UsbPacket | undefined {
  const headerLength = record.linkType === LINKTYPE_USB_LINUX_MMAPPED ? 64 : 48;
  const { view, offset, littleEndian: le } = record;
  if (record.capturedLength < headerLength) {
    report({
      code: 'truncated',
      message: `usbmon record of ${record.capturedLength} bytes, header needs ${headerLength}`,
      severity: 'error',
      frame: record.frame,
    });
    return undefined;
  }
  const eventCode = view.getUint8(offset + 8);
  const event = USBMON_EVENTS[eventCode];
  if (!event) {
    report({ code: 'bad-event-type', message: `usbmon event type ${hexLiteral(eventCode)}`, severity: 'error', frame: record.frame });
    return undefined;
  }
  const transferCode = view.getUint8(offset + 9);
  const endpointByte = view.getUint8(offset + 10);
  const status = view.getInt32(offset + 28, le);
  const urbLength = view.getUint32(offset + 32, le);
  const lenCap = view.getUint32(offset + 36, le);
  const setupPresent = view.getUint8(offset + 14) === 0;

  let payloadStart = headerLength;
  if (headerLength === 64 && transferCode === TRANSFER_ISO) {
    // The descriptor count is untrusted: it can only consume what the record has.
    const ndesc = view.getUint32(offset + 60, le);
    payloadStart += Math.min(ndesc, Math.floor((record.capturedLength - headerLength) / ISO_DESCRIPTOR)) * ISO_DESCRIPTOR;
  }
  const inRecord = record.capturedLength - payloadStart;
  const capturedLength = Math.min(inRecord, lenCap);
  const direction = endpointByte & 0x80 ? 'in' : 'out';
  // Only a submit of OUT data or a completion of IN data carries the transfer's bytes.
  const carriesData = event === 'submit' ? direction === 'out' : event === 'complete' && direction === 'in';
  const dataLength = carriesData ? Math.max(urbLength, capturedLength) : capturedLength;
  const cutByRecord = record.capturedLength < record.originalLength;
  const truncated = capturedLength < dataLength || (cutByRecord && capturedLength < lenCap);

  const packet = new UsbPacket(record);
  packet.bus = view.getUint16(offset + 12, le);
  packet.device = view.getUint8(offset + 11);
  packet.endpoint = endpointByte & 0x0f;
  packet.direction = direction;
  packet.transferType = transferTypeFromCode(transferCode);
  packet.event = event;
  packet.urbIdHigh = view.getUint32(offset + (le ? 4 : 0), le);
  packet.urbIdLow = view.getUint32(offset + (le ? 0 : 4), le);
  packet.status = status;
  packet.statusOk = event === 'submit' ? status === 0 || status === EINPROGRESS : event === 'complete' && status === 0;
  packet.setup = event === 'submit' && setupPresent ? readSetupPacket(view, offset + 40) : undefined;
  packet.controlStage = undefined;
  packet.dataLength = dataLength;
  packet.capturedLength = capturedLength;
  packet.truncated = truncated;
  packet.dataOffset = offset + payloadStart;
  packet.headerLength = payloadStart;
  return packet;
}
