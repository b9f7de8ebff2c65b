/**
 * Instruction names. With an interindustry CLA the INS is defined by ISO 7816-4/-8/-9; with a
 * proprietary CLA (b8 = 1) it belongs to the application, so the selected application kind
 * decides (80 CA is GET DATA in EMV and GlobalPlatform, 80 E6 is GlobalPlatform INSTALL).
 * Some applications also define commands under CLA 00 (YubiKey PIV's GET SERIAL), hence a
 * per-application table for both kinds of class.
 */
import type { ApplicationKind } from '../apps/application-kind.js';
import { isInterindustryCla } from './cla.js';

/** ISO 7816-4 (basic), 7816-8 (security), 7816-9 (card management) interindustry commands. */
export const ISO_INS_NAMES: Readonly<Record<number, string>> = {
  0x04: 'DEACTIVATE FILE',
  0x0c: 'ERASE RECORD(S)',
  0x0e: 'ERASE BINARY',
  0x0f: 'ERASE BINARY',
  0x10: 'PERFORM SCQL OPERATION',
  0x12: 'PERFORM TRANSACTION OPERATION',
  0x14: 'PERFORM USER OPERATION',
  0x20: 'VERIFY',
  0x21: 'VERIFY',
  0x22: 'MANAGE SECURITY ENVIRONMENT',
  0x24: 'CHANGE REFERENCE DATA',
  0x25: 'CHANGE REFERENCE DATA',
  0x26: 'DISABLE VERIFICATION REQUIREMENT',
  0x28: 'ENABLE VERIFICATION REQUIREMENT',
  0x2a: 'PERFORM SECURITY OPERATION',
  0x2c: 'RESET RETRY COUNTER',
  0x2d: 'RESET RETRY COUNTER',
  0x44: 'ACTIVATE FILE',
  0x46: 'GENERATE ASYMMETRIC KEY PAIR',
  0x47: 'GENERATE ASYMMETRIC KEY PAIR',
  0x70: 'MANAGE CHANNEL',
  0x82: 'EXTERNAL AUTHENTICATE',
  0x84: 'GET CHALLENGE',
  0x86: 'GENERAL AUTHENTICATE',
  0x87: 'GENERAL AUTHENTICATE',
  0x88: 'INTERNAL AUTHENTICATE',
  0xa0: 'SEARCH BINARY',
  0xa1: 'SEARCH BINARY',
  0xa2: 'SEARCH RECORD',
  0xa4: 'SELECT',
  0xa5: 'SELECT DATA',
  0xb0: 'READ BINARY',
  0xb1: 'READ BINARY',
  0xb2: 'READ RECORD(S)',
  0xb3: 'READ RECORD(S)',
  0xc0: 'GET RESPONSE',
  0xc2: 'ENVELOPE',
  0xc3: 'ENVELOPE',
  0xca: 'GET DATA',
  0xcb: 'GET DATA',
  0xcc: 'GET NEXT DATA',
  0xd0: 'WRITE BINARY',
  0xd1: 'WRITE BINARY',
  0xd2: 'WRITE RECORD',
  0xd6: 'UPDATE BINARY',
  0xd7: 'UPDATE BINARY',
  0xda: 'PUT DATA',
  0xdb: 'PUT DATA',
  0xdc: 'UPDATE RECORD',
  0xdd: 'UPDATE RECORD',
  0xe0: 'CREATE FILE',
  0xe2: 'APPEND RECORD',
  0xe4: 'DELETE FILE',
  0xe6: 'TERMINATE DF',
  0xe8: 'TERMINATE EF',
  0xfe: 'TERMINATE CARD USAGE',
};

interface ContextInsTable {
  /** Commands the application defines under a proprietary CLA (b8 = 1). */
  proprietary: Readonly<Record<number, string>>;
  /** Application-specific commands under an interindustry CLA (overrides or fills ISO gaps). */
  interindustry?: Readonly<Record<number, string>>;
}

/** EMV Book 3 §6.5 and Book 2 (issuer script commands use CLA 84). */
const EMV_INS: ContextInsTable = {
  proprietary: {
    0x16: 'CARD BLOCK',
    0x18: 'APPLICATION UNBLOCK',
    0x1e: 'APPLICATION BLOCK',
    0x24: 'PIN CHANGE/UNBLOCK',
    0xa8: 'GET PROCESSING OPTIONS',
    0xae: 'GENERATE APPLICATION CRYPTOGRAM',
    0xca: 'GET DATA',
    0xda: 'PUT DATA',
    0xdc: 'UPDATE RECORD',
  },
};

/** GlobalPlatform Card Specification 2.3 §11 (CLA 80, or 84 with secure messaging). */
const GP_INS: ContextInsTable = {
  proprietary: {
    0x50: 'INITIALIZE UPDATE',
    0x78: 'END R-MAC SESSION',
    0x7a: 'BEGIN R-MAC SESSION',
    0x82: 'EXTERNAL AUTHENTICATE',
    0xca: 'GET DATA',
    0xcb: 'GET DATA',
    0xd8: 'PUT KEY',
    0xe2: 'STORE DATA',
    0xe4: 'DELETE',
    0xe6: 'INSTALL',
    0xe8: 'LOAD',
    0xf0: 'SET STATUS',
    0xf2: 'GET STATUS',
  },
};

/** NIST SP 800-73-4 plus the YubiKey PIV extensions (which use CLA 00). */
const PIV_INS: ContextInsTable = {
  proprietary: {},
  interindustry: {
    0x87: 'GENERAL AUTHENTICATE',
    0x47: 'GENERATE ASYMMETRIC KEY PAIR',
    0xf7: 'GET METADATA (YubiKey)',
    0xf8: 'GET SERIAL (YubiKey)',
    0xf9: 'ATTEST (YubiKey)',
    0xfa: 'SET PIN RETRIES (YubiKey)',
    0xfb: 'RESET (YubiKey)',
    0xfd: 'GET VERSION (YubiKey)',
    0xfe: 'IMPORT ASYMMETRIC KEY (YubiKey)',
    0xff: 'SET MANAGEMENT KEY (YubiKey)',
  },
};

/** OpenPGP card 3.4 §7.2; GET ATTESTATION is Yubico's, under CLA 80. */
const OPENPGP_INS: ContextInsTable = {
  proprietary: {
    0xfb: 'GET ATTESTATION (YubiKey)',
  },
  interindustry: {
    0x47: 'GENERATE ASYMMETRIC KEY PAIR',
    0x44: 'ACTIVATE FILE',
    0xe6: 'TERMINATE DF',
    0xa5: 'SELECT DATA',
    0xcc: 'GET NEXT DATA',
    0xf1: 'GET VERSION (YubiKey)',
    0xf2: 'SET PIN RETRIES (YubiKey)',
  },
};

const CONTEXT_INS: Readonly<Record<ApplicationKind, ContextInsTable>> = {
  emv: EMV_INS,
  gp: GP_INS,
  piv: PIV_INS,
  openpgp: OPENPGP_INS,
};

/**
 * CLA FF is invalid for cards, which is why PC/SC part 3 uses it for commands the reader itself
 * answers (contactless UID, MIFARE keys).
 */
const PCSC_PSEUDO_INS: Readonly<Record<number, string>> = {
  0x82: 'LOAD KEYS',
  0x86: 'GENERAL AUTHENTICATE',
  0x88: 'AUTHENTICATE (obsolete)',
  0xb0: 'READ BINARY',
  0xc2: 'MANAGE SESSION / TRANSPARENT EXCHANGE',
  0xca: 'GET DATA (UID / historical bytes)',
  0xd6: 'UPDATE BINARY',
};

/** Order used to guess a proprietary INS when the selected application is unknown. */
const GUESS_ORDER: readonly ApplicationKind[] = ['emv', 'gp', 'openpgp', 'piv'];

/**
 * Name of an instruction, or undefined when nothing fits. Without a context, a proprietary INS
 * is looked up in every known application; distinct candidates are joined with ' or ', so the
 * reader sees the ambiguity instead of a confident wrong name.
 */
export function insName(cla: number, ins: number, context?: ApplicationKind): string | undefined {
  if (isInterindustryCla(cla)) {
    if (context) {
      const own = CONTEXT_INS[context].interindustry?.[ins];
      if (own) return own;
    }
    return ISO_INS_NAMES[ins];
  }
  if ((cla & 0xff) === 0xff) {
    const pseudo = PCSC_PSEUDO_INS[ins];
    return pseudo ? `${pseudo} (PC/SC reader pseudo-APDU)` : undefined;
  }
  if (context) return CONTEXT_INS[context].proprietary[ins];
  const candidates: string[] = [];
  for (const kind of GUESS_ORDER) {
    const name = CONTEXT_INS[kind].proprietary[ins];
    if (name && !candidates.includes(name)) candidates.push(name);
  }
  return candidates.length > 0 ? candidates.join(' or ') : undefined;
}

/**
 * 6X and 9X cannot be INS values: in T=0 the card answers them as procedure bytes
 * (ISO 7816-3 §10.3.3), so a card never sees such a command as intended.
 */
export function isInvalidIns(ins: number): boolean {
  const high = ins & 0xf0;
  return high === 0x60 || high === 0x90;
}

/** Well-known INS constants the transaction folder and the describers need by name. */
export const INS = {
  VERIFY: 0x20,
  CHANGE_REFERENCE_DATA: 0x24,
  RESET_RETRY_COUNTER: 0x2c,
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  READ_RECORD: 0xb2,
  GET_RESPONSE: 0xc0,
  GET_DATA: 0xca,
  GET_DATA_ODD: 0xcb,
  PUT_DATA: 0xda,
  PUT_DATA_ODD: 0xdb,
} as const;
