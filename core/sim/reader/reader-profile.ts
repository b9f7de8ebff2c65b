/**
 * What the virtual pinpad reader is: a GemPC Pinpad look-alike, because that is the model
 * libccid's serial driver drives with PIN support and whose capabilities it assumes without
 * asking (dwFeatures 0x00010230 TPDU level, 271-byte messages, IFSD 254, one slot, bPINSupport 3).
 * The class descriptor is built here so a USB transport can present the same reader.
 */
import { encodeClassDescriptor, type CcidClassDescriptorFields } from '#core/ccid/class-descriptor.js';

export interface VirtualReaderProfile {
  /** Shown to users (PC/SC friendly name, USB product string). */
  name: string;
  /** ASCII answer to the GemPC firmware Escape `02` (libccid reads at most 49 bytes). */
  firmware: string;
  descriptor: CcidClassDescriptorFields;
  /** The GemPC firmware features record (Escape `6A`), or undefined to refuse that Escape. */
  firmwareFeatures?: GemaltoFirmwareFeatures;
}

/** The fields of libccid's GEMALTO_FIRMWARE_FEATURES (21 bytes) a pinpad fills in. */
export interface GemaltoFirmwareFeatures {
  lcdLines: number;
  lcdCharactersPerLine: number;
  entryValidationCondition: number;
  verifyPinDirect: boolean;
  modifyPinDirect: boolean;
  /** The reader lays out bMsgIndex2/3 of a PIN modify as CCID says (libccid skips its workaround). */
  numberMessageFixed: boolean;
  versionNumber: number;
  minPinSize: number;
  maxPinSize: number;
}

export const GEMALTO_FIRMWARE_FEATURES_LENGTH = 21;

export function encodeGemaltoFirmwareFeatures(f: GemaltoFirmwareFeatures): Uint8Array {
  const out = new Uint8Array(GEMALTO_FIRMWARE_FEATURES_LENGTH);
  out[0] = f.lcdLines;
  out[1] = f.lcdCharactersPerLine;
  out[2] = 0; // bLcdInfo: no scrolling
  out[3] = f.entryValidationCondition;
  // Bit fields are allocated from the least significant bit, in declaration order.
  out[4] = (f.verifyPinDirect ? 0x20 : 0) | (f.modifyPinDirect ? 0x40 : 0);
  out[8] = f.numberMessageFixed ? 0x04 : 0;
  out[12] = f.versionNumber;
  out[13] = f.minPinSize;
  out[14] = f.maxPinSize;
  return out;
}

/** dwFeatures 0x00010230: auto clock, auto baud rate, TPDU level. */
export const GEMPC_PINPAD_FEATURES = 0x00010230;

export const GEMPC_PINPAD_PROFILE: VirtualReaderProfile = {
  name: 'Cardbench Virtual Pinpad',
  firmware: 'GemPC Pinpad Cardbench virtual 1.00',
  descriptor: {
    bcdCCID: 0x0110,
    bMaxSlotIndex: 0,
    bVoltageSupport: 0x07,
    dwProtocols: 0x03,
    dwDefaultClock: 4000,
    dwMaximumClock: 4000,
    bNumClockSupported: 0,
    dwDataRate: 10752,
    dwMaxDataRate: 500000,
    bNumDataRatesSupported: 0,
    dwMaxIFSD: 254,
    dwSynchProtocols: 0,
    dwMechanical: 0,
    dwFeatures: GEMPC_PINPAD_FEATURES,
    dwMaxCCIDMessageLength: 271,
    bClassGetResponse: 0x00,
    bClassEnvelope: 0x00,
    wLcdLayout: 0x0210,
    bPINSupport: 0x03,
    bMaxCCIDBusySlots: 1,
  },
  firmwareFeatures: {
    lcdLines: 2,
    lcdCharactersPerLine: 16,
    entryValidationCondition: 0x02,
    verifyPinDirect: true,
    modifyPinDirect: true,
    numberMessageFixed: true,
    versionNumber: 1,
    minPinSize: 4,
    maxPinSize: 12,
  },
};

/** The 54-byte CCID class descriptor of a profile. */
export function profileClassDescriptor(profile: VirtualReaderProfile = GEMPC_PINPAD_PROFILE): Uint8Array {
  return encodeClassDescriptor(profile.descriptor);
}
