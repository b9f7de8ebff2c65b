/**
 * The one table of commands whose data carries a secret (a PIN, a resetting code, a key), read
 * by every output path that shows command bytes: the Console and its history, `cardbench
 * send/run/decode`, the capture viewer's list and exports, the virtual card's log. Each row
 * says where the command is defined, so a reviewer can check it and a new row has to cite one.
 *
 * Rows match on the header (and, for odd PUT DATA, on the first data byte), never on the class
 * byte's channel, secure messaging or chaining bits: an SM-wrapped VERIFY still holds its PIN
 * (enciphered or not), and every part of a chained command (CLA b5) repeats its INS and P1-P2,
 * so each part matches the row by itself. SecretCommandTracker also follows a chain whose
 * first part was recognised by its data, for parts that no longer show that data.
 *
 * Matching is deliberately wide (any CLA, both INS forms): masking a command that holds no
 * secret costs a little evidence in a shared transcript; missing one leaks a PIN.
 */
import { parseCommandApdu } from './command-apdu.js';

export type SecretKind = 'PIN' | 'key';

export interface SecretCommand {
  /** The command as a person would name it. */
  name: string;
  /** What its data field carries. */
  secret: SecretKind;
  /** The specification that defines the command and says its data is secret. */
  source: string;
}

interface SecretCommandRow extends SecretCommand {
  ins: readonly number[];
  /** Only with CLA FF (PC/SC pseudo-APDUs addressed to the reader); other rows match any class. */
  readerClass?: true;
  /** P1-P2 values that narrow a general INS (PUT DATA) to the secret data objects. */
  p1p2?: readonly number[];
  /** An extended header list (tag 4D) opening the data also marks the command (odd PUT DATA). */
  orDataStartsWith4D?: true;
}

const ISO_7816_4 = 'ISO/IEC 7816-4:2005';
const OPENPGP = 'OpenPGP smart card application 3.4';

export const SECRET_COMMANDS: readonly SecretCommandRow[] = [
  // Verification data (INS 20) or a verification data object (INS 21).
  { name: 'VERIFY', ins: [0x20, 0x21], secret: 'PIN', source: `${ISO_7816_4} §7.5.6` },
  // Current and new reference data, or the new one alone.
  { name: 'CHANGE REFERENCE DATA', ins: [0x24, 0x25], secret: 'PIN', source: `${ISO_7816_4} §7.5.7` },
  // Both may carry verification data to be checked before the requirement changes.
  { name: 'ENABLE VERIFICATION REQUIREMENT', ins: [0x28], secret: 'PIN', source: `${ISO_7816_4} §7.5.8` },
  { name: 'DISABLE VERIFICATION REQUIREMENT', ins: [0x26], secret: 'PIN', source: `${ISO_7816_4} §7.5.9` },
  // Resetting code (PUK) and/or the new reference data.
  { name: 'RESET RETRY COUNTER', ins: [0x2c, 0x2d], secret: 'PIN', source: `${ISO_7816_4} §7.5.10` },
  {
    name: 'PUT DATA: resetting code (OpenPGP)',
    ins: [0xda],
    p1p2: [0x00d3],
    secret: 'PIN',
    source: `${OPENPGP} §7.2.8 PUT DATA, DO D3 (§4.4.1)`,
  },
  {
    name: 'PUT DATA: symmetric key (OpenPGP)',
    ins: [0xda],
    // D1/D2: secure messaging keys ENC and MAC; D5: the AES key for PSO:ENC/DEC.
    p1p2: [0x00d1, 0x00d2, 0x00d5],
    secret: 'key',
    source: `${OPENPGP} §7.2.8 PUT DATA, DOs D1, D2, D5 (§4.4.1)`,
  },
  {
    name: 'PUT DATA: private key import (OpenPGP)',
    ins: [0xdb],
    p1p2: [0x3fff],
    orDataStartsWith4D: true,
    secret: 'key',
    source: `${OPENPGP} §7.2.8 PUT DATA (odd INS, P1-P2 3FFF), private key template with extended header list 4D (§4.4.3.12)`,
  },
  {
    name: 'SET MANAGEMENT KEY (YubiKey PIV)',
    ins: [0xff],
    secret: 'key',
    source: 'Yubico PIV extensions, https://developers.yubico.com/PIV/Introduction/Yubico_extensions.html',
  },
  {
    name: 'IMPORT ASYMMETRIC KEY (YubiKey PIV)',
    ins: [0xfe],
    secret: 'key',
    source: 'Yubico PIV extensions, https://developers.yubico.com/PIV/Introduction/Yubico_extensions.html',
  },
  // Key values are enciphered with the session DEK, but with static keys a capture can be replayed offline.
  { name: 'PUT KEY (GlobalPlatform)', ins: [0xd8], secret: 'key', source: 'GlobalPlatform Card Specification v2.3.1 §11.8 PUT KEY' },
  // The reader keeps contactless (MIFARE) keys sent in clear to its volatile memory.
  {
    name: 'LOAD KEYS (PC/SC reader)',
    ins: [0x82],
    readerClass: true,
    secret: 'key',
    source: 'PC/SC Specification Part 3 (Supplemental Document), Load Keys (CLA FF INS 82)',
  },
];

/**
 * The table row a command matches, from its own bytes alone. A command too short for its
 * header matches nothing; one whose data cannot be delimited (malformed lengths) matches an
 * odd PUT DATA row, since the data that would rule it out cannot be trusted.
 */
export function secretCommandOf(command: Uint8Array): SecretCommand | undefined {
  if (command.length < 4) return undefined;
  const cla = command[0]!;
  const ins = command[1]!;
  const p1p2 = (command[2]! << 8) | command[3]!;
  for (const row of SECRET_COMMANDS) {
    if (!row.ins.includes(ins)) continue;
    if (row.readerClass && cla !== 0xff) continue;
    if (!row.p1p2 || row.p1p2.includes(p1p2)) return row;
    if (row.orDataStartsWith4D) {
      // A body the case rules cannot delimit may still hold the template: it counts as one.
      const parsed = parseCommandApdu(command);
      const malformed = parsed.apduCase === undefined || parsed.problems.some((p) => p.severity === 'error');
      if (malformed || parsed.data[0] === 0x4d) return row;
    }
  }
  return undefined;
}

/** CLA b5 on an interindustry class: more parts of this command follow (ISO 7816-4 §5.1.1.1). */
function chainsOn(cla: number): boolean {
  return (cla & 0x80) === 0 && (cla & 0x10) !== 0;
}

/** The logical channel an interindustry class addresses (first range 0–3, further range 4–19). */
function channelOf(cla: number): number {
  if ((cla & 0x80) !== 0) return -1;
  return (cla & 0x40) === 0 ? cla & 0x03 : 4 + (cla & 0x0f);
}

/**
 * Classifies the commands of one card conversation in order. A part of a command chain whose
 * first part was secret is secret too, even when its own bytes no longer say so (a private key
 * template split over several PUT DATA parts opens with 4D only in the first).
 */
export class SecretCommandTracker {
  private readonly chains = new Map<number, { ins: number; secret: SecretCommand }>();

  classify(command: Uint8Array): SecretCommand | undefined {
    const own = secretCommandOf(command);
    if (command.length < 2) return own;
    const cla = command[0]!;
    const ins = command[1]!;
    const channel = channelOf(cla);
    const chain = this.chains.get(channel);
    const secret = own ?? (chain && chain.ins === ins ? chain.secret : undefined);
    if (secret && chainsOn(cla)) this.chains.set(channel, { ins, secret });
    else this.chains.delete(channel);
    return secret;
  }
}
