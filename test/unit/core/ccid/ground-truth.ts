/** Reads the byte-for-byte sections of the ../shared/captures ground-truth .txt files (tests only). */
import { readFileSync } from 'node:fs';
import { fromHex } from '#core/bytes/hex.js';
import { sharedPath } from '../../../shared-path.js';
import { parseExchangeList } from '../iso7816/ground-truth.js';

export const PINPAD_TXT = ['captures', 'usbmon-qemu-pinpad', 'pinpad-labcard.txt'] as const;
export const LABCARD_TXT = ['captures', 'usbmon-qemu-labcard', 'labcard-basic.txt'] as const;

export function readGroundTruth(parts: readonly string[]): string {
  return readFileSync(sharedPath(...parts), 'utf8');
}

export interface LoggedCcidMessage {
  direction: 'out' | 'in';
  bytes: Uint8Array;
}

/** The "## CCID messages as logged by libccid" lines: `-> 000000 65 00 …` / `<- 000000 81 …`. */
export function loggedCcidMessages(text: string): LoggedCcidMessage[] {
  const out: LoggedCcidMessage[] = [];
  for (const line of text.split('\n')) {
    const m = /^(->|<-) 000000 ((?:[0-9A-F]{2} ?)+)$/.exec(line.trimEnd() + ' ');
    if (m) out.push({ direction: m[1] === '->' ? 'out' : 'in', bytes: fromHex(m[2]!) });
  }
  return out;
}

export interface SecureGroundTruth {
  index: number;
  message: Uint8Array;
  answer: Uint8Array;
  /** The "verify:"/"modify:" line as name → hex value(s). */
  fields: Map<string, string>;
  operation: 'verify' | 'modify';
  apdu: Uint8Array;
}

/** The "Secure #n" blocks of pinpad-labcard.txt. */
export function secureGroundTruth(text: string): SecureGroundTruth[] {
  const blocks = text.split(/\n(?=Secure #\d+:)/).slice(1);
  return blocks.map((block) => {
    const index = Number(/^Secure #(\d+)/.exec(block)![1]);
    const message = fromHex(/\n\s+-> ([0-9A-F ]+)\n/.exec(block)![1]!);
    const answer = fromHex(/\n\s+<- ([0-9A-F ]+)\n/.exec(block)![1]!);
    const fieldLine = /\n\s+(verify|modify): (.+)\n/.exec(block)!;
    const apdu = fromHex(/\n\s+abPINApdu: ([0-9A-F ]+)\n/.exec(block)![1]!);
    const fields = new Map<string, string>();
    // "bTimeOut 00 bmFormatString 82 … wPINMaxExtraDigit 08 04 (min 4 max 8) … bMsgIndex 00 01 02 bTeoPrologue 00 00 00"
    const tokens = fieldLine[2]!
      .replace(/\([^)]*\)/g, '')
      .trim()
      .split(/\s+/);
    let name = '';
    for (const t of tokens) {
      if (/^[0-9A-F]+$/.test(t)) fields.set(name, ((fields.get(name) ?? '') + ' ' + t).trim());
      else name = t;
    }
    return { index, message, answer, fields, operation: fieldLine[1] as 'verify' | 'modify', apdu };
  });
}

export interface ControlCall {
  step: number;
  title: string;
  code: number;
  input: Uint8Array;
  output?: Uint8Array;
  result: string;
}

/** The "[nn] …  SCardControl(hCard, 0x…, in[n]) / in : … / out[n]: … / result: …" blocks. */
export function controlCalls(text: string): ControlCall[] {
  const out: ControlCall[] = [];
  const re =
    /\n\[(\d+)\] ([^\n]*)\n\s+SCardControl\(hCard, 0x([0-9A-F]+), in\[\d+\]\)\n\s+in : ([0-9A-F ]+)\n(?:\s+out\[\d+\]: ([0-9A-F ]+)\n)?\s+result: ([^\n]+)/g;
  for (const m of text.matchAll(re)) {
    const call: ControlCall = { step: Number(m[1]), title: m[2]!, code: parseInt(m[3]!, 16), input: fromHex(m[4]!), result: m[6]! };
    if (m[5]) call.output = fromHex(m[5]);
    out.push(call);
  }
  return out;
}

/** "   1 C: 00 A4 …" / "     R: 90 00" pairs (one parser for every ground-truth file: iso7816/ground-truth.ts). */
export function apduExchanges(text: string): { command: Uint8Array; response: Uint8Array }[] {
  return parseExchangeList(text).map(({ command, response }) => ({ command, response }));
}
