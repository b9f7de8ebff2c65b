/**
 * macOS USB pseudo-header (LINKTYPE_USB_DARWIN 266), little-endian, as Wireshark documents it:
 *   0 bcdVersion u16 · 2 headerLength u8 · 3 request type u8 (0 submit, 1 complete)
 *   · 4 I/O length u32 · 8 I/O status u32 (IOReturn) · 12 iso frame count u32 · 16 I/O id u64
 *   · 24 locationId u32 (bus = top byte) · 28 speed u8 · 29 device address u8
 *   · 30 endpoint address u8 · 31 endpoint type u8 (USB numbering: 0 control, 1 iso, 2 bulk,
 *   3 interrupt). Version 1.1 appends class/subclass/interface/alt and vendor/product ids.
 * The payload starts at headerLength (iso frame descriptors, if any, are counted in it);
 * a control submit's payload begins with the 8-byte setup packet.
 * No real capture was available: written from the format description, tested by hand-built packets.
 */
import type { CaptureProblem, CaptureRecord } from './capture-types.js';
import { UsbPacket, readSetupPacket, type UsbSetupPacket, type UsbTransferType } from './usb-packet.js';

export const LINKTYPE_USB_DARWIN = 266;

const MIN_HEADER = 32;
const DARWIN_TRANSFER_TYPES: readonly UsbTransferType[] = ['control', 'isochronous', 'bulk', 'interrupt'];

export function decodeDarwin(record: CaptureRecord, report: (p: CaptureProblem) => void): UsbPacket | undefined {
  const { view, offset } = record;
  if (record.capturedLength < MIN_HEADER) {
    report({
      code: 'truncated',
      message: `Darwin USB record of ${record.capturedLength} bytes, header needs ${MIN_HEADER}`,
      severity: 'error',
      frame: record.frame,
    });
    return undefined;
  }
  const headerLength = view.getUint8(offset + 2);
  if (headerLength < MIN_HEADER || headerLength > record.capturedLength) {
    report({
      code: 'bad-header-length',
      message: `Darwin USB headerLength ${headerLength} outside 32..${record.capturedLength}`,
      severity: 'error',
      frame: record.frame,
    });
    return undefined;
  }
  const complete = view.getUint8(offset + 3) === 1;
  const ioLength = view.getUint32(offset + 4, true);
  const status = view.getUint32(offset + 8, true);
  const endpointByte = view.getUint8(offset + 30);
  const transferType = DARWIN_TRANSFER_TYPES[view.getUint8(offset + 31)] ?? 'unknown';
  const direction = endpointByte & 0x80 ? 'in' : 'out';

  let payloadStart = headerLength;
  let payloadLength = record.capturedLength - headerLength;
  let declared = ioLength;
  let setup: UsbSetupPacket | undefined;
  if (!complete && transferType === 'control' && payloadLength >= 8) {
    setup = readSetupPacket(view, offset + headerLength);
    payloadStart += 8;
    payloadLength -= 8;
    declared = Math.max(0, ioLength - 8);
  }
  const carriesData = complete ? direction === 'in' : direction === 'out';
  const dataLength = carriesData ? declared : payloadLength;
  const capturedLength = carriesData ? Math.min(payloadLength, declared) : payloadLength;

  const packet = new UsbPacket(record);
  packet.bus = view.getUint32(offset + 24, true) >>> 24;
  packet.device = view.getUint8(offset + 29);
  packet.endpoint = endpointByte & 0x0f;
  packet.direction = direction;
  packet.transferType = transferType;
  packet.event = complete ? 'complete' : 'submit';
  packet.urbIdHigh = view.getUint32(offset + 20, true);
  packet.urbIdLow = view.getUint32(offset + 16, true);
  packet.status = status;
  packet.statusOk = status === 0;
  packet.setup = setup;
  packet.controlStage = undefined;
  packet.dataLength = dataLength;
  packet.capturedLength = capturedLength;
  packet.truncated = capturedLength < dataLength;
  packet.dataOffset = offset + payloadStart;
  packet.headerLength = payloadStart;
  return packet;
}
