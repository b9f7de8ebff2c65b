/**
 * USBPcap pseudo-header (LINKTYPE_USBPCAP 249, Windows; always little-endian, packed):
 *   0 headerLen u16 · 2 irpId u64 · 10 USBD_STATUS u32 · 14 URB function u16 · 16 info u8
 *   (bit 0: PDO→FDO, i.e. a completion) · 17 bus u16 · 19 device u16 · 21 endpoint u8
 *   · 22 transfer u8 · 23 dataLength u32 · then per transfer type: control 27 stage u8;
 *   isochronous 27 startFrame, numberOfPackets, errorCount u32 + packets.
 * The payload starts at headerLen. A control setup stage carries the 8-byte setup packet as
 * the first payload bytes.
 */
import type { CaptureProblem, CaptureRecord } from './capture-types.js';
import { UsbPacket, readSetupPacket, transferTypeFromCode, type UsbControlStage, type UsbSetupPacket } from './usb-packet.js';

export const LINKTYPE_USBPCAP = 249;

const BASE_HEADER = 27;
const TRANSFER_CONTROL = 2;
const CONTROL_STAGES: readonly UsbControlStage[] = ['setup', 'data', 'status', 'complete'];

/** URB functions a viewer shows by name (the ones USBPcap logs for ordinary traffic). */
export const URB_FUNCTIONS: Record<number, string> = {
  0x0000: 'URB_FUNCTION_SELECT_CONFIGURATION',
  0x0001: 'URB_FUNCTION_SELECT_INTERFACE',
  0x0002: 'URB_FUNCTION_ABORT_PIPE',
  0x0008: 'URB_FUNCTION_CONTROL_TRANSFER',
  0x0009: 'URB_FUNCTION_BULK_OR_INTERRUPT_TRANSFER',
  0x000a: 'URB_FUNCTION_ISOCH_TRANSFER',
  0x000b: 'URB_FUNCTION_GET_DESCRIPTOR_FROM_DEVICE',
  0x000c: 'URB_FUNCTION_SET_DESCRIPTOR_TO_DEVICE',
  0x0013: 'URB_FUNCTION_GET_STATUS_FROM_DEVICE',
  0x0017: 'URB_FUNCTION_VENDOR_DEVICE',
  0x0018: 'URB_FUNCTION_VENDOR_INTERFACE',
  0x001a: 'URB_FUNCTION_CLASS_DEVICE',
  0x001b: 'URB_FUNCTION_CLASS_INTERFACE',
  0x001e: 'URB_FUNCTION_SYNC_RESET_PIPE_AND_CLEAR_STALL',
  0x0028: 'URB_FUNCTION_GET_DESCRIPTOR_FROM_INTERFACE',
  0x002a: 'URB_FUNCTION_GET_MS_FEATURE_DESCRIPTOR',
  0x0030: 'URB_FUNCTION_SYNC_RESET_PIPE',
  0x0031: 'URB_FUNCTION_SYNC_CLEAR_STALL',
  0x0032: 'URB_FUNCTION_CONTROL_TRANSFER_EX',
};

export function decodeUsbpcap(record: CaptureRecord, report: (p: CaptureProblem) => void): UsbPacket | undefined {
  const { view, offset } = record;
  if (record.capturedLength < BASE_HEADER)
    return fail(report, record, 'truncated', `USBPcap record of ${record.capturedLength} bytes, header needs ${BASE_HEADER}`);
  const headerLength = view.getUint16(offset, true);
  if (headerLength < BASE_HEADER || headerLength > record.capturedLength) {
    return fail(report, record, 'bad-header-length', `USBPcap headerLen ${headerLength} outside 27..${record.capturedLength}`);
  }
  const transferCode = view.getUint8(offset + 22);
  const endpointByte = view.getUint8(offset + 21);
  const completion = (view.getUint8(offset + 16) & 1) === 1;
  const dataLength = view.getUint32(offset + 23, true);
  const status = view.getUint32(offset + 10, true);

  let controlStage: UsbControlStage | undefined;
  if (transferCode === TRANSFER_CONTROL && headerLength >= 28) controlStage = CONTROL_STAGES[view.getUint8(offset + 27)];

  let payloadStart = headerLength;
  let payloadLength = record.capturedLength - headerLength;
  let declaredLength = dataLength;
  let setup: UsbSetupPacket | undefined;
  if (controlStage === 'setup' && payloadLength >= 8) {
    // The setup stage's payload IS the setup packet; what follows (rare) is OUT data.
    setup = readSetupPacket(view, offset + headerLength);
    payloadStart += 8;
    payloadLength -= 8;
    declaredLength = Math.max(0, dataLength - 8);
  }
  const capturedLength = Math.min(payloadLength, declaredLength);

  const packet = new UsbPacket(record);
  packet.bus = view.getUint16(offset + 17, true);
  packet.device = view.getUint16(offset + 19, true);
  packet.endpoint = endpointByte & 0x0f;
  packet.direction = endpointByte & 0x80 ? 'in' : 'out';
  packet.transferType = transferTypeFromCode(transferCode);
  packet.event = completion ? 'complete' : 'submit';
  packet.urbIdHigh = view.getUint32(offset + 6, true);
  packet.urbIdLow = view.getUint32(offset + 2, true);
  packet.status = status;
  // USBD_STATUS: the two top bits are the state; 00 = success, 01 = pending.
  packet.statusOk = status >>> 30 <= 1;
  packet.setup = setup;
  packet.controlStage = controlStage;
  packet.dataLength = declaredLength;
  packet.capturedLength = capturedLength;
  packet.truncated = capturedLength < declaredLength;
  packet.dataOffset = offset + payloadStart;
  packet.headerLength = payloadStart;
  return packet;
}

function fail(report: (p: CaptureProblem) => void, record: CaptureRecord, code: string, message: string): undefined {
  report({ code, message, severity: 'error', frame: record.frame });
  return undefined;
}
