/**
 * Combinations known to break readers, cards or drivers, one row each with its source. The
 * wizard shows them next to the bytes and `cardbench pin` prints them; none of them stops a run
 * (a PIN tool must also let people reproduce a failure), except where the severity says the
 * driver will refuse the request.
 *
 * API: PIN_WARNING_RULES (the table), pinWarnings(context) → PinWarning[] in table order.
 *
 * Over 400 lines because it is a table: one rule per known breakage, each with its condition,
 * message and source next to each other; splitting it would only scatter the rules.
 */
import { intHex } from '../bytes/hex.js';
import {
  decodeConfirmPin,
  decodeFormatString,
  decodePinBlockString,
  decodePinLengthFormat,
  decodePinMaxExtraDigit,
  type PinOperationName,
  type PinParameters,
} from '../pcsc/pin-format.js';
import type { PinPreset } from './presets.js';
import type { PinpadCapabilities } from './reader-capabilities.js';
import type { KnownReader } from './reader-models.js';

export type PinWarningSeverity = 'error' | 'warning' | 'info';

export interface PinWarning {
  id: string;
  severity: PinWarningSeverity;
  /** The field to highlight ('apdu' for the template). */
  field?: string;
  message: string;
  source: string;
}

export interface PinWarningContext {
  operation: PinOperationName;
  parameters: PinParameters;
  preset?: PinPreset;
  reader: KnownReader | null;
  capabilities?: PinpadCapabilities | null;
}

interface PinWarningRule {
  id: string;
  severity: PinWarningSeverity | ((c: PinWarningContext) => PinWarningSeverity);
  field?: string;
  source: string;
  /** The sentence when the rule applies, null otherwise. */
  check(c: PinWarningContext): string | null;
}

const hex2 = (v: number) => intHex(v, 2);
const model = (c: PinWarningContext) => c.reader?.model;
const isGemPc = (c: PinWarningContext) => model(c) === 'gempc-pinpad' || model(c) === 'vega-alpha';
const isCherry = (c: PinWarningContext) => ['cherry', 'cherry-st2000', 'cherry-xx44', 'cherry-kc1000sc'].includes(model(c) ?? '');
const readerName = (c: PinWarningContext) => c.reader?.label ?? 'this reader';
const digits = (c: PinWarningContext) => decodePinMaxExtraDigit(c.parameters.wPINMaxExtraDigit);
const block = (c: PinWarningContext) => decodePinBlockString(c.parameters.bmPINBlockString);
const apdu = (c: PinWarningContext) => c.parameters.apdu;
const isCase1 = (c: PinWarningContext) => block(c).blockSizeBytes === 0 && apdu(c).length === 4;

export const PIN_WARNING_RULES: readonly PinWarningRule[] = [
  {
    id: 'no-keypad',
    severity: 'error',
    source: 'PC/SC part 10 §2.3 (feature list), CCID bPINSupport',
    check: (c) =>
      c.capabilities && !c.capabilities.keypad
        ? 'This reader has no keypad: the PIN will be typed here and sent in the APDU (software path).'
        : null,
  },
  {
    id: 'operation-not-offered',
    severity: 'error',
    source: 'PC/SC part 10 §2.3 (feature list), CCID bPINSupport',
    check: (c) => {
      const caps = c.capabilities;
      if (!caps?.keypad || caps[c.operation]) return null;
      return `This reader cannot ${c.operation === 'verify' ? 'verify' : 'change'} a PIN on its keypad (no ${c.operation === 'verify' ? 'VERIFY' : 'MODIFY'}_PIN_DIRECT): use the software path.`;
    },
  },
  {
    id: 'apdu-too-short',
    severity: 'error',
    field: 'apdu',
    source: 'libccid src/commands.c SecurePINVerify ("Command too short")',
    check: (c) =>
      apdu(c).length < 4 ? `The template has ${apdu(c).length} bytes: it needs at least CLA INS P1 P2; libccid refuses it.` : null,
  },
  {
    id: 'apdu-ins',
    severity: 'warning',
    field: 'apdu',
    source: 'ISO 7816-4 §11.5 (VERIFY 20/21, CHANGE REFERENCE DATA 24/25, RESET RETRY COUNTER 2C/2D)',
    check: (c) => {
      if (apdu(c).length < 2) return null;
      const ins = apdu(c)[1]!;
      const expected = c.operation === 'verify' ? [0x20, 0x21] : [0x24, 0x25, 0x2c, 0x2d];
      if (expected.includes(ins)) return null;
      return `INS ${hex2(ins)} is not a PIN ${c.operation === 'verify' ? 'VERIFY (20)' : 'CHANGE REFERENCE DATA (24)'}: the card will not read what the reader inserts as a PIN.`;
    },
  },
  {
    id: 'apdu-lc-mismatch',
    severity: 'warning',
    field: 'apdu',
    source: 'ISO 7816-4 §5.1 (command APDU cases)',
    check: (c) => {
      const a = apdu(c);
      if (a.length < 6 || a[4] === 0) return null;
      const data = a.length - 5;
      if (a[4] === data || a[4] === data - 1) return null;
      return `Lc says ${a[4]} but ${data} byte(s) follow the header: the card will see a malformed APDU.`;
    },
  },
  {
    id: 'lc-zero',
    severity: (c) => (model(c) === 'spr532' ? 'error' : 'warning'),
    field: 'apdu',
    source: 'OpenSC #309 and PR #317 (SPR332/532), OpenSC card-iasecc.c iasecc_pin_verify',
    check: (c) => {
      const a = apdu(c);
      if (a.length !== 5 || a[4] !== 0) return null;
      const who = model(c) === 'spr532' ? 'The SPR332/532 does not replace Lc' : 'Readers that do not replace Lc (the SPR332/532 does not)';
      return `The template ends with Lc 00 and no data. ${who}: the card then gets a VERIFY without PIN, which most cards answer with the retry counter, so the PIN looks wrong. Use the 4-byte case-1 template.`;
    },
  },
  {
    id: 'spr532-case1-verify',
    severity: 'warning',
    field: 'apdu',
    source: 'libccid src/commands.c SecurePINVerify (SPR532 and case 1 APDU); GnuPG scd/apdu.c pcsc_vendor_specific_init',
    check: (c) =>
      model(c) === 'spr532' && c.operation === 'verify' && isCase1(c)
        ? 'The SPR532 appends the PIN to a case-1 template only after the escape 80 02 00, which libccid and GnuPG send first; a driver that does not (a direct USB path) leaves the card a VERIFY without PIN.'
        : null,
  },
  {
    id: 'spr532-modify',
    severity: 'warning',
    source: 'OpenSC PR #317 (firmware bug confirmed by Identiv)',
    check: (c) =>
      model(c) === 'spr532' && c.operation === 'modify' && block(c).blockSizeBytes === 0
        ? 'A PIN change with a variable-length template fails on SPR332/532 readers (firmware bug): use a fixed-size PIN block.'
        : null,
  },
  {
    id: 'spr532-format2',
    severity: 'warning',
    field: 'bmFormatString',
    source: 'eid-mw cardcomm/pkcs11/src/cardlayer/pinpad.cpp ToFormatString',
    check: (c) =>
      model(c) === 'spr532' && c.parameters.bmFormatString === 0x89
        ? 'SPR532 firmware before 5.06 wants bmFormatString 01 instead of 89 for a format 2 block.'
        : null,
  },
  {
    id: 'gempc-number-message',
    severity: 'warning',
    field: 'bNumberMessage',
    source: 'libccid src/commands.c SecurePINVerify (GemPC Pinpad / Véga-Alpha)',
    check: (c) =>
      isGemPc(c) && c.operation === 'verify' && c.parameters.bNumberMessage !== 0x01
        ? `The ${readerName(c)} firmware rejects bNumberMessage 00 and FF: libccid sends 01 instead of ${hex2(c.parameters.bNumberMessage)}; another driver would see the reader refuse it.`
        : null,
  },
  {
    id: 'gempc-entry-validation',
    severity: 'warning',
    field: 'bEntryValidationCondition',
    source: 'libccid src/commands.c SecurePINVerify/SecurePINModify (GemPC Pinpad / Véga-Alpha)',
    check: (c) => {
      const evc = c.parameters.bEntryValidationCondition;
      if (!isGemPc(c) || evc === 0x02 || evc === 0 || evc > 7) return null;
      return `The ${readerName(c)} rejects the "max size reached" and "timeout" conditions: libccid sends 02 instead of ${hex2(evc)}.`;
    },
  },
  {
    id: 'gempc-max-digits',
    severity: 'warning',
    field: 'wPINMaxExtraDigit',
    source: 'eid-mw pinpad.cpp GetMaxPinLen; GnuPG scd/ccid-driver.c ccid_transceive_secure (GEMPC_PINPAD 4-8)',
    check: (c) =>
      model(c) === 'gempc-pinpad' && digits(c).max > 8 ? `The GemPC Pinpad takes at most 8 digits; ${digits(c).max} is asked.` : null,
  },
  {
    id: 'modify-messages-rewritten',
    severity: 'info',
    field: 'bNumberMessage',
    source: 'libccid src/commands.c SecurePINModify (SPR532, Cherry ST-2000)',
    check: (c) =>
      c.operation === 'modify' && (model(c) === 'spr532' || model(c) === 'cherry-st2000')
        ? `libccid sends this reader bNumberMessage 00 with all three bMsgIndex 00, whatever is set here (it has no display but wants every index).`
        : null,
  },
  {
    id: 'cherry-xx44-modify',
    severity: 'warning',
    field: 'bNumberMessage',
    source: 'libccid src/commands.c SecurePINModify (Cherry XX44)',
    check: (c) =>
      c.operation === 'modify' && model(c) === 'cherry-xx44' && c.parameters.bNumberMessage < 3
        ? 'With fewer than 3 messages the Cherry XX44 accepts the command and the card answers 6B 80; libccid sends 3.'
        : null,
  },
  {
    id: 'cherry-kc1000-modify',
    severity: 'info',
    field: 'bNumberMessage',
    source: 'libccid src/commands.c SecurePINModify (Cherry KC 1000 SC)',
    check: (c) =>
      c.operation === 'modify' && model(c) === 'cherry-kc1000sc' && c.parameters.bNumberMessage === 0
        ? 'The Cherry KC 1000 SC rejects bNumberMessage 00 in a PIN change: libccid sends FF.'
        : null,
  },
  {
    id: 'cherry-lc',
    severity: 'warning',
    field: 'apdu',
    source: 'GnuPG scd/ccid-driver.c ccid_transceive_secure (Cherry: add_zero)',
    check: (c) =>
      isCherry(c) && isCase1(c)
        ? 'GnuPG appends Lc 00 to the header for Cherry readers, which replace it with the PIN length; a bare 4-byte template may not get the PIN appended.'
        : null,
  },
  {
    id: 'cherry-max-digits',
    severity: 'info',
    field: 'wPINMaxExtraDigit',
    source: 'GnuPG scd/apdu.c pcsc_vendor_specific_init and scd/ccid-driver.c (Cherry: 15 digits)',
    check: (c) => (isCherry(c) && digits(c).max > 15 ? 'GnuPG limits Cherry readers to 15 digits.' : null),
  },
  {
    id: 'gemalto-modify-indexes',
    severity: 'info',
    field: 'bNumberMessage',
    source: 'libccid src/commands.c SecurePINModify (has_gemalto_modify_pin_bug)',
    check: (c) => {
      const nm = c.parameters.bNumberMessage;
      const gemalto = c.reader !== null && (c.reader.vendorId === 0x08e6 || c.reader.model === 'vega-alpha');
      return c.operation === 'modify' && gemalto && (nm === 0 || nm === 1 || nm === 2)
        ? 'Gemalto firmware expects bMsgIndex2 and bMsgIndex3 even when bNumberMessage does not ask for them: libccid sends all three; a driver that follows CCID to the letter gets the command refused.'
        : null;
    },
  },
  {
    id: 'dell-keyboard',
    severity: 'info',
    field: 'bNumberMessage',
    source: 'libccid src/commands.c SecurePINVerify (Dell keyboards)',
    check: (c) =>
      (model(c) === 'dell-scrk' || model(c) === 'dell-sk') && c.operation === 'verify'
        ? `Dell keyboards accept only bNumberMessage 00 (libccid rewrites it)${model(c) === 'dell-sk' ? ' and read wPINMaxExtraDigit byte-swapped (libccid swaps it)' : ''}.`
        : null,
  },
  {
    id: 'cyberjack-errors',
    severity: 'info',
    source: 'OpenSC #1051 and #1968; OpenSC reader-pcsc.c pcsc_pin_cmd (6B80 → "Generic reader error")',
    check: (c) =>
      model(c) === 'cyberjack'
        ? 'cyberJack readers use REINER SCT\'s own driver and failed with OpenSC\'s default structure where Gemalto and Omnikey readers took it: OpenSC reported "Generic reader error", its text for a pinpad answering 6B 80 (a field the firmware rejects) or a protocol mismatch. The outcome here shows the real answer.'
        : null,
  },
  {
    id: 'belgian-eid-gempc',
    severity: 'warning',
    source: 'eid-mw cardcomm/pkcs11/src/cardlayer/pinpad.cpp UsePinpad',
    check: (c) =>
      c.preset?.name === 'belgian-eid' && model(c) === 'gempc-pinpad'
        ? 'Without its vendor library the GemPC Pinpad sends a VERIFY with an empty buffer to show the remaining tries, and the Belgian eID counts it as a wrong PIN: eid-mw refuses this reader.'
        : null,
  },
  {
    id: 'gnupg-long-pins',
    severity: 'info',
    field: 'wPINMaxExtraDigit',
    source: 'GnuPG scd/ccid-driver.c ccid_transceive_secure',
    check: (c) =>
      c.preset?.name.startsWith('openpgp') && ['spr532', 'kaan', 'gnuk'].includes(model(c) ?? '') && digits(c).max < 25
        ? 'GnuPG allows up to 25 digits on this reader: --set wPINMaxExtraDigit=6-25 to match.'
        : null,
  },
  {
    id: 'entry-validation-invalid',
    severity: 'warning',
    field: 'bEntryValidationCondition',
    source: 'libccid src/commands.c SecurePINVerify/SecurePINModify; PC/SC part 10 §2.5.2',
    check: (c) => {
      const evc = c.parameters.bEntryValidationCondition;
      return evc === 0 || evc > 7
        ? `bEntryValidationCondition ${hex2(evc)} is invalid (bits 0-2 only, at least one): libccid sends 02 (the Cherry XX44 crashes on a wrong value); other drivers pass it to the reader.`
        : null;
    },
  },
  {
    id: 'entry-validation-unsupported',
    severity: 'warning',
    field: 'bEntryValidationCondition',
    source: 'PC/SC part 10 §2.6.8 IFD_PIN_PROPERTIES; libccid src/commands.c (Gemalto firmware features mask)',
    check: (c) => {
      const supported = c.capabilities?.entryValidationCondition;
      const evc = c.parameters.bEntryValidationCondition;
      if (supported === null || supported === undefined || evc === 0 || evc > 7 || (evc & ~supported) === 0) return null;
      return `The reader can end entry only on bEntryValidationCondition ${hex2(supported)}; ${hex2(evc)} asks for more (libccid masks it away on Gemalto readers, others may refuse).`;
    },
  },
  {
    id: 'number-message-invalid',
    severity: (c) => (c.operation === 'modify' ? 'error' : 'warning'),
    field: 'bNumberMessage',
    source: 'PC/SC part 10 §2.5.2/§2.5.3; libccid src/commands.c SecurePINModify ("Wrong bNumberMessage")',
    check: (c) => {
      const nm = c.parameters.bNumberMessage;
      if (nm === 0xff) return null;
      if (c.operation === 'verify' && nm > 1) return `bNumberMessage ${nm} is invalid for a verify (00, 01 or FF).`;
      if (c.operation === 'modify' && nm > 3)
        return `bNumberMessage ${nm} is invalid for a modify (00..03 or FF): libccid refuses the request.`;
      return null;
    },
  },
  {
    id: 'min-above-max',
    severity: 'error',
    field: 'wPINMaxExtraDigit',
    source: 'PC/SC part 10 §2.5.2 (wPINMaxExtraDigit)',
    check: (c) =>
      digits(c).min > digits(c).max ? `No PIN can be both at least ${digits(c).min} and at most ${digits(c).max} digits long.` : null,
  },
  {
    id: 'reader-pin-range',
    severity: 'warning',
    field: 'wPINMaxExtraDigit',
    source: 'PC/SC part 10 §2.6.14 bMinPINSize/bMaxPINSize; OpenSC reader-pcsc.c part10_check_pin_min_max',
    check: (c) => {
      const caps = c.capabilities;
      if (!caps) return null;
      const d = digits(c);
      const low = caps.minPin !== null && d.min < caps.minPin;
      const high = caps.maxPin !== null && caps.maxPin > 0 && d.max > caps.maxPin;
      if (!low && !high) return null;
      return `The reader accepts ${caps.minPin ?? '?'} to ${caps.maxPin ?? '?'} digits; ${d.min} to ${d.max} is asked (OpenSC narrows the range to the reader's).`;
    },
  },
  {
    id: 'pin-block-too-small',
    severity: 'warning',
    field: 'bmPINBlockString',
    source: 'PC/SC part 10 §2.5.2 (bmFormatString, bmPINBlockString)',
    check: (c) => {
      const b = block(c);
      if (b.blockSizeBytes === 0) return null;
      const fs = decodeFormatString(c.parameters.bmFormatString);
      const unit = fs.coding === 'bcd' ? 4 : 8;
      const offsetBits = fs.rightJustify ? 0 : fs.unitsBytes ? fs.pinPosition * 8 : fs.pinPosition;
      const need = offsetBits + digits(c).max * unit;
      if (need <= b.blockSizeBytes * 8) return null;
      const fit = Math.max(0, Math.floor((b.blockSizeBytes * 8 - offsetBits) / unit));
      return `A ${digits(c).max}-digit PIN does not fit in the ${b.blockSizeBytes}-byte PIN block at this position (it holds ${fit} digits): the reader may truncate it or refuse.`;
    },
  },
  {
    id: 'length-field-too-small',
    severity: 'warning',
    field: 'bmPINBlockString',
    source: 'PC/SC part 10 §2.5.2 (bmPINBlockString bits 7-4)',
    check: (c) => {
      const bits = block(c).lengthSizeBits;
      return bits > 0 && bits < 16 && digits(c).max >= 2 ** bits
        ? `A ${bits}-bit PIN length field holds at most ${2 ** bits - 1}; ${digits(c).max} digits are allowed.`
        : null;
    },
  },
  {
    id: 'length-overlaps-digits',
    severity: 'warning',
    field: 'bmPINLengthFormat',
    source: 'PC/SC part 10 §2.5.2 (bmPINLengthFormat, bmFormatString)',
    check: (c) => {
      const b = block(c);
      if (b.blockSizeBytes === 0 || b.lengthSizeBits === 0) return null;
      const fs = decodeFormatString(c.parameters.bmFormatString);
      const lf = decodePinLengthFormat(c.parameters.bmPINLengthFormat);
      const lengthStart = lf.unitsBytes ? lf.lengthPosition * 8 : lf.lengthPosition;
      const lengthEnd = lengthStart + b.lengthSizeBits;
      const unit = fs.coding === 'bcd' ? 4 : 8;
      const digitBits = digits(c).max * unit;
      const digitStart = fs.rightJustify ? b.blockSizeBytes * 8 - digitBits : fs.unitsBytes ? fs.pinPosition * 8 : fs.pinPosition;
      const overlaps = digitBits > 0 && lengthStart < digitStart + digitBits && digitStart < lengthEnd;
      return overlaps
        ? 'The PIN length field and the PIN digits overlap in the block: move one of them (bmPINLengthFormat or bmFormatString position).'
        : null;
    },
  },
  {
    id: 'pin-outside-apdu',
    severity: 'warning',
    field: 'apdu',
    source: 'PC/SC part 10 §2.5.2 (the PIN block lies in the APDU data)',
    check: (c) => {
      const b = block(c);
      if (b.blockSizeBytes === 0 || apdu(c).length < 4) return null;
      const modify = c.operation === 'modify';
      const offsets = modify
        ? [
            c.parameters.bInsertionOffsetNew,
            ...(decodeConfirmPin(c.parameters.bConfirmPIN).currentPinRequested ? [c.parameters.bInsertionOffsetOld] : []),
          ]
        : [0];
      const end = Math.max(...offsets) + 5 + b.blockSizeBytes;
      return end > apdu(c).length
        ? `The PIN block ends at byte ${end - 1} but the template has ${apdu(c).length} bytes: add filler bytes to the template.`
        : null;
    },
  },
  {
    id: 'insertion-overlap',
    severity: 'warning',
    field: 'bInsertionOffsetNew',
    source: 'PC/SC part 10 §2.5.3 (bInsertionOffsetOld/New)',
    check: (c) => {
      if (c.operation !== 'modify') return null;
      const size = block(c).blockSizeBytes;
      const confirm = decodeConfirmPin(c.parameters.bConfirmPIN);
      if (size === 0 || !confirm.currentPinRequested) return null;
      return Math.abs(c.parameters.bInsertionOffsetNew - c.parameters.bInsertionOffsetOld) < size
        ? 'The current and the new PIN blocks overlap: set bInsertionOffsetNew at least one block size after bInsertionOffsetOld.'
        : null;
    },
  },
  {
    id: 'reserved-bits',
    severity: 'warning',
    source: 'PC/SC part 10 §2.5.2 (bmFormatString coding 3, bmPINLengthFormat bits 7-5, bConfirmPIN bits 7-2)',
    check: (c) => {
      const found: string[] = [];
      if ((c.parameters.bmFormatString & 3) === 3) found.push('bmFormatString uses the reserved coding 3');
      if ((c.parameters.bmPINLengthFormat & 0xe0) !== 0) found.push('bmPINLengthFormat bits 7-5 are set');
      if (c.operation === 'modify' && (c.parameters.bConfirmPIN & 0xfc) !== 0) found.push('bConfirmPIN bits 7-2 are set');
      return found.length ? `${found.join('; ')}: readers may refuse the request.` : null;
    },
  },
  {
    id: 'timeout-default',
    severity: 'info',
    field: 'bTimerOut',
    source: 'PC/SC part 10 §2.5.2; libccid src/commands.c (read timeout max(90 s, bTimeOut + 10 s))',
    check: (c) =>
      c.parameters.bTimerOut === 0
        ? 'bTimerOut 0 lets the reader use its own timeout (often 30 to 60 s); libccid waits up to 90 s for the answer.'
        : null,
  },
  {
    id: 'teo-prologue',
    severity: 'info',
    field: 'bTeoPrologue',
    source: 'libccid src/commands.c SecurePINVerify/SecurePINModify (T=1 TPDU readers)',
    check: (c) =>
      c.parameters.bTeoPrologue !== 0
        ? 'libccid writes its own T=1 prologue into bTeoPrologue on TPDU-level readers; APDU-level readers ignore it.'
        : null,
  },
];

export function pinWarnings(context: PinWarningContext): PinWarning[] {
  const out: PinWarning[] = [];
  for (const rule of PIN_WARNING_RULES) {
    const message = rule.check(context);
    if (message === null) continue;
    const severity = typeof rule.severity === 'function' ? rule.severity(context) : rule.severity;
    out.push({ id: rule.id, severity, ...(rule.field ? { field: rule.field } : {}), message, source: rule.source });
  }
  return out;
}
