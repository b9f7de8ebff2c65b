/**
 * Card presets as data: one row per card application, each with the structure values the
 * middleware that knows the card sends, the SELECT of its application, and whether the card
 * answers a VERIFY without data with its retry counter. Values were read in GnuPG (scd/apdu.c
 * pcsc_pinpad_verify/modify, scd/ccid-driver.c ccid_transceive_secure, scd/app-openpgp.c),
 * OpenSC (src/libopensc/reader-pcsc.c part10_build_verify/modify_pin_block, iso7816.c
 * iso7816_build_pin_apdu and the card drivers), the Belgian eID middleware (eid-mw
 * cardcomm/pkcs11/src/cardlayer/pinpad.cpp) and libccid (src/commands.c); the comment on each
 * row says which.
 *
 * API: PIN_PRESETS (the table), PIN_PRESET_NAMES, findPreset(name), presetOperations(preset),
 * presetParameters(preset, operation, { display }) → PinParameters and what the display chose.
 *
 * Over 400 lines because it is a table: one row per card application with the source it was read
 * in; rows are compared side by side, so they stay together. The builders the rows call are above it.
 */
import { fromHex } from '../bytes/hex.js';
import { emptyPinParameters, type PinNumericField, type PinOperationName, type PinParameters } from '../pcsc/pin-format.js';

/** What a preset does for one operation. */
export interface PinPresetOperation {
  /** Field values (fields not given are 0). */
  fields: Partial<Record<PinNumericField, number>>;
  /** OpenSC's rule: bNumberMessage FF (reader's default message) with a display, 00 without. */
  numberMessageByDisplay?: { display: number; noDisplay: number };
  /** The APDU template, hex. */
  apdu: string;
}

/**
 * Does the card answer VERIFY without data (`CLA 20 00 P2`) with 63Cx / 9000 without spending
 * a try? 'supported' (the middleware relies on it), 'card-dependent' (ISO allows it, some cards
 * count it as a wrong PIN: OpenSC iso7816.c iso7816_pin_cmd), 'unsupported' (the card counts it
 * or answers elsewhere).
 */
export type RetryProbeSupport = 'supported' | 'card-dependent' | 'unsupported';

export interface PinPreset {
  name: string;
  title: string;
  /** The card or application family. */
  card: string;
  /** Where the values come from. */
  source: string;
  verify?: PinPresetOperation;
  modify?: PinPresetOperation;
  /** The SELECT of the application, hex, sent before the PIN command; null when the PIN lives at MF level. */
  select: string | null;
  retryProbe: RetryProbeSupport;
  /** Why the probe is (not) safe, with its source. */
  retryProbeNote: string;
  notes: readonly string[];
}

const FF = (n: number) => 'FF'.repeat(n);

/** What differs between the rows that share a builder: timeouts, PIN layout, length bounds, offsets. */
type PresetFields = PinPresetOperation['fields'];

/**
 * OpenSC reader-pcsc.c part10_build_verify_pin_block: both timeouts 30 s (1E), entry ended by the
 * OK key (bEntryValidationCondition 02), bNumberMessage FF (the reader's default message) with a
 * display and 00 without, wLangId 0000. The card driver's PIN settings give the layout.
 */
function openscVerify(layout: PresetFields, apdu: string): PinPresetOperation {
  return {
    fields: { bTimerOut: 0x1e, bTimerOut2: 0x1e, ...layout, bEntryValidationCondition: 0x02 },
    numberMessageByDisplay: { display: 0xff, noDisplay: 0x00 },
    apdu,
  };
}

/**
 * OpenSC part10_build_modify_pin_block: as the verify builder, with the current PIN and the new
 * one twice (bConfirmPIN 03), messages 0, 1, 2 and bNumberMessage 03 with a display, 00 without.
 */
function openscModify(layout: PresetFields, apdu: string): PinPresetOperation {
  return {
    fields: {
      bTimerOut: 0x1e,
      bTimerOut2: 0x1e,
      ...layout,
      bConfirmPIN: 0x03,
      bEntryValidationCondition: 0x02,
      bMsgIndex2: 1,
      bMsgIndex3: 2,
    },
    numberMessageByDisplay: { display: 0x03, noDisplay: 0x00 },
    apdu,
  };
}

/**
 * The verify block GnuPG (scd/apdu.c pcsc_pinpad_verify) and eid-mw (pinpad.cpp PinCmd1) build,
 * which the ISO rows follow: entry ended by the OK key (02), one message (bNumberMessage 01,
 * index 0), English (wLangId 0409). Timeouts and layout are the row's.
 */
function promptedVerify(layout: PresetFields, apdu: string): PinPresetOperation {
  return { fields: { ...layout, bEntryValidationCondition: 0x02, bNumberMessage: 0x01, wLangId: 0x0409 }, apdu };
}

/**
 * GnuPG pcsc_pinpad_modify / eid-mw PinCmd2: the current PIN and the new one twice (bConfirmPIN
 * 03), three messages (bNumberMessage 03, indexes 0, 1, 2), English.
 */
function promptedModify(layout: PresetFields, apdu: string): PinPresetOperation {
  return {
    fields: {
      ...layout,
      bConfirmPIN: 0x03,
      bEntryValidationCondition: 0x02,
      bNumberMessage: 0x03,
      wLangId: 0x0409,
      bMsgIndex2: 1,
      bMsgIndex3: 2,
    },
    apdu,
  };
}

export const PIN_PRESETS: readonly PinPreset[] = [
  // GnuPG scd/apdu.c pcsc_pinpad_verify + scd/ccid-driver.c ccid_transceive_secure: bTimeOut 0,
  // bmFormatString 82 (bytes, position 0, left, ASCII); readers that take variable length get
  // fixedlen 0 → bmPINBlockString 00 and a case-1 APDU (the reader appends Lc and the PIN);
  // bEntryValidationCondition 02, bNumberMessage 01 verify / 03 modify, wLangId 0409, bMsgIndex
  // 0 / 0,1,2; PW1 min 6 (scd/app-openpgp.c), max 15 (25 on SCM, KAAN, Gnuk in ccid-driver.c);
  // modify bConfirmPIN 03 because P1 is 00 (old PIN, new PIN twice).
  {
    name: 'openpgp-pw1',
    title: 'OpenPGP card PW1 (81, signing)',
    card: 'OpenPGP card 2.x/3.x',
    source: 'GnuPG scd/apdu.c pcsc_pinpad_verify/pcsc_pinpad_modify, scd/ccid-driver.c ccid_transceive_secure, scd/app-openpgp.c',
    verify: promptedVerify({ bmFormatString: 0x82, wPINMaxExtraDigit: 0x060f }, '00200081'),
    modify: promptedModify({ bmFormatString: 0x82, wPINMaxExtraDigit: 0x060f }, '00240081'),
    select: '00A4040006D27600012401',
    retryProbe: 'supported',
    retryProbeNote:
      'OpenPGP card 3.1 and later answer VERIFY without data with the counter (OpenSC card-openpgp.c enables PIN info from 3.1).',
    notes: [
      "GnuPG's PC/SC path appends Lc 00 to the template and sets bTeoPrologue LEN to 5 (apdu.c); --set apdu=0020008100 reproduces it, but SPR332/532 readers do not patch that Lc (OpenSC #309).",
      'GnuPG allows 25 digits on SCM, KAAN and Gnuk readers and 15 on Cherry readers (ccid-driver.c).',
    ],
  },
  // Same as openpgp-pw1 with P2 82: PW1 for decryption and authentication (GnuPG app-openpgp.c verify_chv2).
  {
    name: 'openpgp-pw1-82',
    title: 'OpenPGP card PW1 (82, decryption/authentication)',
    card: 'OpenPGP card 2.x/3.x',
    source: 'GnuPG scd/apdu.c pcsc_pinpad_verify, scd/app-openpgp.c verify_chv2',
    verify: promptedVerify({ bmFormatString: 0x82, wPINMaxExtraDigit: 0x060f }, '00200082'),
    select: '00A4040006D27600012401',
    retryProbe: 'supported',
    retryProbeNote: 'OpenPGP card 3.1 and later answer VERIFY without data with the counter (OpenSC card-openpgp.c).',
    notes: ['PW1 is changed through reference 81: use openpgp-pw1 for a modify.'],
  },
  // GnuPG as above with P2 83 (admin PIN); PW3 min 8 (scd/app-openpgp.c verify_chv3).
  {
    name: 'openpgp-pw3',
    title: 'OpenPGP card PW3 (83, admin)',
    card: 'OpenPGP card 2.x/3.x',
    source: 'GnuPG scd/apdu.c pcsc_pinpad_verify/pcsc_pinpad_modify, scd/app-openpgp.c verify_chv3',
    verify: promptedVerify({ bmFormatString: 0x82, wPINMaxExtraDigit: 0x080f }, '00200083'),
    modify: promptedModify({ bmFormatString: 0x82, wPINMaxExtraDigit: 0x080f }, '00240083'),
    select: '00A4040006D27600012401',
    retryProbe: 'supported',
    retryProbeNote: 'OpenPGP card 3.1 and later answer VERIFY without data with the counter (OpenSC card-openpgp.c).',
    notes: [],
  },
  // OpenSC reader-pcsc.c part10_build_verify_pin_block with card-piv.c (ASCII PIN padded with FF
  // to 8 bytes, pin1.offset 5 from iso7816_build_pin_apdu): bTimerOut/bTimerOut2 30 (1E),
  // bmFormatString 82, bmPINBlockString 08, min 4 max 8, bEntryValidationCondition 02,
  // bNumberMessage FF with a display / 00 without, wLangId 0000. The modify block builder sets no
  // byte-units bit (bmFormatString 02: position 0 reads the same), offsets 0 and 8, bConfirmPIN 03.
  {
    name: 'piv-pin',
    title: 'PIV card application PIN (80)',
    card: 'PIV (NIST SP 800-73-4)',
    source: 'OpenSC reader-pcsc.c part10_build_verify_pin_block/part10_build_modify_pin_block, card-piv.c, iso7816.c',
    verify: openscVerify({ bmFormatString: 0x82, bmPINBlockString: 0x08, wPINMaxExtraDigit: 0x0408 }, `0020008008${FF(8)}`),
    modify: openscModify(
      { bmFormatString: 0x02, bmPINBlockString: 0x08, bInsertionOffsetNew: 8, wPINMaxExtraDigit: 0x0408 },
      `0024008010${FF(16)}`,
    ),
    select: '00A4040009A0000003080000100000',
    retryProbe: 'supported',
    retryProbeNote: 'SP 800-73-4 defines VERIFY without data as the retry counter query (OpenSC card-piv.c).',
    notes: [],
  },
  // OpenSC card-iasecc.c: PIN padded with FF to the stored length of the card's PIN policy
  // (iasecc_set_pin_padding; 8 here), then the generic part 10 builders as for PIV; min/max from
  // the policy. The reference is the card's (0x80 | n for a local PIN).
  {
    name: 'ias-ecc',
    title: 'IAS-ECC PIN (fixed-length block)',
    card: 'IAS-ECC (e.g. national ID, health cards)',
    source: 'OpenSC card-iasecc.c iasecc_pin_verify/iasecc_pin_merge_policy, reader-pcsc.c part10_build_*_pin_block',
    verify: openscVerify({ bmFormatString: 0x82, bmPINBlockString: 0x08, wPINMaxExtraDigit: 0x0408 }, `0020008108${FF(8)}`),
    modify: openscModify(
      { bmFormatString: 0x02, bmPINBlockString: 0x08, bInsertionOffsetNew: 8, wPINMaxExtraDigit: 0x0408 },
      `0024008110${FF(16)}`,
    ),
    select: '00A4040C10A000000077010800070000FE00000100',
    retryProbe: 'supported',
    retryProbeNote: 'OpenSC enables PIN info for IAS-ECC (card-iasecc.c); the card answers the counter without decreasing it.',
    notes: [
      'Set the block size and wPINMaxExtraDigit to the card policy (OpenSC reads it from the card). IAS-ECC refuses a variable-length VERIFY whose Lc the reader did not update (OpenSC #424).',
    ],
  },
  // eid-mw cardcomm/pkcs11/src/cardlayer/pinpad.cpp PinCmd1/PinCmd2: bTimerOut/bTimerOut2 30,
  // bmFormatString 89 (bytes, position 1, BCD), bmPINBlockString 47 (4-bit length, 7-byte block:
  // 0x40 | stored length - 1), bmPINLengthFormat 04 (bits, position 4): ISO 9564 format 2 with
  // the control nibble 2 in the template; min 4 max 12, bEntryValidationCondition 02,
  // bNumberMessage 01 / 03, bMsgIndex 0 / 0,1,2; modify offsets 0 and 8, bConfirmPIN 03. eid-mw
  // writes wLangId high byte first (bytes 04 09); the preset writes it little-endian as part 10 says.
  {
    name: 'belgian-eid',
    title: 'Belgian eID PIN (ISO 9564 format 2)',
    card: 'Belgian eID (BELPIC)',
    source:
      'eid-mw cardcomm/pkcs11/src/cardlayer/pinpad.cpp (PinCmd1, PinCmd2, ToFormatString, ToPinBlockString), minidriver SmartCard.c (SELECT)',
    verify: promptedVerify(
      {
        bTimerOut: 0x1e,
        bTimerOut2: 0x1e,
        bmFormatString: 0x89,
        bmPINBlockString: 0x47,
        bmPINLengthFormat: 0x04,
        wPINMaxExtraDigit: 0x040c,
      },
      `002000010820${FF(7)}`,
    ),
    modify: promptedModify(
      {
        bTimerOut: 0x1e,
        bTimerOut2: 0x1e,
        bmFormatString: 0x89,
        bmPINBlockString: 0x47,
        bmPINLengthFormat: 0x04,
        bInsertionOffsetNew: 8,
        wPINMaxExtraDigit: 0x040c,
      },
      `002400011020${FF(7)}20${FF(7)}`,
    ),
    select: '00A4040C0CA000000177504B43532D3135',
    retryProbe: 'unsupported',
    retryProbeNote:
      'The Belgian eID counts a VERIFY with an empty buffer as a wrong PIN (eid-mw pinpad.cpp, about the GemPC Pinpad): never probe it.',
    notes: [
      'SPR532 firmware before 5.06 wants bmFormatString 01 instead of 89; the GemPC Pinpad takes at most 8 digits (eid-mw pinpad.cpp).',
    ],
  },
  // OpenSC card-mcrd.c (EstEID): pin1.offset 5 and a case-1 APDU; OpenSC #1083 shows the block it
  // sent: 1E 1E 02 00 00, min 4 max 12, bEntryValidationCondition 02, bNumberMessage FF (display),
  // wLangId 0000, APDU 00 20 00 01. The reader appends Lc and the PIN.
  {
    name: 'esteid',
    title: 'EstEID PIN1 (variable length)',
    card: 'Estonian ID card (EstEID)',
    source: 'OpenSC card-mcrd.c mcrd_pin_cmd, reader-pcsc.c part10_build_*_pin_block, block logged in OpenSC #1083',
    verify: openscVerify({ bmFormatString: 0x02, wPINMaxExtraDigit: 0x040c }, '00200001'),
    modify: openscModify({ bmFormatString: 0x02, wPINMaxExtraDigit: 0x040c }, '00240001'),
    select: null,
    retryProbe: 'unsupported',
    retryProbeNote: 'EstEID reports tries in GET DATA 3FFF, not in a VERIFY without data (OpenSC card-esteid2018.c).',
    notes: ['PIN2 (signing) uses P2 02: --set apdu=00200002.'],
  },
  // OpenSC card-sc-hsm.c (pin1.offset 5, case-1 APDU since PR #317) with the part 10 builders;
  // OpenSC #309 shows the block: 1E 1E 02 00 00, min 6 max 15, bEntryValidationCondition 02,
  // bNumberMessage 00 (no display), wLangId 0000; PR #317 removed the Lc 00 the SPR532 left alone.
  {
    name: 'smartcard-hsm',
    title: 'SmartCard-HSM user PIN (variable length)',
    card: 'SmartCard-HSM',
    source: 'OpenSC card-sc-hsm.c sc_hsm_pin_cmd, reader-pcsc.c part10_build_*_pin_block, OpenSC #309 and PR #317',
    verify: openscVerify({ bmFormatString: 0x02, wPINMaxExtraDigit: 0x060f }, '00200081'),
    modify: openscModify({ bmFormatString: 0x02, wPINMaxExtraDigit: 0x060f }, '00240081'),
    select: '00A4040C0BE82B0601040181C31F0201',
    retryProbe: 'supported',
    retryProbeNote: 'OpenSC enables PIN info for the SmartCard-HSM (card-sc-hsm.c) and queries it with a case-1 VERIFY.',
    notes: ['A PIN change on SPR332/532 readers fails (firmware bug confirmed by Identiv, OpenSC PR #317).'],
  },
  // The generic ISO 7816-4 VERIFY with an ASCII PIN padded with FF in an 8-byte block, as in the
  // real capture (pinpad-labcard.txt (a)); CHANGE REFERENCE DATA with both blocks back to back.
  {
    name: 'iso-ascii',
    title: 'ISO VERIFY, ASCII digits in an 8-byte FF block',
    card: 'any ISO 7816-4 card',
    source: 'ISO 7816-4 VERIFY / CHANGE REFERENCE DATA; PC/SC part 10 §2.5.2; the capture usbmon-qemu-pinpad (a)',
    verify: promptedVerify(
      { bTimerOut: 0x1e, bmFormatString: 0x82, bmPINBlockString: 0x08, wPINMaxExtraDigit: 0x0408 },
      `0020008108${FF(8)}`,
    ),
    modify: promptedModify(
      { bTimerOut: 0x1e, bmFormatString: 0x82, bmPINBlockString: 0x08, bInsertionOffsetNew: 8, wPINMaxExtraDigit: 0x0408 },
      `0024008110${FF(16)}`,
    ),
    select: null,
    retryProbe: 'card-dependent',
    retryProbeNote: 'ISO 7816-4 allows VERIFY without data as a counter query, but some cards count it as a wrong PIN (OpenSC iso7816.c).',
    notes: ["Set P2 to the card's reference data: --set apdu=00200001 08 FF…"],
  },
  // BCD digits, left-justified, F fillers: bmFormatString 81 (bytes, position 0, BCD); an 8-byte
  // block holds up to 16 digits (PC/SC part 10 §2.5.2).
  {
    name: 'iso-bcd',
    title: 'ISO VERIFY, BCD digits in an 8-byte F-filled block',
    card: 'any ISO 7816-4 card',
    source: 'ISO 7816-4 VERIFY / CHANGE REFERENCE DATA; PC/SC part 10 §2.5.2',
    verify: promptedVerify(
      { bTimerOut: 0x1e, bmFormatString: 0x81, bmPINBlockString: 0x08, wPINMaxExtraDigit: 0x040c },
      `0020008108${FF(8)}`,
    ),
    modify: promptedModify(
      { bTimerOut: 0x1e, bmFormatString: 0x81, bmPINBlockString: 0x08, bInsertionOffsetNew: 8, wPINMaxExtraDigit: 0x040c },
      `0024008110${FF(16)}`,
    ),
    select: null,
    retryProbe: 'card-dependent',
    retryProbeNote: 'ISO 7816-4 allows VERIFY without data as a counter query, but some cards count it as a wrong PIN (OpenSC iso7816.c).',
    notes: [],
  },
  // ISO 9564 format 2 block (control nibble 2, length nibble, BCD digits, F fillers) with the
  // bytes/position-1 layout of the capture (pinpad-labcard.txt (b): 89 47 04, P2 80) and eid-mw.
  {
    name: 'iso-format2',
    title: 'ISO VERIFY, ISO 9564 format 2 PIN block',
    card: 'any ISO 7816-4 card using format 2 (e.g. EMV offline plaintext PIN)',
    source: 'ISO 9564-1 format 2; PC/SC part 10 §2.5.2; the capture usbmon-qemu-pinpad (b); eid-mw pinpad.cpp',
    verify: promptedVerify(
      { bTimerOut: 0x1e, bmFormatString: 0x89, bmPINBlockString: 0x47, bmPINLengthFormat: 0x04, wPINMaxExtraDigit: 0x040c },
      `002000800820${FF(7)}`,
    ),
    modify: promptedModify(
      {
        bTimerOut: 0x1e,
        bmFormatString: 0x89,
        bmPINBlockString: 0x47,
        bmPINLengthFormat: 0x04,
        bInsertionOffsetNew: 8,
        wPINMaxExtraDigit: 0x040c,
      },
      `002400801020${FF(7)}20${FF(7)}`,
    ),
    select: null,
    retryProbe: 'card-dependent',
    retryProbeNote: 'ISO 7816-4 allows VERIFY without data as a counter query, but some cards count it as a wrong PIN (OpenSC iso7816.c).',
    notes: [],
  },
  // OpenSC's own reading of format 2 (SC_PIN_ENCODING_GLP in reader-pcsc.c and sec.c):
  // bmFormatString 41 (position counted in bits: 8 bits = byte 1, BCD), bmPINBlockString 48
  // (4-bit length, 8-byte block), bmPINLengthFormat 04; EMV has no offline PIN change.
  {
    name: 'emv-plaintext',
    title: 'EMV offline plaintext PIN (format 2, bit units)',
    card: 'EMV payment card (application already selected)',
    source: 'OpenSC reader-pcsc.c part10_build_verify_pin_block (SC_PIN_ENCODING_GLP), sec.c sc_build_pin; EMV Book 3 VERIFY P2 80',
    verify: openscVerify(
      { bmFormatString: 0x41, bmPINBlockString: 0x48, bmPINLengthFormat: 0x04, wPINMaxExtraDigit: 0x040c },
      `002000800820${FF(7)}`,
    ),
    select: null,
    retryProbe: 'unsupported',
    retryProbeNote: 'EMV cards give the PIN try counter in GET DATA 9F17, not in a VERIFY without data.',
    notes: ['Select the payment application first (the EMV flow does); a wrong PIN costs a try of the real card.'],
  },
  // A neutral starting point for every field: the values of iso-ascii (without its timeout), meant to be changed.
  {
    name: 'custom',
    title: 'Custom (every field yours)',
    card: 'any',
    source: 'PC/SC part 10 §2.5.2 / §2.5.3 defaults',
    verify: promptedVerify({ bmFormatString: 0x82, bmPINBlockString: 0x08, wPINMaxExtraDigit: 0x0408 }, `0020008108${FF(8)}`),
    modify: promptedModify(
      { bmFormatString: 0x82, bmPINBlockString: 0x08, bInsertionOffsetNew: 8, wPINMaxExtraDigit: 0x0408 },
      `0024008110${FF(16)}`,
    ),
    select: null,
    retryProbe: 'card-dependent',
    retryProbeNote: 'Whether a VERIFY without data is safe depends on the card (OpenSC iso7816.c).',
    notes: [],
  },
];

export const PIN_PRESET_NAMES: readonly string[] = PIN_PRESETS.map((p) => p.name);

export function findPreset(name: string): PinPreset | undefined {
  const wanted = name.trim().toLowerCase();
  return PIN_PRESETS.find((p) => p.name === wanted);
}

export function presetOperations(preset: PinPreset): PinOperationName[] {
  return (['verify', 'modify'] as const).filter((op) => preset[op] !== undefined);
}

export interface PresetParameters {
  parameters: PinParameters;
  /** Set when bNumberMessage came from the display rule: which branch and why. */
  numberMessageRule?: { display: boolean | null; value: number };
}

/**
 * A preset's parameters for one operation. `display` is whether the reader has an LCD (null when
 * unknown: OpenSC then behaves as without one). Undefined when the preset has no such operation.
 */
export function presetParameters(
  preset: PinPreset,
  operation: PinOperationName,
  options: { display?: boolean | null } = {},
): PresetParameters | undefined {
  const op = preset[operation];
  if (!op) return undefined;
  const parameters: PinParameters = { ...emptyPinParameters(), ...op.fields, apdu: fromHex(op.apdu) };
  if (!op.numberMessageByDisplay) return { parameters };
  const display = options.display ?? null;
  const value = display ? op.numberMessageByDisplay.display : op.numberMessageByDisplay.noDisplay;
  parameters.bNumberMessage = value;
  return { parameters, numberMessageRule: { display, value } };
}

export function presetSelect(preset: PinPreset): Uint8Array | null {
  return preset.select ? fromHex(preset.select) : null;
}
