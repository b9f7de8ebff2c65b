/**
 * Known application identifiers (ISO 7816-5: RID = 5 bytes registered, then PIX). Matching is by
 * longest prefix, because cards answer SELECT by a truncated AID and because full AIDs carry
 * versions and serial numbers (OpenPGP) after a fixed prefix.
 */
import { intHex, toHex } from '../bytes/hex.js';
import type { AidKind } from './application-kind.js';

export interface KnownAid {
  /** Uppercase hex prefix. */
  aid: string;
  name: string;
  kind: AidKind;
}

/** ASCII of a directory name as hex, e.g. '1PAY.SYS.DDF01'. */
function asciiHex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += intHex(text.charCodeAt(i), 2);
  return out;
}

export const PSE_NAME = '1PAY.SYS.DDF01';
export const PPSE_NAME = '2PAY.SYS.DDF01';

export const KNOWN_AIDS: readonly KnownAid[] = [
  // EMV payment systems (RIDs and their common applications)
  { aid: asciiHex(PSE_NAME), name: 'EMV Payment System Environment (PSE)', kind: 'emv' },
  { aid: asciiHex(PPSE_NAME), name: 'EMV Proximity Payment System Environment (PPSE)', kind: 'emv' },
  { aid: 'A000000003', name: 'Visa', kind: 'emv' },
  { aid: 'A0000000031010', name: 'Visa Credit/Debit', kind: 'emv' },
  { aid: 'A0000000032010', name: 'Visa Electron', kind: 'emv' },
  { aid: 'A0000000032020', name: 'V PAY', kind: 'emv' },
  { aid: 'A0000000033010', name: 'Visa Interlink', kind: 'emv' },
  { aid: 'A0000000038010', name: 'Visa Plus', kind: 'emv' },
  { aid: 'A0000000038002', name: 'Visa Dynamic Passcode Authentication', kind: 'emv' },
  { aid: 'A000000004', name: 'Mastercard', kind: 'emv' },
  { aid: 'A0000000041010', name: 'Mastercard Credit/Debit', kind: 'emv' },
  { aid: 'A0000000042203', name: 'Debit Mastercard (US)', kind: 'emv' },
  { aid: 'A0000000043060', name: 'Maestro', kind: 'emv' },
  { aid: 'A0000000046000', name: 'Cirrus', kind: 'emv' },
  { aid: 'A0000000048002', name: 'Mastercard Chip Authentication Program', kind: 'emv' },
  { aid: 'A000000025', name: 'American Express', kind: 'emv' },
  { aid: 'A00000002501', name: 'American Express', kind: 'emv' },
  { aid: 'A000000042', name: 'CB (Cartes Bancaires)', kind: 'emv' },
  { aid: 'A0000000421010', name: 'CB (Cartes Bancaires)', kind: 'emv' },
  { aid: 'A0000000422010', name: 'CB (Cartes Bancaires)', kind: 'emv' },
  { aid: 'A000000065', name: 'JCB', kind: 'emv' },
  { aid: 'A0000000651010', name: 'JCB', kind: 'emv' },
  { aid: 'A000000152', name: 'Discover', kind: 'emv' },
  { aid: 'A0000001523010', name: 'Discover', kind: 'emv' },
  { aid: 'A000000277', name: 'Interac', kind: 'emv' },
  { aid: 'A0000002771010', name: 'Interac', kind: 'emv' },
  { aid: 'A000000333', name: 'UnionPay', kind: 'emv' },
  { aid: 'A000000333010101', name: 'UnionPay Debit', kind: 'emv' },
  { aid: 'A000000333010102', name: 'UnionPay Credit', kind: 'emv' },
  // GlobalPlatform card managers / issuer security domains
  { aid: 'A000000151', name: 'GlobalPlatform', kind: 'gp' },
  { aid: 'A000000151000000', name: 'GlobalPlatform Issuer Security Domain', kind: 'gp' },
  { aid: 'A0000000030000', name: 'Card Manager (Visa OpenPlatform ISD)', kind: 'gp' },
  { aid: 'A000000003000000', name: 'Card Manager (Visa OpenPlatform ISD)', kind: 'gp' },
  // PIV (NIST SP 800-73)
  { aid: 'A000000308', name: 'NIST PIV', kind: 'piv' },
  { aid: 'A000000308000010000100', name: 'PIV Card Application', kind: 'piv' },
  // OpenPGP card (FSFE RID D276000124, application 01)
  { aid: 'D276000124', name: 'FSFE', kind: 'other' },
  { aid: 'D27600012401', name: 'OpenPGP card', kind: 'openpgp' },
  // Yubico and FIDO
  { aid: 'A000000527', name: 'Yubico', kind: 'other' },
  { aid: 'A0000005272001', name: 'Yubico OTP', kind: 'other' },
  { aid: 'A0000005272101', name: 'Yubico OATH', kind: 'other' },
  { aid: 'A000000527471117', name: 'Yubico Management', kind: 'other' },
  { aid: 'A0000006472F0001', name: 'FIDO U2F / CTAP', kind: 'other' },
  // Travel documents
  { aid: 'A0000002471001', name: 'ICAO eMRTD (LDS1)', kind: 'other' },
];

/** OpenPGP card manufacturer ids (bytes 8–9 of the full AID) that are well established. */
const OPENPGP_MANUFACTURERS: Readonly<Record<number, string>> = {
  0x0005: 'ZeitControl',
  0x0006: 'Yubico',
  0x0000: 'test card',
  0xffff: 'test card',
};

export interface AidIdentity {
  name: string;
  kind: AidKind;
  /** The table prefix that matched. */
  matched: string;
  /** True when the whole AID equals the table entry (not just a prefix of it). */
  exact: boolean;
}

/** Longest-prefix lookup; undefined when not even the RID is known. */
export function identifyAid(aid: Uint8Array): AidIdentity | undefined {
  const hex = toHex(aid);
  let best: KnownAid | undefined;
  for (const entry of KNOWN_AIDS) {
    if (hex.startsWith(entry.aid) && (!best || entry.aid.length > best.aid.length)) best = entry;
  }
  if (!best) return undefined;
  let name = best.name;
  if (best.kind === 'openpgp' && aid.length >= 14) name = describeOpenPgpAid(aid);
  return { name, kind: best.kind, matched: best.aid, exact: best.aid === hex };
}

/** Full OpenPGP AID: D2 76 00 01 24 01 | version (2) | manufacturer (2) | serial (4) | RFU (2). */
function describeOpenPgpAid(aid: Uint8Array): string {
  const version = `${aid[6]!}.${aid[7]!}`;
  const manufacturerId = (aid[8]! << 8) | aid[9]!;
  const manufacturer = OPENPGP_MANUFACTURERS[manufacturerId] ?? `manufacturer ${toHex(aid.subarray(8, 10))}`;
  return `OpenPGP card v${version} (${manufacturer}, serial ${toHex(aid.subarray(10, 14))})`;
}
