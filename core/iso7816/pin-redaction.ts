/**
 * PINs and keys never leave the process in clear: not in logs, history, exports or CLI output.
 * Which commands carry a secret is the table's business (secret-commands.ts); this module
 * decides which bytes of such a command are hidden. Convention: each hidden byte is shown as
 * '**', so lengths stay readable; the header, Lc and Le stay, since they hold no secret.
 */
import { parseHex, toHex } from '../bytes/hex.js';
import { parseCommandApdu } from './command-apdu.js';
import { secretCommandOf, type SecretCommand } from './secret-commands.js';

/** How one hidden byte is written. */
export const MASKED_BYTE = '**';

const HEADER = 4;

/** `count` hidden bytes. */
export function maskedBytes(count: number): string {
  return MASKED_BYTE.repeat(Math.max(0, count));
}

/**
 * A secret-carrying command as uppercase hex with its data bytes hidden. A malformed one hides
 * everything after its 4-byte header, since its data boundaries cannot be trusted.
 */
export function maskedCommandHex(command: Uint8Array): string {
  const layout = dataSpan(command);
  if (!layout) return toHex(command.subarray(0, HEADER)) + maskedBytes(command.length - HEADER);
  const [start, end] = layout;
  return toHex(command.subarray(0, start)) + maskedBytes(end - start) + toHex(command.subarray(end));
}

/**
 * The command as uppercase hex, its data hidden when it carries a secret. `secret` is what a
 * caller that follows the conversation (SecretCommandTracker) decided; by default the table
 * decides from the command alone.
 */
export function redactedCommandHex(command: Uint8Array, secret: SecretCommand | undefined = secretCommandOf(command)): string {
  return secret ? maskedCommandHex(command) : toHex(command);
}

/** CLA INS P1 P2 Lc of a PIN entry template stay visible; what follows is the PIN block. */
const TEMPLATE_HEADER = 5;

/**
 * The APDU template of a PIN entry request (CCID Secure, PC/SC VERIFY_PIN_DIRECT): the bytes
 * after CLA INS P1 P2 Lc are the PIN block the reader overwrites with what is typed. They
 * are placeholders, but an application may put anything there, so they are masked like PIN data.
 */
export function maskedPinTemplateHex(template: Uint8Array): string {
  return toHex(template.subarray(0, TEMPLATE_HEADER)) + maskedBytes(template.length - TEMPLATE_HEADER);
}

/** The byte that stands for each hidden byte where bytes, not text, are kept (a recording): '*'. */
export const MASKED_BYTE_VALUE = 0x2a;

/**
 * A secret-carrying command with its data bytes overwritten by MASKED_BYTE_VALUE, same length (so
 * Lc and the case still parse); a malformed one keeps only its 4-byte header. Bytes counterpart
 * of maskedCommandHex.
 */
export function maskedCommandBytes(command: Uint8Array): Uint8Array {
  const [start, end] = dataSpan(command) ?? [Math.min(HEADER, command.length), command.length];
  const out = command.slice();
  out.fill(MASKED_BYTE_VALUE, start, end);
  return out;
}

/** A PIN entry template with its PIN block overwritten (bytes counterpart of maskedPinTemplateHex). */
export function maskedPinTemplateBytes(template: Uint8Array): Uint8Array {
  const out = template.slice();
  out.fill(MASKED_BYTE_VALUE, Math.min(TEMPLATE_HEADER, template.length));
  return out;
}

/** [start, end) of the data field, or undefined when the command is not well formed. */
function dataSpan(command: Uint8Array): [number, number] | undefined {
  const parsed = parseCommandApdu(command);
  if (parsed.apduCase === undefined || parsed.problems.some((p) => p.severity === 'error')) return undefined;
  const leBytes = parsed.le === undefined ? 0 : parsed.extended ? (parsed.data.length === 0 ? 3 : 2) : 1;
  const end = command.length - leBytes;
  return [end - parsed.data.length, end];
}

/**
 * Masks command text that may already be masked, trusting none of it (a history file can be
 * old, hand-edited or half masked). '*' in a byte makes that byte unknown. With no unknown
 * byte, the table decides. With unknown bytes only inside a well-formed data field, the data
 * is hidden whole; anywhere else (header, Lc, Le) the structure cannot be trusted and all
 * after the header is hidden. Masking its own output gives the same text back.
 *
 * @returns undefined when the text is not hex (with '*') byte pairs; separators as parseHex allows
 */
export function remaskCommandText(text: string): string | undefined {
  if (!text.includes('*')) {
    const parsed = parseHex(text);
    return parsed.ok ? redactedCommandHex(parsed.bytes) : undefined;
  }
  const compact = text.replace(/[\s:-]+/g, '');
  if (compact.length % 2 !== 0 || !/^[0-9A-Fa-f*]*$/.test(compact)) return undefined;
  const count = compact.length / 2;
  const bytes = new Uint8Array(count);
  const unknown: number[] = [];
  for (let i = 0; i < count; i++) {
    const pair = compact.slice(2 * i, 2 * i + 2);
    if (pair.includes('*')) unknown.push(i);
    else bytes[i] = parseInt(pair, 16);
  }
  const span = unknown[0]! >= HEADER ? dataSpan(bytes) : undefined;
  if (span && unknown.every((i) => i >= span[0] && i < span[1])) return maskedCommandHex(bytes);
  const header = Array.from(bytes.subarray(0, HEADER), (b, i) => (unknown.includes(i) ? MASKED_BYTE : toHex(Uint8Array.of(b))));
  return header.join('') + maskedBytes(count - HEADER);
}
