/**
 * What a reader offers for PIN entry, from what it answered: the part 10 feature list
 * (VERIFY_PIN_DIRECT, MODIFY_PIN_DIRECT, the START/FINISH pairs), IFD_PIN_PROPERTIES
 * (wLcdLayout, bEntryValidationCondition, bTimeOut2), the TLV properties (bMinPINSize,
 * bMaxPINSize, bPPDUSupport, wIdVendor/wIdProduct, sFirmwareID…) or, on the direct-USB and
 * virtual backends, the CCID class descriptor's bPINSupport and wLcdLayout. The result says it
 * in plain sentences too, for the wizard's first step and `cardbench pin`.
 *
 * API: pinpadCapabilities(source) → PinpadCapabilities. `source` is structurally the Readers
 * inspection (core/console/reader-inspection ReaderInspection), so the backend passes that.
 */
import { hexLiteral } from '../bytes/hex.js';
import { identifyReader, describeUsbId, type KnownReader, type ReaderIdentity } from './reader-models.js';

/** The parts of a reader inspection this model reads (ReaderInspection satisfies it). */
export interface PinpadCapabilitySource {
  name: string;
  backend?: string;
  /** Feature name → SCardControl code (hex). */
  features: Record<string, string>;
  tlvProperties: Record<string, number | string> | null;
  pinProperties: { wLcdLayout: number; bEntryValidationCondition: number; bTimeOut2: number } | null;
  ccidDescriptor?: {
    fields: { pinSupport: { verify: boolean; modify: boolean }; lcd?: { lines: number; charactersPerLine: number } } | null;
  } | null;
}

export type PinEntryPath = 'VERIFY_PIN_DIRECT' | 'MODIFY_PIN_DIRECT' | 'START/FINISH' | 'CCID bPINSupport';

export interface PinpadCapabilities {
  reader: string;
  /** A keypad the PIN can be typed on (verify or modify). */
  keypad: boolean;
  verify: boolean;
  modify: boolean;
  verifyVia: PinEntryPath | null;
  modifyVia: PinEntryPath | null;
  lcd: { lines: number; charactersPerLine: number } | null;
  /** null when the reader did not say. */
  minPin: number | null;
  maxPin: number | null;
  /** The conditions the reader can end entry on (bEntryValidationCondition bits), null when unknown. */
  entryValidationCondition: number | null;
  timeOut2: number | null;
  /** bPPDUSupport: PIN pad commands through SCardControl(CCID_ESC_COMMAND) and/or SCardTransmit. */
  ppdu: { viaEscape: boolean; viaTransmit: boolean } | null;
  identity: ReaderIdentity;
  /** A model drivers treat specially (see reader-models), null when none is recognised. */
  known: KnownReader | null;
  /** Plain sentences, most important first. */
  sentences: string[];
}

function numberProperty(tlv: Record<string, number | string> | null, name: string): number | null {
  const value = tlv?.[name];
  return typeof value === 'number' ? value : null;
}

function conditionText(bits: number): string {
  const parts = [bits & 1 ? 'the maximum size' : '', bits & 2 ? 'the validation key' : '', bits & 4 ? 'a timeout' : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing (0)';
}

/**
 * How the reader takes a PIN for one operation: the part 10 DIRECT feature, else both halves of
 * the START/FINISH pair, else the CCID descriptor's bPINSupport bit; null when none.
 */
function entryPath(
  features: Record<string, string>,
  descriptor: { pinSupport: { verify: boolean; modify: boolean } } | null,
  operation: 'verify' | 'modify',
): PinEntryPath | null {
  const feature = operation === 'verify' ? 'VERIFY_PIN' : 'MODIFY_PIN';
  if (`${feature}_DIRECT` in features) return `${feature}_DIRECT`;
  if (`${feature}_START` in features && `${feature}_FINISH` in features) return 'START/FINISH';
  return descriptor?.pinSupport[operation] ? 'CCID bPINSupport' : null;
}

export function pinpadCapabilities(source: PinpadCapabilitySource): PinpadCapabilities {
  const f = source.features;
  const tlv = source.tlvProperties;
  const descriptor = source.ccidDescriptor?.fields ?? null;
  const verifyVia = entryPath(f, descriptor, 'verify');
  const modifyVia = entryPath(f, descriptor, 'modify');
  const layout = numberProperty(tlv, 'wLcdLayout') ?? source.pinProperties?.wLcdLayout ?? null;
  const lcd = layout ? { lines: layout >> 8, charactersPerLine: layout & 0xff } : (descriptor?.lcd ?? null);
  const minPin = numberProperty(tlv, 'bMinPINSize');
  const maxPin = numberProperty(tlv, 'bMaxPINSize');
  const entryValidationCondition =
    numberProperty(tlv, 'bEntryValidationCondition') ?? source.pinProperties?.bEntryValidationCondition ?? null;
  const timeOut2 = numberProperty(tlv, 'bTimeOut2') ?? source.pinProperties?.bTimeOut2 ?? null;
  const ppduRaw = numberProperty(tlv, 'bPPDUSupport');
  const identity: ReaderIdentity = { name: source.name };
  const vendorId = numberProperty(tlv, 'wIdVendor');
  const productId = numberProperty(tlv, 'wIdProduct');
  if (vendorId !== null) identity.vendorId = vendorId;
  if (productId !== null) identity.productId = productId;
  if (typeof tlv?.sFirmwareID === 'string') identity.firmware = tlv.sFirmwareID;
  const known = identifyReader(identity);
  const verify = verifyVia !== null;
  const modify = modifyVia !== null;

  const sentences: string[] = [];
  if (!verify && !modify) {
    sentences.push('This reader has no keypad: the PIN will be typed here and sent in the APDU.');
  } else if (verify && modify) {
    sentences.push(`This reader has a PIN pad: it can verify a PIN (${verifyVia}) and change one (${modifyVia}) on its keypad.`);
  } else if (verify) {
    sentences.push(
      `This reader can verify a PIN on its keypad (${verifyVia}) but not change one: a PIN change is typed here and sent in the APDU.`,
    );
  } else {
    sentences.push(
      `This reader can change a PIN on its keypad (${modifyVia}) but not verify one: a verify is typed here and sent in the APDU.`,
    );
  }
  if (verify || modify) {
    sentences.push(
      lcd
        ? `It has a display of ${lcd.lines} line${lcd.lines === 1 ? '' : 's'} × ${lcd.charactersPerLine} characters: presets that follow OpenSC ask for its default messages.`
        : 'It has no display (or does not say so): presets that follow OpenSC ask for no message (bNumberMessage 00).',
    );
    if (minPin !== null || maxPin !== null)
      sentences.push(`It accepts PINs of ${minPin ?? '?'} to ${maxPin ?? '?'} digits (bMinPINSize/bMaxPINSize).`);
    if (entryValidationCondition !== null)
      sentences.push(
        `It can end PIN entry on ${conditionText(entryValidationCondition)} (bEntryValidationCondition ${hexLiteral(entryValidationCondition)}).`,
      );
  }
  if (ppduRaw !== null && ppduRaw !== 0) {
    sentences.push(`It also takes pinpad commands as APDUs (bPPDUSupport ${hexLiteral(ppduRaw)}).`);
  }
  if (known) {
    const id = known.by === 'name' ? `by its name` : describeUsbId(known.vendorId, known.productId);
    sentences.push(`Recognised as ${known.label} (${id}): drivers treat it specially; the warnings say how.`);
  }
  return {
    reader: source.name,
    keypad: verify || modify,
    verify,
    modify,
    verifyVia,
    modifyVia,
    lcd,
    minPin,
    maxPin,
    entryValidationCondition,
    timeOut2,
    ppdu: ppduRaw === null ? null : { viaEscape: (ppduRaw & 1) !== 0, viaTransmit: (ppduRaw & 2) !== 0 },
    identity,
    known,
    sentences,
  };
}
