/**
 * Link-type registry: which decoder turns a record of a given LINKTYPE into a UsbPacket.
 * An unknown link type is reported once per interface and its packets are skipped.
 */
import type { CaptureProblem, CaptureRecord } from './capture-types.js';
import { decodeDarwin, LINKTYPE_USB_DARWIN } from './darwin.js';
import { LINKTYPE_WIRESHARK_UPPER_PDU } from './exported-pdu.js';
import type { UsbPacket } from './usb-packet.js';
import { decodeUsbmon, LINKTYPE_USB_LINUX, LINKTYPE_USB_LINUX_MMAPPED } from './usbmon.js';
import { decodeUsbpcap, LINKTYPE_USBPCAP } from './usbpcap.js';

export { LINKTYPE_USB_DARWIN, LINKTYPE_USB_LINUX, LINKTYPE_USB_LINUX_MMAPPED, LINKTYPE_USBPCAP };

export type UsbLinkDecoder = (record: CaptureRecord, report: (p: CaptureProblem) => void) => UsbPacket | undefined;

export const USB_LINK_DECODERS: Record<number, UsbLinkDecoder> = {
  [LINKTYPE_USB_LINUX]: decodeUsbmon,
  [LINKTYPE_USB_LINUX_MMAPPED]: decodeUsbmon,
  [LINKTYPE_USBPCAP]: decodeUsbpcap,
  [LINKTYPE_USB_DARWIN]: decodeDarwin,
};

export const LINK_TYPE_NAMES: Record<number, string> = {
  1: 'Ethernet',
  101: 'Raw IP',
  113: 'Linux cooked (SLL)',
  [LINKTYPE_USB_LINUX]: 'Linux usbmon (48-byte header)',
  [LINKTYPE_USB_LINUX_MMAPPED]: 'Linux usbmon (64-byte mmapped header)',
  [LINKTYPE_USBPCAP]: 'USBPcap (Windows)',
  [LINKTYPE_USB_DARWIN]: 'Darwin USB (macOS)',
  [LINKTYPE_WIRESHARK_UPPER_PDU]: 'Wireshark exported PDU',
  276: 'Linux cooked v2 (SLL2)',
};

export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES[linkType] ?? `link type ${linkType}`;
}

/** Dispatches records to their decoder; remembers which interfaces were already reported. */
export class UsbLinkDecoderSet {
  private readonly reported = new Set<number>();

  constructor(private readonly report: (p: CaptureProblem) => void) {}

  decode(record: CaptureRecord): UsbPacket | undefined {
    const decoder = USB_LINK_DECODERS[record.linkType];
    if (decoder) return decoder(record, this.report);
    if (!this.reported.has(record.interfaceIndex)) {
      this.reported.add(record.interfaceIndex);
      this.report({
        code: 'unsupported-link-type',
        message: `interface ${record.interfaceIndex} carries ${linkTypeName(record.linkType)}, not USB; its packets are skipped`,
        severity: 'warning',
        frame: record.frame,
      });
    }
    return undefined;
  }
}
