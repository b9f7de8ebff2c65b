/**
 * What P1 and P2 mean for the common commands (ISO 7816-4 §11, EMV Book 3, GlobalPlatform,
 * OpenPGP, PIV). A describer per instruction; each returns plain text for the P1/P2 nodes and a
 * one-line summary for the APDU list ('SELECT by DF name, first occurrence, return FCI').
 */
import { byteHex, intHex } from '../bytes/hex.js';
import type { ApplicationKind } from '../apps/application-kind.js';
import { tagName } from '../apps/tag-names.js';
import { isInterindustryCla } from './cla.js';

export interface ParameterMeaning {
  p1?: string;
  p2?: string;
  /** Short phrase combining both, for lists. */
  summary?: string;
}

type Describer = (p1: number, p2: number, context: ApplicationKind | undefined) => ParameterMeaning;

const SELECT_P1: Readonly<Record<number, string>> = {
  0x00: 'select MF, DF or EF by file identifier',
  0x01: 'select child DF',
  0x02: 'select EF under the current DF',
  0x03: 'select parent DF of the current DF',
  0x04: 'select by DF name',
  0x08: 'select by path from the MF',
  0x09: 'select by path from the current DF',
};
const SELECT_OCCURRENCE = ['first or only occurrence', 'last occurrence', 'next occurrence', 'previous occurrence'];
const SELECT_RESPONSE = ['return FCI', 'return FCP', 'return FMD', 'no response data'];

const describeSelect: Describer = (p1, p2) => {
  const p1Text = SELECT_P1[p1] ?? `reserved P1 ${byteHex(p1)}`;
  const occurrence = SELECT_OCCURRENCE[p2 & 0x03]!;
  const response = SELECT_RESPONSE[(p2 >> 2) & 0x03]!;
  const p2Text = (p2 & 0xf0) !== 0 ? `${occurrence}, ${response} (b8–b5 not zero: proprietary)` : `${occurrence}, ${response}`;
  return { p1: p1Text, p2: p2Text, summary: `${p1Text}, ${p2Text}` };
};

const RECORD_NUMBER_MODES = ['record P1', 'records from P1 to the last', 'records from the last to P1', 'reserved'];
const RECORD_ID_MODES = ['first occurrence', 'last occurrence', 'next occurrence', 'previous occurrence'];

function sfiText(sfi: number): string {
  if (sfi === 0) return 'current EF';
  if (sfi === 0x1f) return 'reserved SFI 31';
  return `SFI ${sfi}`;
}

const describeReadRecord: Describer = (p1, p2) => {
  const sfi = p2 >> 3;
  const byNumber = (p2 & 0x04) !== 0;
  const mode = byNumber ? RECORD_NUMBER_MODES[p2 & 0x03]! : RECORD_ID_MODES[p2 & 0x03]!;
  const p1Text = byNumber ? `record number ${p1}` : `record identifier ${byteHex(p1)}`;
  const p2Text = `${sfiText(sfi)}, ${mode}`;
  const summary = byNumber && (p2 & 0x03) === 0 ? `record ${p1} of ${sfiText(sfi)}` : `${sfiText(sfi)}, ${mode.replace('P1', String(p1))}`;
  return { p1: p1Text, p2: p2Text, summary };
};

const describeBinary: Describer = (p1, p2) => {
  if ((p1 & 0x80) !== 0) {
    const sfi = p1 & 0x1f;
    return { p1: `short EF identifier ${sfi}`, p2: `offset ${p2}`, summary: `SFI ${sfi}, offset ${p2}` };
  }
  const offset = (p1 << 8) | p2;
  return { p1: 'offset (high byte)', p2: 'offset (low byte)', summary: `current EF, offset ${offset}` };
};

/** Key/PIN references that applications give names to (P2 of VERIFY and friends). */
const REFERENCE_NAMES: Readonly<Record<ApplicationKind, Readonly<Record<number, string>>>> = {
  openpgp: { 0x81: 'PW1 for signing (PSO:CDS)', 0x82: 'PW1 for decryption and authentication', 0x83: 'PW3 (admin PIN)' },
  piv: {
    0x00: 'global PIN',
    0x80: 'PIV Card Application PIN',
    0x81: 'PIN Unblocking Key (PUK)',
    0x96: 'primary finger OCC',
    0x97: 'secondary finger OCC',
    0x98: 'pairing code',
  },
  emv: { 0x80: 'plaintext PIN', 0x88: 'enciphered PIN' },
  gp: {},
};

function referenceText(p2: number, context: ApplicationKind | undefined): string {
  const scope = (p2 & 0x80) !== 0 ? 'specific (DF) reference' : 'global reference';
  const base = `${scope} ${p2 & 0x1f}`;
  const named = context ? REFERENCE_NAMES[context][p2] : undefined;
  if (named) return `${named} (${base})`;
  // Without context, quote every application's name for the common references, e.g. 81.
  const guesses = (['openpgp', 'piv', 'emv'] as const)
    .map((kind) => REFERENCE_NAMES[kind][p2] && `${kind === 'openpgp' ? 'OpenPGP' : kind.toUpperCase()}: ${REFERENCE_NAMES[kind][p2]}`)
    .filter((x): x is string => Boolean(x));
  return guesses.length > 0 && !context ? `${base} (${guesses.join('; ')})` : base;
}

const describeVerify: Describer = (p1, p2, context) => {
  const p1Text = p1 === 0x00 ? 'no information' : p1 === 0xff ? 'reset verification status' : `reserved P1 ${byteHex(p1)}`;
  const p2Text = referenceText(p2, context);
  return { p1: p1Text, p2: p2Text, summary: p2Text };
};

const describeChangeReference: Describer = (p1, p2, context) => {
  const p1Text =
    p1 === 0x00 ? 'data = current then new reference data' : p1 === 0x01 ? 'data = new reference data only' : `P1 ${byteHex(p1)}`;
  const p2Text = referenceText(p2, context);
  return { p1: p1Text, p2: p2Text, summary: p2Text };
};

const RESET_RETRY_P1: Readonly<Record<number, string>> = {
  0x00: 'data = resetting code then new reference data',
  0x01: 'data = resetting code only',
  0x02: 'data = new reference data only',
  0x03: 'no data',
};
const describeResetRetry: Describer = (p1, p2, context) => {
  const p2Text = referenceText(p2, context);
  return { p1: RESET_RETRY_P1[p1] ?? `P1 ${byteHex(p1)}`, p2: p2Text, summary: p2Text };
};

/** GET DATA / PUT DATA even INS: P1-P2 is the tag (one-byte tags in P2 with P1 = 00). */
const describeDataTag: Describer = (p1, p2, context) => {
  const tag = p1 === 0 ? p2 : (p1 << 8) | p2;
  const tagHex = p1 === 0 ? byteHex(p2) : intHex(tag, 4);
  const name = tagName(tag, context);
  const text = `tag ${tagHex}${name ? ` (${name})` : ''}`;
  return { p1: 'tag (high byte)', p2: 'tag (low byte)', summary: text };
};

/** Odd INS: P1-P2 is a file identifier; the tags are in the data field. */
const describeDataFile: Describer = (p1, p2) => {
  const fid = (p1 << 8) | p2;
  const text = fid === 0x3fff ? 'current DF' : fid === 0x0000 ? 'current EF' : `file ${intHex(fid, 4)}`;
  return { p1: 'file identifier (high byte)', p2: 'file identifier (low byte)', summary: text };
};

const describeManageChannel: Describer = (p1, p2) => {
  const p1Text = p1 === 0x00 ? 'open' : p1 === 0x80 ? 'close' : `P1 ${byteHex(p1)}`;
  const p2Text = p2 === 0 ? (p1 === 0 ? 'card assigns the channel' : 'channel 0') : `channel ${p2}`;
  return { p1: p1Text, p2: p2Text, summary: `${p1Text} ${p2Text}` };
};

const MSE_FUNCTIONS: Readonly<Record<number, string>> = { 1: 'SET', 2: 'STORE', 3: 'RESTORE', 4: 'ERASE' };
const CRT_NAMES: Readonly<Record<number, string>> = {
  0xa4: 'authentication (AT)',
  0xa6: 'key agreement (KAT)',
  0xaa: 'hash code (HT)',
  0xb4: 'cryptographic checksum (CCT)',
  0xb6: 'digital signature (DST)',
  0xb8: 'confidentiality (CT)',
};
const describeMse: Describer = (p1, p2) => {
  const fn = MSE_FUNCTIONS[p1 & 0x0f] ?? `function ${p1 & 0x0f}`;
  const uses: string[] = [];
  if (p1 & 0x10) uses.push('SM in command');
  if (p1 & 0x20) uses.push('SM in response');
  if (p1 & 0x40) uses.push('computation/decipherment/internal auth');
  if (p1 & 0x80) uses.push('verification/encipherment/external auth');
  const p1Text = `${fn}${uses.length ? ` for ${uses.join(', ')}` : ''}`;
  const p2Text = (p1 & 0x0f) === 1 ? `CRT ${CRT_NAMES[p2] ?? byteHex(p2)}` : `security environment ${p2}`;
  return { p1: p1Text, p2: p2Text, summary: `${fn} ${p2Text}` };
};

const PSO_OPERATIONS: Readonly<Record<number, string>> = {
  0x9e9a: 'COMPUTE DIGITAL SIGNATURE',
  0x8086: 'DECIPHER',
  0x8680: 'ENCIPHER',
  0x9080: 'HASH',
  0x8e80: 'COMPUTE CRYPTOGRAPHIC CHECKSUM',
  0x00a2: 'VERIFY CRYPTOGRAPHIC CHECKSUM',
  0x00a8: 'VERIFY DIGITAL SIGNATURE',
  0x00ae: 'VERIFY CERTIFICATE',
};
const describePso: Describer = (p1, p2) => {
  const op = PSO_OPERATIONS[(p1 << 8) | p2];
  return {
    p1: `response data tag ${byteHex(p1)}`,
    p2: `command data tag ${byteHex(p2)}`,
    summary: op ?? `PSO ${byteHex(p1)}${byteHex(p2)}`,
  };
};

const PIV_ALGORITHMS: Readonly<Record<number, string>> = {
  0x00: '3DES (default)',
  0x03: '3DES',
  0x06: 'RSA 1024',
  0x07: 'RSA 2048',
  0x05: 'RSA 3072 (YubiKey)',
  0x16: 'RSA 4096 (YubiKey)',
  0x08: 'AES-128',
  0x0a: 'AES-192',
  0x0c: 'AES-256',
  0x11: 'ECC P-256',
  0x14: 'ECC P-384',
  0xe0: 'Ed25519 (YubiKey)',
  0xe1: 'X25519 (YubiKey)',
};
const PIV_KEYS: Readonly<Record<number, string>> = {
  0x9a: 'PIV authentication key',
  0x9b: 'card management key',
  0x9c: 'digital signature key',
  0x9d: 'key management key',
  0x9e: 'card authentication key',
  0xf9: 'attestation key (YubiKey)',
};
function pivKeyText(p2: number): string {
  if (PIV_KEYS[p2]) return `${PIV_KEYS[p2]} (${byteHex(p2)})`;
  if (p2 >= 0x82 && p2 <= 0x95) return `retired key management key ${p2 - 0x81} (${byteHex(p2)})`;
  return `key reference ${byteHex(p2)}`;
}

const describeAuthenticate: Describer = (p1, p2, context) => {
  if (context === 'piv') {
    const p1Text = `algorithm ${PIV_ALGORITHMS[p1] ?? byteHex(p1)}`;
    const p2Text = pivKeyText(p2);
    return { p1: p1Text, p2: p2Text, summary: `${p1Text}, ${p2Text}` };
  }
  const p1Text = p1 === 0 ? 'no algorithm information' : `algorithm reference ${byteHex(p1)}`;
  const p2Text = p2 === 0 ? 'no key information' : `${(p2 & 0x80) !== 0 ? 'specific' : 'global'} key ${p2 & 0x1f}`;
  return { p1: p1Text, p2: p2Text };
};

const describeGenerateKeyPair: Describer = (p1, p2, context) => {
  if (context === 'openpgp') {
    const p1Text = p1 === 0x80 ? 'generate key pair' : p1 === 0x81 ? 'read public key' : `P1 ${byteHex(p1)}`;
    return { p1: p1Text, summary: p1Text };
  }
  if (context === 'piv') {
    const p2Text = pivKeyText(p2);
    return { p2: p2Text, summary: `generate ${p2Text}` };
  }
  return {};
};

/** EMV GENERATE AC: P1 b8–b7 cryptogram type, b5 CDA requested. */
const CRYPTOGRAM_TYPES = ['AAC (decline)', 'TC (approve offline)', 'ARQC (go online)', 'reserved'];
const describeGenerateAc: Describer = (p1) => {
  const type = CRYPTOGRAM_TYPES[p1 >> 6]!;
  const cda = (p1 & 0x10) !== 0;
  const p1Text = `${type}${cda ? ', CDA signature requested' : ''}`;
  return { p1: p1Text, summary: p1Text };
};

/** GlobalPlatform commands (only with a proprietary CLA). */
const GP_STATUS_SUBSETS: Readonly<Record<number, string>> = {
  0x80: 'issuer security domain',
  0x40: 'applications and security domains',
  0x20: 'executable load files',
  0x10: 'executable load files and modules',
};
const describeGetStatus: Describer = (p1, p2) => {
  const p1Text = GP_STATUS_SUBSETS[p1] ?? `subset ${byteHex(p1)}`;
  const p2Text = `${(p2 & 0x01) !== 0 ? 'next occurrence' : 'first or all occurrences'}${(p2 & 0x02) !== 0 ? ', TLV format' : ''}`;
  return { p1: p1Text, p2: p2Text, summary: p1Text };
};
const INSTALL_FOR: readonly [number, string][] = [
  [0x02, 'load'],
  [0x04, 'install'],
  [0x08, 'make selectable'],
  [0x10, 'extradition'],
  [0x20, 'personalization'],
  [0x40, 'registry update'],
];
const describeInstall: Describer = (p1) => {
  const parts = INSTALL_FOR.filter(([bit]) => (p1 & bit) !== 0).map(([, name]) => name);
  const p1Text = `for ${parts.length ? parts.join(' and ') : byteHex(p1)}${(p1 & 0x80) !== 0 ? ' (more INSTALL commands follow)' : ''}`;
  return { p1: p1Text, summary: p1Text };
};
const SECURITY_LEVELS: Readonly<Record<number, string>> = {
  0x00: 'no secure messaging',
  0x01: 'C-MAC',
  0x03: 'C-DECRYPTION and C-MAC',
  0x11: 'C-MAC and R-MAC',
  0x13: 'C-DECRYPTION, C-MAC and R-MAC',
  0x33: 'C-DECRYPTION, C-MAC, R-MAC and R-ENCRYPTION',
};
const describeGpExternalAuthenticate: Describer = (p1) => {
  const p1Text = `security level ${SECURITY_LEVELS[p1] ?? byteHex(p1)}`;
  return { p1: p1Text, summary: p1Text };
};
const describeInitializeUpdate: Describer = (p1, p2) => {
  const p1Text = p1 === 0 ? 'first available key version' : `key version ${p1}`;
  return { p1: p1Text, p2: p2 === 0 ? 'key identifier 0' : `key identifier ${p2}`, summary: p1Text };
};
const describeStoreData: Describer = (p1, p2) => {
  const last = (p1 & 0x80) !== 0;
  const structure = ['no structure information', 'DGI format', 'BER-TLV format', 'reserved'][(p1 >> 3) & 0x03]!;
  const p1Text = `${last ? 'last block' : 'more blocks follow'}, ${structure}`;
  return { p1: p1Text, p2: `block number ${p2}`, summary: `block ${p2}${last ? ' (last)' : ''}` };
};
const describeLoad: Describer = (p1, p2) => {
  const last = (p1 & 0x80) !== 0;
  return { p1: last ? 'last block' : 'more blocks follow', p2: `block number ${p2}`, summary: `block ${p2}${last ? ' (last)' : ''}` };
};

const ISO_DESCRIBERS: Readonly<Record<number, Describer>> = {
  0xa4: describeSelect,
  0xb2: describeReadRecord,
  0xb0: describeBinary,
  0xd6: describeBinary,
  0xd0: describeBinary,
  0x0e: describeBinary,
  0x20: describeVerify,
  0x24: describeChangeReference,
  0x2c: describeResetRetry,
  0xca: describeDataTag,
  0xda: describeDataTag,
  0xcb: describeDataFile,
  0xdb: describeDataFile,
  0x70: describeManageChannel,
  0x22: describeMse,
  0x2a: describePso,
  0x82: describeAuthenticate,
  0x86: describeAuthenticate,
  0x87: describeAuthenticate,
  0x88: describeAuthenticate,
  0x47: describeGenerateKeyPair,
};

const PROPRIETARY_DESCRIBERS: Readonly<Partial<Record<ApplicationKind, Readonly<Record<number, Describer>>>>> = {
  emv: { 0xae: describeGenerateAc, 0xca: describeDataTag, 0x24: describeChangeReference },
  gp: {
    0xf2: describeGetStatus,
    0xe6: describeInstall,
    0x82: describeGpExternalAuthenticate,
    0x50: describeInitializeUpdate,
    0xe2: describeStoreData,
    0xe8: describeLoad,
    0xca: describeDataTag,
  },
};

/**
 * Meaning of P1/P2 for a command; an empty object when the command is not known. For a
 * proprietary CLA without context, EMV then GlobalPlatform describers are tried (the INS sets
 * hardly overlap: both define GET DATA the same way).
 */
export function describeParameters(cla: number, ins: number, p1: number, p2: number, context?: ApplicationKind): ParameterMeaning {
  if (isInterindustryCla(cla)) {
    const describer = ISO_DESCRIBERS[ins];
    return describer ? describer(p1, p2, context) : {};
  }
  const kinds: readonly ApplicationKind[] = context ? [context] : ['emv', 'gp'];
  for (const kind of kinds) {
    const describer = PROPRIETARY_DESCRIBERS[kind]?.[ins];
    if (describer) return describer(p1, p2, context ?? kind);
  }
  return {};
}
