/**
 * A look at a record's link header without decoding it: for bulk, interrupt and isochronous
 * records, which device (bus and address) they belong to. Lets the pipeline drop the traffic of
 * devices it already knows cannot be CCID readers (a HID mouse is most of many captures) before
 * building packet objects for them. Control records always take the full decode: they carry the
 * descriptors and address changes the device registry learns from.
 */
import type { CaptureRecord } from './capture-types.js';
import { LINKTYPE_USB_LINUX, LINKTYPE_USB_LINUX_MMAPPED } from './usbmon.js';
import { LINKTYPE_USBPCAP } from './usbpcap.js';

const TRANSFER_CONTROL = 2;
const TRANSFER_BULK = 3;

/** bus × 256 + address (the registry's slot), or -1 when the record needs the full decode. */
export function dataTransferSlot(record: CaptureRecord): number {
  const { view, offset } = record;
  if (record.linkType === LINKTYPE_USBPCAP) {
    if (record.capturedLength < 27) return -1;
    const code = view.getUint8(offset + 22);
    if (code === TRANSFER_CONTROL || code > TRANSFER_BULK) return -1;
    return view.getUint16(offset + 17, true) * 256 + (view.getUint16(offset + 19, true) & 0xff);
  }
  if (record.linkType === LINKTYPE_USB_LINUX || record.linkType === LINKTYPE_USB_LINUX_MMAPPED) {
    if (record.capturedLength < (record.linkType === LINKTYPE_USB_LINUX ? 48 : 64)) return -1;
    const code = view.getUint8(offset + 9);
    if (code === TRANSFER_CONTROL || code > TRANSFER_BULK) return -1;
    return view.getUint16(offset + 12, record.littleEndian) * 256 + view.getUint8(offset + 11);
  }
  return -1;
}
