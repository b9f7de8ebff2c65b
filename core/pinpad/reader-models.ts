/**
 * Pinpad readers whose drivers and middleware treat them specially, recognised by USB VID:PID
 * (from the part 10 TLV properties wIdVendor/wIdProduct or a capture's device descriptor) or,
 * when that is unknown, by the name patterns GnuPG uses (scd/apdu.c pcsc_vendor_specific_init).
 * IDs come from libccid src/ccid.h and GnuPG scd/ccid-driver.h.
 *
 * API: identifyReader({ name?, vendorId?, productId?, firmware? }) → KnownReader (model + label)
 * or null; parseReaderIdentity('08E6:3478' | 'reader name') → ReaderIdentity.
 */
import { intHex } from '../bytes/hex.js';

export interface ReaderIdentity {
  name?: string;
  vendorId?: number;
  productId?: number;
  /** sFirmwareID from the TLV properties, when the reader gives one. */
  firmware?: string;
}

export type ReaderModel =
  | 'gempc-pinpad'
  | 'vega-alpha'
  | 'gemalto'
  | 'spr532'
  | 'cherry-st2000'
  | 'cherry-xx44'
  | 'cherry-kc1000sc'
  | 'cherry'
  | 'dell-scrk'
  | 'dell-sk'
  | 'cyberjack'
  | 'kaan'
  | 'gnuk'
  | 'vasco';

export interface KnownReader {
  model: ReaderModel;
  label: string;
  vendorId?: number;
  productId?: number;
  /** How it was recognised. */
  by: 'usb-id' | 'vendor-id' | 'name';
}

interface ModelRow {
  model: ReaderModel;
  label: string;
  vendorId: number;
  /** Absent: any product of the vendor. */
  productId?: number;
  /** Name fragments GnuPG and eid-mw match when no USB id is known. */
  names?: readonly string[];
}

/** Exact VID:PID rows first, then vendor-wide rows (libccid ccid.h, GnuPG ccid-driver.h). */
const MODELS: readonly ModelRow[] = [
  { model: 'gempc-pinpad', label: 'Gemalto GemPC Pinpad', vendorId: 0x08e6, productId: 0x3478, names: ['GemPC Pinpad', 'GemPCPinPad'] },
  { model: 'vega-alpha', label: 'Covadis Véga-Alpha', vendorId: 0x0982, productId: 0x0008, names: ['Vega-Alpha', 'Véga-Alpha'] },
  { model: 'spr532', label: 'SCM/Identiv SPR332/SPR532', vendorId: 0x04e6, productId: 0xe003, names: ['SPRx32', 'SPR532', 'SPR332'] },
  { model: 'cherry-st2000', label: 'Cherry ST-2000', vendorId: 0x046a, productId: 0x003e, names: ['ST-2xxx', 'ST-2000'] },
  { model: 'cherry-xx44', label: 'Cherry XX44 keyboard', vendorId: 0x046a, productId: 0x0010 },
  { model: 'cherry-kc1000sc', label: 'Cherry KC 1000 SC', vendorId: 0x046a, productId: 0x00a1 },
  { model: 'dell-scrk', label: 'Dell smart card reader keyboard', vendorId: 0x413c, productId: 0x2101 },
  { model: 'dell-sk', label: 'Dell smart card keyboard', vendorId: 0x413c, productId: 0x2100 },
  { model: 'cherry', label: 'Cherry reader', vendorId: 0x046a, names: ['Cherry'] },
  { model: 'gemalto', label: 'Gemalto reader', vendorId: 0x08e6, names: ['Gemalto', 'Gemplus'] },
  { model: 'cyberjack', label: 'REINER SCT cyberJack', vendorId: 0x0c4b, names: ['cyberJack'] },
  { model: 'kaan', label: 'KOBIL KAAN', vendorId: 0x0d46, names: ['KAAN'] },
  { model: 'gnuk', label: 'FSIJ Gnuk Token', vendorId: 0x234b, names: ['Gnuk'] },
  { model: 'vasco', label: 'VASCO DIGIPASS', vendorId: 0x1a44, names: ['DIGIPASS'] },
];

export function identifyReader(identity: ReaderIdentity): KnownReader | null {
  const { vendorId, productId } = identity;
  if (vendorId !== undefined) {
    const exact = productId !== undefined ? MODELS.find((m) => m.vendorId === vendorId && m.productId === productId) : undefined;
    if (exact) return { model: exact.model, label: exact.label, vendorId, ...(productId !== undefined ? { productId } : {}), by: 'usb-id' };
    const vendor = MODELS.find((m) => m.vendorId === vendorId && m.productId === undefined);
    if (vendor)
      return { model: vendor.model, label: vendor.label, vendorId, ...(productId !== undefined ? { productId } : {}), by: 'vendor-id' };
    return null;
  }
  const name = identity.name?.toLowerCase();
  if (!name) return null;
  const row = MODELS.find((m) => m.names?.some((n) => name.includes(n.toLowerCase())));
  if (!row) return null;
  return {
    model: row.model,
    label: row.label,
    vendorId: row.vendorId,
    ...(row.productId !== undefined ? { productId: row.productId } : {}),
    by: 'name',
  };
}

export function describeUsbId(vendorId?: number, productId?: number): string {
  if (vendorId === undefined) return 'unknown USB id';
  return `${intHex(vendorId, 4)}:${productId === undefined ? '????' : intHex(productId, 4)}`;
}

/** `08E6:3478` (hex VID:PID) or anything else as a reader name. */
export function parseReaderIdentity(text: string): ReaderIdentity {
  const m = /^\s*([0-9a-f]{4}):([0-9a-f]{4})\s*$/i.exec(text);
  if (m) return { vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16) };
  return { name: text };
}
