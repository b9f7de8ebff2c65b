/**
 * Live validation of a hand-typed APDU: says what is wrong in words a person can act on (odd
 * number of digits, Lc that does not match the data, too long for a short APDU), and what the
 * bytes are when they are right.
 */
import { MAX_EXTENDED_APDU_LENGTH } from '../iso7816/apdu-limits.js';
import { parseHex } from '../bytes/hex.js';
import { parseCommandApdu, type ApduCase } from '../iso7816/command-apdu.js';

export interface ApduInputCheck {
  ok: boolean;
  bytes: Uint8Array | undefined;
  /** What is wrong, one sentence each; empty when ok. */
  errors: string[];
  /** Accepted but worth knowing (e.g. CLA FF is a reader pseudo-APDU). */
  warnings: string[];
  /** '4S: SELECT, Lc 6, Le 256' when the APDU reads cleanly. */
  summary: string | undefined;
  apduCase: ApduCase | undefined;
}

export function checkApduInput(text: string): ApduInputCheck {
  const empty: ApduInputCheck = { ok: false, bytes: undefined, errors: [], warnings: [], summary: undefined, apduCase: undefined };
  const digits = text.replace(/0x/gi, '').replace(/[\s:-]/g, '');
  if (digits === '') return { ...empty, errors: ['Type an APDU in hex, e.g. 00A4040007A0000002471001.'] };
  const bad = /[^0-9a-f]/i.exec(digits);
  if (bad) return { ...empty, errors: [`'${bad[0]}' is not a hex digit: use 0-9 and A-F.`] };
  if (digits.length % 2 === 1) {
    return { ...empty, errors: [`Odd number of hex digits (${digits.length}): every byte needs two digits.`] };
  }
  const parsed = parseHex(text, MAX_EXTENDED_APDU_LENGTH);
  if (!parsed.ok) return { ...empty, errors: [`${parsed.reason} (at character ${parsed.position + 1}).`] };
  const bytes = parsed.bytes;
  if (bytes.length < 4) {
    return { ...empty, errors: [`${bytes.length} byte(s): an APDU needs at least the 4 header bytes CLA INS P1 P2.`] };
  }
  const apdu = parseCommandApdu(bytes);
  const errors: string[] = [];
  const warnings: string[] = [];
  const shortTooLong = !apdu.extended && bytes.length > 4 + 1 + 255 + 1;
  if (shortTooLong && bytes[4] !== 0) {
    errors.push(
      `Too long for short encoding: ${bytes.length - 6} or more data bytes, but a short APDU carries at most 255 (start the body with 00 and a 2-byte Lc for extended length).`,
    );
  }
  for (const p of apdu.problems) {
    const message = explainProblem(p.code, p.message);
    if (p.severity === 'error' && !shortTooLong) errors.push(message);
    else if (p.severity !== 'error') warnings.push(message);
  }
  if (bytes[0] === 0xff) warnings.push('CLA FF: a pseudo-APDU for the reader itself (PC/SC part 3), not for the card.');
  if (errors.length > 0) return { ...empty, bytes, errors, warnings, apduCase: apdu.apduCase };
  const parts = [`case ${apdu.apduCase ?? '?'}`];
  if (apdu.name) parts.push(apdu.name);
  if (apdu.lc !== undefined) parts.push(`Lc ${apdu.lc}`);
  if (apdu.le !== undefined) parts.push(`Le ${apdu.le}`);
  if (apdu.extended) parts.push('extended');
  return { ok: true, bytes, errors, warnings, summary: parts.join(', '), apduCase: apdu.apduCase };
}

function explainProblem(code: string, message: string): string {
  if (code === 'lc-beyond-data') return `Lc mismatch: ${message}.`;
  if (code === 'trailing-bytes') return `Lc mismatch or stray bytes: ${message} (fix Lc or remove them).`;
  return `${message[0]?.toUpperCase() ?? ''}${message.slice(1)}.`;
}
