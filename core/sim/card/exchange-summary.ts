/**
 * One log line per exchange, for people watching a virtual card work. Secret-carrying commands (the
 * table of core/iso7816/secret-commands: PINs, resetting codes, keys) never show their data: only its length.
 */
import { toHex } from '#core/bytes/hex.js';
import { parseCommandApdu } from '#core/iso7816/command-apdu.js';
import { secretCommandOf } from '#core/iso7816/secret-commands.js';
import { describeStatusWord } from '#core/iso7816/status-words.js';

const MAX_SHOWN_BYTES = 32;

/** The command as hex, with a secret-carrying command's body replaced by a length note. */
export function describeCommandSafely(command: Uint8Array): string {
  const parsed = parseCommandApdu(command);
  const secret = secretCommandOf(command);
  if (parsed.apduCase === undefined || parsed.problems.some((p) => p.severity === 'error')) {
    // A malformed secret-carrying command still may hold its secret after the header.
    if (secret) return `${toHex(command.subarray(0, 4))} [${command.length - 4} byte(s) hidden: ${secret.secret} command]`;
    return `${shortHex(command)} (malformed)`;
  }
  const header = toHex(command.subarray(0, 4));
  const name = parsed.name ? ` ${parsed.name}` : '';
  if (parsed.data.length > 0 && secret) return `${header}${name} [${parsed.data.length} byte(s) hidden: ${secret.secret}]`;
  const data = parsed.data.length > 0 ? ` ${shortHex(parsed.data)}` : '';
  const le = parsed.le !== undefined ? ` Le=${parsed.le}` : '';
  return `${header}${name}${data}${le}`;
}

export function summarizeExchange(command: Uint8Array, response: Uint8Array, elapsedMs?: number): string {
  const parsed = parseCommandApdu(command);
  const context = { ins: parsed.ins, commandHasData: parsed.lc !== undefined };
  const sw1 = response[response.length - 2];
  const sw2 = response[response.length - 1];
  const answer =
    sw1 === undefined || sw2 === undefined
      ? 'no status word'
      : `${response.length - 2} byte(s), SW ${toHex(response.subarray(response.length - 2))} (${describeStatusWord(sw1, sw2, context).meaning})`;
  const timing = elapsedMs === undefined ? '' : ` in ${elapsedMs.toFixed(1)} ms`;
  return `> ${describeCommandSafely(command)}  < ${answer}${timing}`;
}

function shortHex(bytes: Uint8Array): string {
  if (bytes.length <= MAX_SHOWN_BYTES) return toHex(bytes);
  return `${toHex(bytes.subarray(0, MAX_SHOWN_BYTES))}… (${bytes.length} bytes)`;
}
