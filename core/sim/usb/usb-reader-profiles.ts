/**
 * Readers the in-process USB device can be: each is a CCID class descriptor plus the USB identity
 * a user would see, modelled on a real reader whose traffic is in ../shared/captures (2ce3:9563,
 * QEMU's 08e6:4433) or whose behaviour libccid documents (GemPC Pinpad).
 */
import type { CcidClassDescriptorFields } from '#core/ccid/class-descriptor.js';
import { GEMPC_PINPAD_PROFILE, type VirtualReaderProfile } from '../reader/reader-profile.js';

export interface UsbReaderProfile {
  id: 'short-apdu' | 'tpdu-t0-qemu' | 'tpdu-t1-pinpad' | 'extended-apdu' | 'two-slots';
  vendorId: number;
  productId: number;
  manufacturer: string;
  product: string;
  interfaceClass: number;
  descriptor: CcidClassDescriptorFields;
  /** Answers to GET_CLOCK_FREQUENCIES (kHz) and GET_DATA_RATES (bps). */
  clockFrequencies: number[];
  dataRates: number[];
  /** The device model behind each slot (escape answers, keypad) — the GemPC look-alike. */
  readerProfile: VirtualReaderProfile;
}

const BASE = GEMPC_PINPAD_PROFILE.descriptor;

function readerProfileFor(name: string, descriptor: CcidClassDescriptorFields): VirtualReaderProfile {
  return { ...GEMPC_PINPAD_PROFILE, name, descriptor };
}

function profile(p: Omit<UsbReaderProfile, 'readerProfile'>): UsbReaderProfile {
  return { ...p, readerProfile: readerProfileFor(p.product, p.descriptor) };
}

/** Like 2ce3:9563 "EMV Smartcard Reader" in the GCC capture, held to short APDUs (its real dwFeatures say extended). */
export const SHORT_APDU_PROFILE = profile({
  id: 'short-apdu',
  vendorId: 0x2ce3,
  productId: 0x9563,
  manufacturer: 'Generic',
  product: 'EMV Smartcard Reader (short APDU)',
  interfaceClass: 0x0b,
  descriptor: {
    ...BASE,
    bVoltageSupport: 0x07,
    dwProtocols: 0x03,
    dwDefaultClock: 4000,
    dwMaximumClock: 12000,
    bNumClockSupported: 3,
    dwDataRate: 10753,
    dwMaxDataRate: 688172,
    bNumDataRatesSupported: 2,
    dwFeatures: 0x000204be,
    dwMaxCCIDMessageLength: 272,
    bClassGetResponse: 0xff,
    bClassEnvelope: 0xff,
    wLcdLayout: 0,
    bPINSupport: 0,
  },
  clockFrequencies: [4000, 8000, 12000],
  dataRates: [10753, 688172],
});

/** 2ce3:9563 as its descriptor really is: short and extended APDU level, 272-byte messages. */
export const EXTENDED_APDU_PROFILE = profile({
  ...SHORT_APDU_PROFILE,
  id: 'extended-apdu',
  product: 'EMV Smartcard Reader',
  descriptor: { ...SHORT_APDU_PROFILE.descriptor, dwFeatures: 0x000404be },
});

/** QEMU 7.2's usb-ccid (08e6:4433 "433-Swap"): TPDU level, T=0 only, the reader configures itself from the ATR. */
export const QEMU_TPDU_T0_PROFILE = profile({
  id: 'tpdu-t0-qemu',
  vendorId: 0x08e6,
  productId: 0x4433,
  manufacturer: 'Gemalto',
  product: 'Gemplus USB SmartCard Reader 433-Swap',
  interfaceClass: 0x0b,
  descriptor: {
    ...BASE,
    bVoltageSupport: 0x07,
    dwProtocols: 0x01,
    dwDefaultClock: 4000,
    dwMaximumClock: 65536,
    bNumClockSupported: 0,
    dwDataRate: 9600,
    dwMaxDataRate: 115200,
    bNumDataRatesSupported: 0,
    dwMaxIFSD: 254,
    dwFeatures: 0x000104fe,
    dwMaxCCIDMessageLength: 271,
    bClassGetResponse: 0xff,
    bClassEnvelope: 0xff,
    wLcdLayout: 0,
    bPINSupport: 0x01,
  },
  clockFrequencies: [],
  dataRates: [],
});

/** The GemPC Pinpad look-alike (the built-in "Cardbench Virtual Pinpad"): TPDU level, T=1 by the host, keypad. */
export const GEMPC_PINPAD_USB_PROFILE = profile({
  id: 'tpdu-t1-pinpad',
  vendorId: 0x08e6,
  productId: 0x3478,
  manufacturer: 'Cardbench',
  product: GEMPC_PINPAD_PROFILE.name,
  interfaceClass: 0x0b,
  descriptor: BASE,
  clockFrequencies: [],
  dataRates: [],
});

/** A two-slot reader (SIM-sized second slot), short APDU level. */
export const TWO_SLOT_PROFILE = profile({
  ...SHORT_APDU_PROFILE,
  id: 'two-slots',
  product: 'Cardbench Dual Slot',
  descriptor: { ...SHORT_APDU_PROFILE.descriptor, bMaxSlotIndex: 1, bMaxCCIDBusySlots: 1 },
});

export const USB_READER_PROFILES: readonly UsbReaderProfile[] = [
  SHORT_APDU_PROFILE,
  QEMU_TPDU_T0_PROFILE,
  GEMPC_PINPAD_USB_PROFILE,
  EXTENDED_APDU_PROFILE,
  TWO_SLOT_PROFILE,
];
