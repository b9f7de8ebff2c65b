/**
 * Status words (ISO 7816-4 §5.6, with the EMV and GlobalPlatform readings that differ).
 * Exact values are a table; families whose SW2 is a number (61xx, 6Cxx, 63Cx, 9Fxx) are
 * computed. The command that was answered changes the reading: 63C2 after VERIFY is "wrong PIN,
 * 2 tries left", after VERIFY without data it is "not verified yet, 2 tries left".
 */
import { byteHex } from '../bytes/hex.js';
import { commandFields } from './command-apdu.js';
import { INS } from './ins.js';

export type StatusCategory = 'success' | 'warning' | 'error' | 'more-data' | 'retry';

export interface StatusWordMeaning {
  meaning: string;
  category: StatusCategory;
}

export interface StatusWordContext {
  /** INS of the command that was answered. */
  ins?: number;
  /** Whether that command carried a data field (VERIFY without data only asks for the counter). */
  commandHasData?: boolean;
}

export const STATUS_WORD_MEANINGS: Readonly<Record<number, string>> = {
  0x9000: 'Success',
  // 62xx: warning, non-volatile memory unchanged
  0x6200: 'Warning: no information given (memory unchanged)',
  0x6281: 'Warning: part of returned data may be corrupted',
  0x6282: 'Warning: end of file or record reached before reading Le bytes',
  0x6283: 'Warning: selected file deactivated (GlobalPlatform: card life cycle locked)',
  0x6284: 'Warning: file control information not formatted as expected',
  0x6285: 'Warning: selected file in termination state',
  0x6286: 'Warning: no input data available from a sensor on the card',
  0x6287: 'Warning: at least one referenced record is deactivated',
  // 63xx: warning, non-volatile memory changed
  0x6300: 'Warning: no information given (memory changed; often authentication failed)',
  0x6310: 'Warning: more data available (GlobalPlatform GET STATUS)',
  0x6381: 'Warning: file filled up by the last write',
  // 64xx, 65xx: execution errors
  0x6400: 'Execution error: memory unchanged',
  0x6401: 'Execution error: immediate response required by the card',
  0x6500: 'Execution error: memory changed',
  0x6581: 'Execution error: memory failure',
  0x6600: 'Security-related issue',
  // 67xx, 68xx, 69xx: checking errors
  0x6700: 'Wrong length (Lc or Le)',
  0x6800: 'Functions in CLA not supported',
  0x6881: 'Logical channel not supported',
  0x6882: 'Secure messaging not supported',
  0x6883: 'Last command of the chain expected',
  0x6884: 'Command chaining not supported',
  0x6900: 'Command not allowed',
  0x6981: 'Command incompatible with file structure',
  0x6982: 'Security status not satisfied',
  0x6983: 'Authentication method blocked',
  0x6984: 'Reference data not usable (blocked or not initialised)',
  0x6985: 'Conditions of use not satisfied',
  0x6986: 'Command not allowed (no current EF)',
  0x6987: 'Expected secure messaging data objects missing',
  0x6988: 'Incorrect secure messaging data objects',
  0x6a00: 'Wrong parameters P1-P2',
  0x6a80: 'Incorrect parameters in the data field',
  0x6a81: 'Function not supported',
  0x6a82: 'File or application not found',
  0x6a83: 'Record not found',
  0x6a84: 'Not enough memory space in the file',
  0x6a85: 'Nc inconsistent with TLV structure',
  0x6a86: 'Incorrect parameters P1-P2',
  0x6a87: 'Nc inconsistent with parameters P1-P2',
  0x6a88: 'Referenced data or reference data not found',
  0x6a89: 'File already exists',
  0x6a8a: 'DF name already exists',
  0x6b00: 'Wrong parameters P1-P2 (offset outside the EF)',
  0x6d00: 'Instruction code not supported or invalid',
  0x6e00: 'Class not supported',
  0x6f00: 'No precise diagnosis',
};

/** Fallback per SW1 when the exact value is not in the table. */
const SW1_FAMILIES: Readonly<Record<number, StatusWordMeaning>> = {
  0x62: { meaning: 'Warning: memory unchanged', category: 'warning' },
  0x63: { meaning: 'Warning: memory changed', category: 'warning' },
  0x64: { meaning: 'Execution error: memory unchanged', category: 'error' },
  0x65: { meaning: 'Execution error: memory changed', category: 'error' },
  0x66: { meaning: 'Security-related issue', category: 'error' },
  0x67: { meaning: 'Wrong length', category: 'error' },
  0x68: { meaning: 'Functions in CLA not supported', category: 'error' },
  0x69: { meaning: 'Command not allowed', category: 'error' },
  0x6a: { meaning: 'Wrong parameters P1-P2', category: 'error' },
  0x6b: { meaning: 'Wrong parameters P1-P2', category: 'error' },
  0x6d: { meaning: 'Instruction code not supported or invalid', category: 'error' },
  0x6e: { meaning: 'Class not supported', category: 'error' },
  0x6f: { meaning: 'No precise diagnosis', category: 'error' },
};

const PIN_COMMANDS: ReadonlySet<number> = new Set([INS.VERIFY, 0x21, INS.CHANGE_REFERENCE_DATA, 0x25, INS.RESET_RETRY_COUNTER, 0x2d]);

function categoryOf(sw1: number): StatusCategory {
  if (sw1 === 0x62 || sw1 === 0x63) return 'warning';
  if (sw1 >= 0x64 && sw1 <= 0x6f) return 'error';
  return 'warning';
}

/**
 * What the status word of an answer means for the command that got it: the one reading the
 * Console, scripts, `cardbench send`, the capture conversation, its exports and the CLI's
 * transcripts all give, so a case-1 VERIFY answered 63C3 reads "PIN not verified yet" in every
 * one of them. Masked command bytes ('**' replaced by any value) read the same: only the
 * header and the lengths matter here.
 */
export function describeAnswerStatus(command: Uint8Array | undefined, sw1: number, sw2: number): StatusWordMeaning {
  return describeStatusWord(sw1, sw2, command ? statusContextOf(command) : {});
}

/** The parts of a command that change how its answer's status word reads. */
export function statusContextOf(command: Uint8Array): StatusWordContext {
  if (command.length < 4) return {};
  // The short forms tell from their first body byte alone (a trace asks this of every command):
  // no body or Le alone carries no data; a non-zero Lc does, whole or cut. Only 00 (extended
  // lengths, or malformed) takes the full layout.
  if (command.length <= 5) return { ins: command[1]!, commandHasData: false };
  if (command[4] !== 0) return { ins: command[1]!, commandHasData: true };
  const fields = commandFields(command);
  return { ins: fields.ins, commandHasData: fields.data.length > 0 };
}

export function describeStatusWord(sw1: number, sw2: number, context: StatusWordContext = {}): StatusWordMeaning {
  const sw = ((sw1 & 0xff) << 8) | (sw2 & 0xff);
  if (sw === 0x9000) return { meaning: 'Success', category: 'success' };
  if (sw1 === 0x61) {
    const count = sw2 === 0 ? 256 : sw2;
    const more = sw2 === 0 ? '256 or more' : String(count);
    return { meaning: `${more} more byte(s) available: send GET RESPONSE (00 C0 00 00 ${byteHex(sw2)})`, category: 'more-data' };
  }
  if (sw1 === 0x6c) {
    const exact = sw2 === 0 ? 256 : sw2;
    return { meaning: `Wrong Le: resend the command with Le=${byteHex(sw2)} (${exact} bytes available)`, category: 'retry' };
  }
  if (sw1 === 0x9f) {
    // GSM 11.11 / ETSI cards answer 9Fxx where ISO cards say 61xx.
    return { meaning: `${sw2} byte(s) of response available (GSM): send GET RESPONSE`, category: 'more-data' };
  }
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return describeCounter(sw2 & 0x0f, context);
  if (sw1 === 0x6a && sw2 === 0x88 && context.ins === INS.GET_DATA) {
    return { meaning: 'Referenced data not found (no such data object)', category: 'error' };
  }
  if (sw1 === 0x69 && sw2 === 0x83 && context.ins !== undefined && PIN_COMMANDS.has(context.ins)) {
    return { meaning: 'PIN blocked (authentication method blocked)', category: 'error' };
  }
  const exact = STATUS_WORD_MEANINGS[sw];
  if (exact) return { meaning: exact, category: categoryOf(sw1) };
  const family = SW1_FAMILIES[sw1];
  if (family) {
    return { meaning: `${family.meaning}${sw2 === 0 ? '' : ` (SW2 ${byteHex(sw2)})`}`, category: family.category };
  }
  if ((sw1 & 0xf0) === 0x90) return { meaning: `Application-specific status ${byteHex(sw1)}${byteHex(sw2)}`, category: 'warning' };
  return { meaning: `Unknown status word ${byteHex(sw1)}${byteHex(sw2)} (not an ISO 7816 value)`, category: 'error' };
}

/** 63Cx: a counter, usually the remaining tries of the reference data (PIN) just used. */
function describeCounter(count: number, context: StatusWordContext): StatusWordMeaning {
  const tries = `${count} ${count === 1 ? 'try' : 'tries'} left`;
  const ins = context.ins;
  if (ins === INS.VERIFY || ins === 0x21) {
    if (context.commandHasData === false) {
      return count === 0
        ? { meaning: 'PIN blocked (0 tries left)', category: 'error' }
        : { meaning: `PIN not verified yet: ${tries}`, category: 'warning' };
    }
    return count === 0
      ? { meaning: 'Wrong PIN: PIN now blocked (0 tries left)', category: 'error' }
      : { meaning: `Wrong PIN: ${tries}`, category: 'error' };
  }
  if (ins === INS.CHANGE_REFERENCE_DATA || ins === 0x25) {
    return count === 0
      ? { meaning: 'Wrong current PIN: PIN now blocked (0 tries left)', category: 'error' }
      : { meaning: `Wrong current PIN, not changed: ${tries}`, category: 'error' };
  }
  if (ins === INS.RESET_RETRY_COUNTER || ins === 0x2d) {
    return count === 0
      ? { meaning: 'Wrong resetting code (PUK): now blocked (0 tries left)', category: 'error' }
      : { meaning: `Wrong resetting code (PUK): ${tries}`, category: 'error' };
  }
  return { meaning: `Warning: counter value ${count} (usually tries left)`, category: 'warning' };
}

export function formatStatusWord(sw1: number, sw2: number): string {
  return `${byteHex(sw1)}${byteHex(sw2)}`;
}
